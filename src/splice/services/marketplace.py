"""The marketplace: integrations a customer may see and activate for themselves.

An integration is listed when its latest available version is ``AVAILABLE_NOT_DEPLOYABLE`` or
``AVAILABLE_AND_DEPLOYABLE`` (runtime-semantics §6.3). Customer admins activate a deployable
one: an instance is created and deployed for their own customer, at most once unless the
version allows several. Afterwards they reconfigure, redeploy, pause, test and delete it (and any
instance the organization made for their customer) through ``InstanceService``, as
``authz.require_instance_configurer`` allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.errors import Conflict, NotFound
from splice.services.authz import Actor, Permission, require, require_marketplace_deployer
from splice.services.instances import InstanceService
from splice.services.records import IntegrationRecord
from splice.store.db import Database
from splice.store.repositories import instances as repo
from splice.store.tables import Instance, Integration, IntegrationVersion

__all__ = ["LISTED", "MarketplaceListing", "MarketplaceService"]

LISTED = ("AVAILABLE_NOT_DEPLOYABLE", "AVAILABLE_AND_DEPLOYABLE")


@dataclass(frozen=True)
class MarketplaceListing:
    """One marketplace entry: the version offered plus this customer's instances of it."""

    record: IntegrationRecord
    instances: list[Instance] = field(default_factory=list)

    @property
    def version(self) -> IntegrationVersion:
        """The version offered (the integration's latest available one)."""
        assert self.record.version is not None
        return self.record.version

    @property
    def is_deployable(self) -> bool:
        """True when customers may activate it themselves."""
        return self.version.marketplace_configuration == "AVAILABLE_AND_DEPLOYABLE"

    @property
    def deployment_status(self) -> str:
        """ACTIVATED, PAUSED (every instance disabled) or UNCONFIGURED (none)."""
        if not self.instances:
            return "UNCONFIGURED"
        return "ACTIVATED" if any(i.enabled for i in self.instances) else "PAUSED"


class MarketplaceService:
    """Listing and self-service activation."""

    def __init__(self, db: Database, instances: InstanceService) -> None:
        self._db = db
        self._instances = instances

    async def _listed(
        self, session: AsyncSession, actor: Actor
    ) -> list[tuple[Integration, IntegrationVersion]]:
        stmt = select(Integration).where(Integration.organization_id == actor.organization_id)
        if actor.is_customer_user:
            stmt = stmt.where(
                or_(Integration.customer_id.is_(None), Integration.customer_id == actor.customer_id)
            )
        found: list[tuple[Integration, IntegrationVersion]] = []
        for integration in (await session.execute(stmt.order_by(Integration.name))).scalars():
            version = await repo.latest_available_version(session, integration.id)
            if version is not None and version.marketplace_configuration in LISTED:
                found.append((integration, version))
        return found

    async def listings(self, actor: Actor) -> list[MarketplaceListing]:
        """What the marketplace shows the actor (with their customer's instances)."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            listings: list[MarketplaceListing] = []
            for integration, version in await self._listed(session, actor):
                instances: list[Instance] = []
                if actor.is_customer_user:
                    instances = list(
                        (
                            await session.execute(
                                select(Instance)
                                .where(
                                    Instance.integration_id == integration.id,
                                    Instance.customer_id == actor.customer_id,
                                    Instance.is_system.is_(False),
                                )
                                .order_by(Instance.name)
                            )
                        ).scalars()
                    )
                listings.append(
                    MarketplaceListing(IntegrationRecord(integration, version), instances)
                )
            return listings

    async def activate(
        self,
        actor: Actor,
        integration: str,
        *,
        config_variables: Sequence[Mapping[str, Any] | None] | None = None,
        name: str | None = None,
    ) -> Instance:
        """Create and deploy an instance of a listed, deployable integration for the actor."""
        require_marketplace_deployer(actor)
        async with self._db.session() as session:
            pk = ids.decode(integration, "Integration")
            match = next(
                (
                    pair
                    for pair in await self._listed(session, actor)
                    if pk in (pair[0].id, pair[1].id)
                ),
                None,
            )
            if match is None:
                raise NotFound("marketplace integration", integration, field="integration")
            owner, version = match
            if version.marketplace_configuration != "AVAILABLE_AND_DEPLOYABLE":
                raise Conflict(
                    f"'{owner.name}' is listed in the marketplace but not deployable by customers",
                    field="integration",
                    fix="ask the organization to deploy it for you",
                )
            if not version.allow_multiple_marketplace_instances:
                existing = (
                    await session.execute(
                        select(Instance.id).where(
                            Instance.integration_id == owner.id,
                            Instance.customer_id == actor.customer_id,
                            Instance.is_system.is_(False),
                        )
                    )
                ).first()
                if existing is not None:
                    raise Conflict(
                        f"your organization already has an instance of '{owner.name}'",
                        field="integration",
                        fix="reconfigure the existing instance instead",
                    )
        return await self._instances.activate_from_marketplace(
            actor, version, name=name or owner.name, config_variables=config_variables
        )
