"""Deploying instances: config values checked, tokens obtained, a flow config (the webhook
path, kept across redeploys) and API keys for every flow, the config values snapshotted.
"""

from __future__ import annotations

import secrets as token_source
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.errors import Conflict, NotFound
from splice.services import config_values as cv_rules
from splice.services.authz import Actor, require_instance_configurer
from splice.services.instance_core import InstanceCore, _flow_definition
from splice.store.repositories import instances as repo
from splice.store.tables import Instance, InstanceFlowConfig, IntegrationFlow

__all__ = ["KEYED_SECURITY", "InstanceDeploy", "new_api_key"]

KEYED_SECURITY = ("customer_required",)


def new_api_key() -> str:
    """A random API key for a flow that needs one."""
    return token_source.token_urlsafe(24)


class InstanceDeploy(InstanceCore):
    """Deploy, and the flow configs and API keys it gives an instance."""

    async def _set_api_keys(
        self, session: AsyncSession, instance: Instance, items: Sequence[Mapping[str, Any] | None]
    ) -> None:
        pairs = await repo.flow_configs_with_flows(session, instance)
        by_name = {flow.name: config for config, flow in pairs}
        for item in items:
            if not item:
                continue
            flow_id = str(item.get("flowId") or "")
            flow = await session.get(IntegrationFlow, ids.decode(flow_id, "IntegrationFlow"))
            config = by_name.get(flow.name) if flow is not None else None
            if flow is None or flow.integration_id != instance.integration_id or config is None:
                raise NotFound(
                    "flow config of this instance",
                    flow_id,
                    field="flowConfigs",
                    fix="deploy the instance first, then pass one of its flows' IDs",
                )
            if item.get("apiKeys") is not None:
                config.api_keys = [str(k) for k in item["apiKeys"] if k]

    async def deploy(self, actor: Actor, global_id: str, *, force: bool = False) -> Instance:
        """Check config values, give every flow a flow config, run the configured version."""
        require_instance_configurer(actor)
        async with self._db.session() as session:
            instance = await self._load(session, actor, global_id)
            if await self._obtain_tokens(session, instance):
                await session.commit()  # a token, or why it was refused, outlives a refused deploy
            await self._deploy(session, instance, force=force)
            await session.commit()
        if self.lifecycle is not None:
            await self.lifecycle(instance.id, "instanceDeploy")
        return instance

    async def _obtain_tokens(self, session: AsyncSession, instance: Instance) -> bool:
        """Request the client-credentials tokens the configured version's connections lack."""
        if instance.is_system:
            return False
        _, _, definition = await self._definition_of(session, instance)
        return await self.connections.obtain_tokens(
            session, instance, definition, self.http_transport
        )

    async def _deploy(self, session: AsyncSession, instance: Instance, *, force: bool) -> None:
        if instance.is_system:
            raise Conflict(
                "the test instance runs the draft and is never deployed",
                fix="deploy a customer instance of a published version",
            )
        integration, version, definition = await self._definition_of(session, instance)
        assert version is not None
        stored = await self._stored(session, instance.id)
        if not force:
            resolved = await self.connections.resolve(session, instance, definition, stored)
            missing = cv_rules.missing_keys(
                resolved.definition, resolved.stored, self._registry, self.box
            )
            problem = resolved.deploy_problem(missing, self.box)
            if problem is not None:
                raise problem
        flows = await repo.version_flows(session, integration.id, version.id)
        pairs = await repo.flow_configs_with_flows(session, instance)
        existing = {flow.name: config for config, flow in pairs}
        for flow in flows:
            flow_definition = _flow_definition(definition, flow.name)
            security = flow_definition.get("endpointSecurityType") or "customer_optional"
            config = existing.pop(flow.name, None)
            if config is None:
                config = InstanceFlowConfig(instance_id=instance.id, flow_id=flow.id, api_keys=[])
                session.add(config)
            config.flow_id = flow.id
            if security in KEYED_SECURITY and not config.api_keys:
                config.api_keys = [new_api_key()]
        for stale in existing.values():
            await session.delete(stale)
        instance.deployed_version_id = version.id
        instance.deployed_config = {
            key: {
                "value": value.value,
                "values": value.values,
                "scheduleType": value.schedule_type,
                "timeZone": value.time_zone,
            }
            for key, value in stored.items()
        }
        instance.deployed_at = clock.now()
        instance.needs_deploy = False
        await session.flush()
