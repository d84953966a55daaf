"""Users: the organization's own (with roles) and customers' users.

Rules kept here: emails are unique and lower-cased; only owners grant or remove the owner role;
the last owner cannot be removed or demoted; customer users get customer roles only.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from splice.services.authz import CUSTOMER_ROLES, ORG_ROLES, Actor, Permission, require
from splice.services.passwords import hash_password
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Customer, User

__all__ = ["UserService"]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def _email(value: str | None) -> str:
    email = (value or "").strip().lower()
    if not EMAIL.match(email):
        raise InvalidInput(f"{value!r} is not an email address", field="email")
    return email


def _password(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise InvalidInput(
            f"the password is shorter than {MIN_PASSWORD} characters",
            field="password",
            fix="choose a longer password",
        )
    return hash_password(value)


class UserService:
    """Create, change and remove users."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db

    async def create(
        self,
        actor: Actor,
        email: str,
        *,
        name: str = "",
        role: str = "viewer",
        password: str | None = None,
        external_id: str | None = None,
        phone: str | None = None,
        customer: str | None = None,
    ) -> User:
        """A new org user, or a customer user when ``customer`` is given."""
        require(actor, Permission.MANAGE_CUSTOMERS if customer else Permission.MANAGE_USERS)
        async with self._db.session() as session:
            customer_pk = await self._customer_pk(session, actor, customer)
            self._check_role(actor, role, customer_pk is not None)
            address = _email(email)
            await self._unique_email(session, address, None)
            user = User(
                organization_id=actor.organization_id,
                customer_id=customer_pk,
                email=address,
                name=name,
                role=role,
                password_hash=_password(password) if password else "",
                external_id=external_id,
                phone=phone,
            )
            session.add(user)
            await session.commit()
            return user

    async def update(
        self,
        actor: Actor,
        global_id: str,
        *,
        name: str | None = None,
        role: str | None = None,
        password: str | None = None,
        external_id: str | None = None,
        phone: str | None = None,
    ) -> User:
        """Change a user; users may always change their own name and password."""
        async with self._db.session() as session:
            user = await self._load(session, actor, global_id)
            own_profile = user.id == actor.user_id and role is None
            if not own_profile:
                require(
                    actor,
                    Permission.MANAGE_CUSTOMERS if user.customer_id else Permission.MANAGE_USERS,
                )
            if role is not None and role != user.role:
                self._check_role(actor, role, user.customer_id is not None)
                if user.role == "owner":
                    await self._keep_an_owner(session, actor, user)
                user.role = role
            if name is not None:
                user.name = name
            if password is not None:
                user.password_hash = _password(password)
            if external_id is not None:
                user.external_id = external_id
            if phone is not None:
                user.phone = phone
            await session.commit()
            return user

    async def delete(self, actor: Actor, global_id: str) -> User:
        """Remove a user (never the last owner)."""
        async with self._db.session() as session:
            user = await self._load(session, actor, global_id)
            require(
                actor, Permission.MANAGE_CUSTOMERS if user.customer_id else Permission.MANAGE_USERS
            )
            if user.role == "owner":
                if actor.role != "owner":
                    raise PermissionDenied("only an owner may remove an owner")
                await self._keep_an_owner(session, actor, user)
            await session.delete(user)
            await session.commit()
            return user

    async def _load(self, session: AsyncSession, actor: Actor, global_id: str) -> User:
        user = await session.get(User, ids.decode(global_id, "User"))
        if (
            user is None
            or user.organization_id != actor.organization_id
            or (actor.is_customer_user and user.customer_id != actor.customer_id)
        ):
            raise NotFound("user", global_id)
        return user

    async def _customer_pk(
        self, session: AsyncSession, actor: Actor, customer: str | None
    ) -> uuid.UUID | None:
        if customer is None:
            return None
        pk = ids.decode(customer, "Customer")
        row = await session.get(Customer, pk)
        if row is None or row.organization_id != actor.organization_id or row.is_system:
            raise NotFound("customer", customer, field="customer")
        return pk

    @staticmethod
    def _check_role(actor: Actor, role: str, for_customer: bool) -> None:
        allowed = CUSTOMER_ROLES if for_customer else ORG_ROLES
        if role not in allowed:
            raise InvalidInput(
                f"unknown role {role!r}", field="role", fix="use one of " + ", ".join(allowed)
            )
        if role == "owner" and actor.role != "owner":
            raise PermissionDenied("only an owner may make another user an owner", field="role")

    @staticmethod
    async def _unique_email(session: AsyncSession, email: str, except_id: uuid.UUID | None) -> None:
        stmt = select(User.id).where(User.email == email)
        if except_id is not None:
            stmt = stmt.where(User.id != except_id)
        if (await session.execute(stmt.limit(1))).first() is not None:
            raise Conflict(f"a user with email {email} already exists", field="email")

    @staticmethod
    async def _keep_an_owner(session: AsyncSession, actor: Actor, leaving: User) -> None:
        owners = (
            await session.execute(
                select(func.count(User.id)).where(
                    User.organization_id == actor.organization_id,
                    User.role == "owner",
                    User.customer_id.is_(None),
                    User.id != leaving.id,
                )
            )
        ).scalar_one()
        if not owners:
            raise Conflict(
                "the organization must keep at least one owner",
                field="role",
                fix="make another user an owner first",
            )
