"""The caller's organization and its users."""

from __future__ import annotations

from sqlalchemy import select

from splice.errors import NotFound, PermissionDenied
from splice.services.authz import Actor, Permission, require
from splice.services.pagination import Page, PageRequest, fetch_page
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Customer, Organization, User

__all__ = ["OrganizationService"]


class OrganizationService:
    """Reads about the organization, its users and the caller."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db

    async def me(self, actor: Actor) -> tuple[User, Organization | None, Customer | None]:
        """The caller's user row, their organization (org users) or customer (customer users)."""
        async with self._db.session() as session:
            user = await session.get(User, actor.user_id)
            if user is None:
                raise NotFound("user", str(actor.user_id))
            if actor.customer_id is not None:
                return user, None, await session.get(Customer, actor.customer_id)
            return user, await session.get(Organization, actor.organization_id), None

    async def organization(self, actor: Actor) -> Organization:
        """The caller's organization."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            org = await session.get(Organization, actor.organization_id)
            if org is None:
                raise NotFound("organization", str(actor.organization_id))
            return org

    async def users(self, actor: Actor, page: PageRequest) -> Page[User]:
        """The organization's own users (not customer users); customer users may not list them."""
        require(actor, Permission.READ)
        if actor.is_customer_user:
            raise PermissionDenied(
                "customer users may not list the organization's users",
                fix="ask an organization admin",
            )
        limits = self._settings.limits
        async with self._db.session() as session:
            stmt = (
                select(User)
                .where(User.organization_id == actor.organization_id, User.customer_id.is_(None))
                .order_by(User.email, User.id)
            )
            return await fetch_page(
                session, stmt, page, default=limits.page_size, maximum=limits.max_page_size
            )
