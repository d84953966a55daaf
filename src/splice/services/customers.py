"""Customers: create, change, delete, search; external IDs are unique per organization."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.errors import Conflict, InvalidInput, NotFound
from splice.services.authz import Actor, Permission, require
from splice.services.pagination import Page, PageRequest, fetch_page
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Customer, User

__all__ = [
    "CustomerService",
    "visible_customer",
]


def _labels(labels: list[str | None] | None) -> list[str]:
    seen: dict[str, None] = {}
    for label in labels or []:
        if label and label.strip():
            seen[label.strip()] = None
    return list(seen)


def _name(name: str | None) -> str:
    if name is None or not name.strip():
        raise InvalidInput("name must not be empty", field="name", fix="give the customer a name")
    return name.strip()


@dataclass(frozen=True)
class CustomerText:
    """Name and text filters of the customers list (Prismatic's ``listCustomers`` inputs)."""

    name: str | None = None
    name_istartswith: str | None = None
    description_icontains: str | None = None
    labels_contains: str | None = None

    def apply(self, stmt: Any) -> Any:
        if self.name is not None:
            stmt = stmt.where(Customer.name == self.name)
        if self.name_istartswith:
            stmt = stmt.where(Customer.name.ilike(f"{self.name_istartswith}%"))
        if self.description_icontains:
            stmt = stmt.where(Customer.description.ilike(f"%{self.description_icontains}%"))
        if self.labels_contains:
            label = self.labels_contains.strip().lower().replace('"', "")
            stmt = stmt.where(cast(Customer.labels, String).ilike(f'%"{label}"%'))
        return stmt


async def visible_customer(session: AsyncSession, actor: Actor, global_id: str) -> Customer:
    """A customer to configure or deploy for: not the system one, in the actor's organization,
    and a customer user's own; NotFound (field ``customer``) otherwise."""
    customer = await session.get(Customer, ids.decode(global_id, "Customer"))
    if (
        customer is None
        or customer.organization_id != actor.organization_id
        or customer.is_system
        or (actor.is_customer_user and customer.id != actor.customer_id)
    ):
        raise NotFound("customer", global_id, field="customer")
    return customer


class CustomerService:
    """Customers and their users, scoped to what the actor may see."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db

    async def get(self, actor: Actor, global_id: str) -> Customer:
        """A customer by global ID."""
        return await self.get_by_pk(actor, ids.decode(global_id, "Customer"), ident=global_id)

    async def get_by_pk(self, actor: Actor, pk: uuid.UUID, *, ident: str | None = None) -> Customer:
        """A customer by primary key; customer users only see their own."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            customer = await session.get(Customer, pk)
        if (
            customer is None
            or customer.organization_id != actor.organization_id
            or (actor.is_customer_user and customer.id != actor.customer_id)
        ):
            raise NotFound("customer", ident or ids.encode("Customer", pk))
        return customer

    async def search(
        self,
        actor: Actor,
        page: PageRequest,
        *,
        is_system: bool | None = None,
        name_icontains: str | None = None,
        external_id: str | None = None,
        text: CustomerText | None = None,
    ) -> Page[Customer]:
        """Customers ordered by name."""
        require(actor, Permission.READ)
        stmt = select(Customer).where(Customer.organization_id == actor.organization_id)
        if actor.is_customer_user:
            stmt = stmt.where(Customer.id == actor.customer_id)
        if is_system is not None:
            stmt = stmt.where(Customer.is_system.is_(is_system))
        if name_icontains:
            stmt = stmt.where(Customer.name.ilike(f"%{name_icontains}%"))
        if external_id is not None:
            stmt = stmt.where(Customer.external_id == external_id)
        if text is not None:
            stmt = text.apply(stmt)
        limits = self._settings.limits
        async with self._db.session() as session:
            return await fetch_page(
                session,
                stmt.order_by(Customer.name, Customer.id),
                page,
                default=limits.page_size,
                maximum=limits.max_page_size,
            )

    async def users(self, actor: Actor, customer: Customer, page: PageRequest) -> Page[User]:
        """The users of one customer."""
        require(actor, Permission.READ)
        limits = self._settings.limits
        async with self._db.session() as session:
            stmt = select(User).where(User.customer_id == customer.id).order_by(User.email, User.id)
            return await fetch_page(
                session, stmt, page, default=limits.page_size, maximum=limits.max_page_size
            )

    async def create(
        self,
        actor: Actor,
        name: str,
        *,
        description: str | None = None,
        external_id: str | None = None,
        labels: list[str | None] | None = None,
    ) -> Customer:
        """A new customer."""
        require(actor, Permission.MANAGE_CUSTOMERS)
        async with self._db.session() as session:
            external = external_id or None
            await self._unique_external_id(session, actor, external, None)
            customer = Customer(
                organization_id=actor.organization_id,
                name=_name(name),
                description=description or "",
                external_id=external,
                labels=_labels(labels),
            )
            session.add(customer)
            await session.commit()
            return customer

    async def update(
        self,
        actor: Actor,
        global_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        external_id: str | None = None,
        labels: list[str | None] | None = None,
    ) -> Customer:
        """Change a customer; given labels replace the old ones."""
        require(actor, Permission.MANAGE_CUSTOMERS)
        current = await self.get(actor, global_id)
        async with self._db.session() as session:
            customer = await session.get(Customer, current.id)
            if customer is None or customer.is_system:
                raise NotFound("customer", global_id)
            if name is not None:
                customer.name = _name(name)
            if description is not None:
                customer.description = description
            if external_id is not None:
                await self._unique_external_id(session, actor, external_id or None, customer.id)
                customer.external_id = external_id or None
            if labels is not None:
                customer.labels = _labels(labels)
            await session.commit()
            return customer

    async def delete(self, actor: Actor, global_id: str) -> Customer:
        """Delete a customer with its users and instances."""
        require(actor, Permission.MANAGE_CUSTOMERS)
        current = await self.get(actor, global_id)
        async with self._db.session() as session:
            customer = await session.get(Customer, current.id)
            if customer is None or customer.is_system:
                raise NotFound("customer", global_id)
            await session.delete(customer)
            await session.commit()
            return customer

    @staticmethod
    async def _unique_external_id(
        session: AsyncSession, actor: Actor, external_id: str | None, except_id: uuid.UUID | None
    ) -> None:
        if external_id is None:
            return
        stmt = select(Customer.id).where(
            Customer.organization_id == actor.organization_id, Customer.external_id == external_id
        )
        if except_id is not None:
            stmt = stmt.where(Customer.id != except_id)
        if (await session.execute(stmt.limit(1))).first() is not None:
            raise Conflict(
                f"a customer with external ID {external_id!r} already exists",
                field="externalId",
                fix="use another external ID, or update that customer",
            )
