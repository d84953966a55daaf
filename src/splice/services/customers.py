"""Customers as the foundation needs them: read and list (management comes with instances)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from splice import ids
from splice.errors import NotFound
from splice.services.authz import Actor, Permission, require
from splice.services.pagination import Page, PageRequest, fetch_page
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Customer, User

__all__ = ["CustomerService"]


class CustomerService:
    """Reads of customers and their users, scoped to what the actor may see."""

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
