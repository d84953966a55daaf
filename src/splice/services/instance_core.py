"""The base of InstanceService: its collaborators and the helpers that load instances,
versions and config values (used by every part of the service).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.components.registry import Registry
from splice.errors import Conflict, NotFound
from splice.services import config_values as cv_rules
from splice.services.authz import Actor
from splice.services.connection_resolver import ConnectionResolver
from splice.services.customers import visible_customer
from splice.services.integrations import IntegrationService
from splice.services.secrets import SecretBox
from splice.settings import Settings
from splice.store.db import Database
from splice.store.repositories import instances as repo
from splice.store.tables import (
    Customer,
    Instance,
    InstanceConfigValue,
    Integration,
    IntegrationVersion,
)

__all__ = ["InstanceCore"]


def _clean_values(row: InstanceConfigValue | None) -> cv_rules.CleanValue | None:
    if row is None:
        return None
    return cv_rules.CleanValue(row.value, row.values, row.schedule_type, row.time_zone)


def _flow_definition(definition: Mapping[str, Any], name: str) -> dict[str, Any]:
    return next(
        (dict(f) for f in definition.get("flows") or [] if f.get("name") == name),
        {"name": name, "steps": []},
    )


class InstanceCore:
    """What every part of InstanceService shares: its collaborators and the loading helpers."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        registry: Registry,
        integrations: IntegrationService,
    ) -> None:
        self._settings = settings
        self._db = db
        self._registry = registry
        self._integrations = integrations
        self.box = SecretBox.from_settings(settings)
        self.connections = ConnectionResolver(registry, self.box)
        self.http_transport: httpx.AsyncBaseTransport | None = None
        self.lifecycle: Callable[[uuid.UUID, str], Awaitable[None]] | None = None
        """Runs an instance's management-trigger flows (set by Services to the executions)."""

    # ---- loading -------------------------------------------------------------------------

    async def _load(
        self, session: AsyncSession, actor: Actor, global_id: str, *, field: str = "id"
    ) -> Instance:
        pk = ids.decode(global_id, "Instance")
        instance = await session.get(Instance, pk)
        if instance is None or not self._visible(actor, instance):
            raise NotFound("instance", global_id, field=field)
        return instance

    @staticmethod
    def _visible(actor: Actor, instance: Instance) -> bool:
        if instance.organization_id != actor.organization_id:
            return False
        if actor.is_customer_user:
            return not instance.is_system and instance.customer_id == actor.customer_id
        return True

    async def _customer(self, session: AsyncSession, actor: Actor, global_id: str) -> Customer:
        return await visible_customer(session, actor, global_id)

    async def _deployable_version(
        self, session: AsyncSession, actor: Actor, global_id: str, *, field: str = "integration"
    ) -> tuple[Integration, IntegrationVersion]:
        """The version an ID names, or an integration's latest available version."""
        record = await self._integrations.load_record(session, actor, global_id, field=field)
        if record.version is None:
            version = await repo.latest_available_version(session, record.integration.id)
            if version is None:
                raise Conflict(
                    f"integration '{record.integration.name}' has no available published version",
                    field=field,
                    fix="publish the integration, or mark a version available",
                )
            return record.integration, version
        if not record.version.is_available:
            raise Conflict(
                f"version {record.version.version_number} of '{record.integration.name}' "
                "is not available for deployment",
                field=field,
                fix="mark it available (integrations:available ID --available) or pick "
                "another version",
            )
        return record.integration, record.version

    async def _definition_of(
        self, session: AsyncSession, instance: Instance, *, deployed: bool = False
    ) -> tuple[Integration, IntegrationVersion | None, dict[str, Any]]:
        integration = await session.get(Integration, instance.integration_id)
        assert integration is not None
        version_id = (instance.deployed_version_id if deployed else None) or instance.version_id
        if instance.is_system or version_id is None:
            return integration, None, integration.definition
        version = await session.get(IntegrationVersion, version_id)
        assert version is not None
        return integration, version, version.definition

    async def _running_values(
        self, session: AsyncSession, instance: Instance
    ) -> dict[str, cv_rules.CleanValue]:
        """The values runs use: as of the last deploy (the test instance: the current ones)."""
        current = await self._stored(session, instance.id)
        if instance.is_system or instance.deployed_config is None:
            return current
        snapshot = {
            key: cv_rules.CleanValue(
                item.get("value"),
                item.get("values"),
                item.get("scheduleType"),
                item.get("timeZone"),
            )
            for key, item in instance.deployed_config.items()
        }
        for key, value in current.items():
            # an OAuth authorization takes effect at once, without a redeploy
            token = cv_rules.connection_token(value, self.box)
            if token is not None and key in snapshot:
                snapshot[key] = cv_rules.with_token(snapshot[key], token, self.box)
        return snapshot

    async def _stored(
        self, session: AsyncSession, instance_id: uuid.UUID
    ) -> dict[str, cv_rules.CleanValue]:
        rows = await repo.config_values(session, instance_id)
        return {
            key: value for key, row in rows.items() if (value := _clean_values(row)) is not None
        }

    def _base_url(self, base_url: str | None) -> str:
        return (base_url or self._settings.server.base_url()).rstrip("/")
