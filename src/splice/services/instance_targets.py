"""What runs see (no actor): webhook targets, the run config resolution path, scheduled flows
and webhook URLs. They serve unauthenticated webhooks and the scheduler and must never be
exposed to API callers directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.errors import NotFound
from splice.services import config_values as cv_rules
from splice.services.instance_core import _flow_definition
from splice.services.instance_oauth import InstanceOAuth
from splice.services.instance_views import ScheduledFlow, WebhookTarget
from splice.services.schedules import schedule_of
from splice.store.repositories import instances as repo
from splice.store.tables import Customer, Instance, InstanceFlowConfig, IntegrationFlow

__all__ = ["InstanceTargets"]


class InstanceTargets(InstanceOAuth):
    """Webhooks and the scheduler (no actor)."""

    async def webhook_target(
        self, flow_config_global_id: str, *, base_url: str | None = None
    ) -> WebhookTarget:
        """What a call to ``/trigger/<flow config ID>`` runs; NotFound for unknown IDs."""
        pk = ids.decode(flow_config_global_id, "InstanceFlowConfig")
        async with self._db.session() as session:
            config = await session.get(InstanceFlowConfig, pk)
            instance = await session.get(Instance, config.instance_id) if config else None
            flow = await session.get(IntegrationFlow, config.flow_id) if config else None
            if config is None or instance is None or flow is None:
                raise NotFound("flow", flow_config_global_id, field="flowConfig")
            integration, version, definition = await self._definition_of(
                session, instance, deployed=True
            )
            customer = await session.get(Customer, instance.customer_id)
            assert customer is not None
            config_vars = await self.run_config(session, instance, definition, deployed=True)
            pairs = await repo.flow_configs_with_flows(session, instance)
        base = self._base_url(base_url)
        flow_definition = _flow_definition(definition, flow.name)
        security = str(flow_definition.get("endpointSecurityType") or "customer_optional")
        keys = list(config.api_keys or [])
        if security == "organization":
            keys = [str(k) for k in flow_definition.get("organizationApiKeys") or []]
        return WebhookTarget(
            organization_id=instance.organization_id,
            instance_id=instance.id,
            instance_name=instance.name,
            enabled=instance.enabled,
            active_since=max(
                (at for at in (instance.deployed_at, instance.enabled_at) if at is not None),
                default=None,
            ),
            is_system=instance.is_system,
            flow_config_id=config.id,
            flow_id=flow.id,
            flow_name=flow.name,
            flow_definition=flow_definition,
            integration_definition=dict(definition),
            customer={
                "id": ids.encode("Customer", customer.id),
                "name": customer.name,
                "externalId": customer.external_id,
            },
            integration={
                "id": ids.encode("Integration", version.id if version else integration.id),
                "name": version.name if version else integration.name,
                "versionSequenceId": ids.encode("Integration", integration.id),
                "versionNumber": version.version_number if version else 0,
                "externalVersion": "",
            },
            instance={"id": ids.encode("Instance", instance.id), "name": instance.name},
            config_vars=config_vars,
            endpoint_security=security,
            api_keys=keys,
            webhook_urls={
                f.name: f"{base}/trigger/{ids.encode('InstanceFlowConfig', c.id)}" for c, f in pairs
            },
            webhook_api_keys={f.name: list(c.api_keys or []) for c, f in pairs},
        )

    async def run_config(
        self,
        session: AsyncSession,
        instance: Instance,
        definition: Mapping[str, Any],
        *,
        deployed: bool,
        overlay: Mapping[str, cv_rules.CleanValue | None] | None = None,
    ) -> dict[str, Any]:
        """``configVars`` as runs and data sources see them (the one resolution path).

        Expiring OAuth tokens are refreshed and missing client-credentials tokens obtained (and
        committed), scoped connections are resolved (the test instance gets their test values),
        then values are decrypted and typed. ``deployed`` reads the values of the last deploy,
        else the current ones; ``overlay`` replaces values for this call only (None resets one).
        """
        refreshed = await self._refresh_expiring_tokens(session, instance, definition)
        obtained = await self.connections.obtain_tokens(
            session, instance, definition, self.http_transport
        )
        if refreshed or obtained:
            await session.commit()
        if deployed:
            stored = await self._running_values(session, instance)
        else:
            stored = await self._stored(session, instance.id)
        for key, value in (overlay or {}).items():
            if value is None:
                stored.pop(key, None)
            else:
                stored[key] = value
        resolved = await self.connections.resolve(session, instance, definition, stored)
        return cv_rules.runtime_values(
            resolved.definition, resolved.stored, self._registry, self.box
        )

    async def scheduled_flows(self) -> list[ScheduledFlow]:
        """Every scheduled flow of every enabled, deployed customer instance (no actor: the
        scheduler runs for the whole server)."""
        found: list[ScheduledFlow] = []
        async with self._db.session() as session:
            instances = (
                await session.execute(
                    select(Instance).where(
                        Instance.enabled.is_(True),
                        Instance.is_system.is_(False),
                        Instance.deployed_version_id.is_not(None),
                    )
                )
            ).scalars()
            for instance in list(instances):
                _, _, definition = await self._definition_of(session, instance, deployed=True)
                flows = [
                    (config, _flow_definition(definition, flow.name))
                    for config, flow in await repo.flow_configs_with_flows(session, instance)
                ]
                if not any((f.get("steps") or [{}])[0].get("schedule") for _, f in flows):
                    continue
                stored = await self._running_values(session, instance)
                values = cv_rules.runtime_values(definition, stored, self._registry, self.box)
                for config, flow_definition in flows:
                    # the scheduler's own reading of the schedule (schedules.schedule_of)
                    schedule = schedule_of(flow_definition, values)
                    if schedule is not None:
                        found.append(
                            ScheduledFlow(
                                config.id,
                                instance.id,
                                flow_definition["name"],
                                schedule.cron,
                                schedule.time_zone,
                            )
                        )
        return found

    async def instance_webhook_urls(
        self, instance_id: uuid.UUID, *, base_url: str | None = None
    ) -> dict[str, str]:
        """Flow name -> webhook URL for every flow config of an instance."""
        base = self._base_url(base_url)
        async with self._db.session() as session:
            instance = await session.get(Instance, instance_id)
            if instance is None:
                raise NotFound("instance", str(instance_id))
            pairs = await repo.flow_configs_with_flows(session, instance)
        return {
            f.name: f"{base}/trigger/{ids.encode('InstanceFlowConfig', c.id)}" for c, f in pairs
        }
