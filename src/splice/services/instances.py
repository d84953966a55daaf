"""Instances: create from an available version, configure, deploy, enable/disable, delete.

An instance is configured for ``version_id`` and runs ``deployed_version_id``; ``needs_deploy``
is true whenever its version or config values changed since the last deploy. Deploy checks that
every config variable has a value (or a default) and gives each flow of the version a flow
config, whose ID is the webhook path and stays the same across redeploys (matched by flow
name). The integration's system instance follows the draft and is never listed with
``isSystem: false``. Webhooks are unauthenticated: ``webhook_target`` takes no actor and
hands the webhook handler what it needs to check and run a call.

``InstanceService`` is assembled from parts by responsibility: ``instance_core`` (collaborators,
loading), ``instance_oauth`` (authorization code), ``instance_reads`` (get, search, config
variables, flow configs), ``instance_targets`` (webhook targets, run config, scheduled flows),
``instance_deploy`` (deploy, flow configs, API keys); this module adds creating, updating,
deleting and rotating secrets. The views live in ``instance_views``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.errors import Conflict, InvalidInput
from splice.services import config_values as cv_rules
from splice.services.authz import Actor, Permission, require, require_instance_configurer
from splice.services.connection_resolver import rotate_scoped_secrets
from splice.services.instance_deploy import InstanceDeploy
from splice.services.instance_reads import InstanceReads
from splice.services.instance_targets import InstanceTargets
from splice.services.instance_views import (
    ConfigVariableView,
    FlowConfigView,
    InstanceFilter,
    ScheduledFlow,
    WebhookTarget,
)
from splice.services.integrations import clean_labels
from splice.store.repositories import instances as repo
from splice.store.tables import Instance, InstanceConfigValue, IntegrationVersion

__all__ = [
    "MANAGE_INSTANCES",
    "ConfigVariableView",
    "FlowConfigView",
    "InstanceFilter",
    "InstanceService",
    "ScheduledFlow",
    "WebhookTarget",
]

# Integrators (and above) create instances, as they manage integrations (runtime-semantics §8.1);
# configuring them also admits customer admins (authz.require_instance_configurer).
MANAGE_INSTANCES = Permission.EDIT_INTEGRATIONS
log = logging.getLogger(__name__)


def _require_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise InvalidInput("name must not be empty", field="name", fix="give the instance a name")
    if len(name) > 200:
        raise InvalidInput("name is longer than 200 characters", field="name")
    return name.strip()


class InstanceService(InstanceDeploy, InstanceTargets, InstanceReads):
    """Use cases on instances."""

    # ---- writing -------------------------------------------------------------------------

    async def create(
        self,
        actor: Actor,
        *,
        name: str,
        integration: str,
        customer: str,
        description: str | None = None,
        labels: Sequence[str | None] | None = None,
        config_variables: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> Instance:
        """A new, undeployed instance of an available version for a customer."""
        require(actor, MANAGE_INSTANCES)
        name = _require_name(name)
        async with self._db.session() as session:
            _, version = await self._deployable_version(session, actor, integration)
            target = await self._customer(session, actor, customer)
            instance = await self._insert(
                session,
                actor,
                version,
                target.id,
                name=name,
                description=description,
                labels=labels,
                config_variables=config_variables,
            )
            await session.commit()
            return instance

    async def _insert(
        self,
        session: AsyncSession,
        actor: Actor,
        version: IntegrationVersion,
        customer_id: uuid.UUID,
        *,
        name: str,
        description: str | None = None,
        labels: Sequence[str | None] | None = None,
        config_variables: Sequence[Mapping[str, Any] | None] | None = None,
        from_marketplace: bool = False,
    ) -> Instance:
        instance = Instance(
            organization_id=actor.organization_id,
            integration_id=version.integration_id,
            version_id=version.id,
            customer_id=customer_id,
            name=name,
            description=description or "",
            labels=clean_labels(labels),
            enabled=True,
            needs_deploy=True,
            from_marketplace=from_marketplace,
        )
        session.add(instance)
        await session.flush()
        await self._write_values(session, instance, version.definition, config_variables)
        return instance

    async def activate_from_marketplace(
        self,
        actor: Actor,
        version: IntegrationVersion,
        *,
        name: str,
        config_variables: Sequence[Mapping[str, Any] | None] | None,
    ) -> Instance:
        """Create and deploy an instance for the actor's own customer in one transaction.

        Only ``MarketplaceService`` calls this, after deciding the actor may.
        """
        assert actor.customer_id is not None
        async with self._db.session() as session:
            instance = await self._insert(
                session,
                actor,
                version,
                actor.customer_id,
                name=_require_name(name),
                config_variables=config_variables,
                from_marketplace=True,
            )
            await self._obtain_tokens(session, instance)
            await self._deploy(session, instance, force=False)
            await session.commit()
            return instance

    async def _write_values(
        self,
        session: AsyncSession,
        instance: Instance,
        definition: Mapping[str, Any],
        items: Sequence[Mapping[str, Any] | None] | None,
        *,
        replace: bool = False,
    ) -> bool:
        """Validate and store values; with ``replace`` omitted keys reset. True if any changed."""
        given = cv_rules.parse_inputs(items, definition)
        by_key = {cv["key"]: cv for cv in cv_rules.declared(definition)}
        cleaned = {
            item.key: cv_rules.validate(by_key[item.key], item, self._registry, self.box)
            for item in given
        }
        rows = await repo.config_values(session, instance.id)
        changed = False
        reset = [key for key in rows if key not in by_key or (replace and key not in cleaned)]
        for key, value in cleaned.items():
            if value is None:
                if key in rows:
                    reset.append(key)
                continue
            row = rows.get(key)
            if row is None:
                row = InstanceConfigValue(instance_id=instance.id, key=key)
                session.add(row)
            row.value = value.value
            row.values = value.values
            row.schedule_type = value.schedule_type
            row.time_zone = value.time_zone
            changed = True
        if reset:
            await repo.delete_config_values(session, instance.id, reset)
            changed = True
        await session.flush()
        return changed

    async def set_test_config_values(
        self, actor: Actor, integration_id: str, values: Sequence[Mapping[str, Any] | None]
    ) -> Instance:
        """Set the config values test runs of an integration's draft use (its test instance)."""
        record = await self._integrations.get(actor, integration_id)
        instance = await self._integrations.system_instance(actor, record)
        return await self.update(
            actor, ids.encode("Instance", instance.id), config_variables=values
        )

    async def update(
        self,
        actor: Actor,
        global_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        labels: Sequence[str | None] | None = None,
        integration: str | None = None,
        enabled: bool | None = None,
        config_variables: Sequence[Mapping[str, Any] | None] | None = None,
        flow_configs: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> Instance:
        """Change an instance; a new version or new config values set needsDeploy.

        ``config_variables`` replaces all values (omitted ones fall back to their defaults).
        """
        given = {
            "name": name,
            "description": description,
            "labels": labels,
            "integration": integration,
            "enabled": enabled,
            "configVariables": config_variables,
            "flowConfigs": flow_configs,
        }
        require_instance_configurer(actor, changes=[k for k, v in given.items() if v is not None])
        async with self._db.session() as session:
            instance = await self._load(session, actor, global_id)
            if name is not None:
                instance.name = _require_name(name)
            if description is not None:
                instance.description = description
            if labels is not None:
                instance.labels = clean_labels(labels)
            if enabled is not None:
                if enabled and not instance.enabled:
                    instance.enabled_at = clock.now()  # no schedule tick from the pause runs
                instance.enabled = enabled
            if integration:
                await self._change_version(session, actor, instance, integration)
            if config_variables is not None:
                _, _, definition = await self._definition_of(session, instance)
                if await self._write_values(
                    session, instance, definition, config_variables, replace=True
                ):
                    instance.needs_deploy = not instance.is_system
            if flow_configs is not None:
                await self._set_api_keys(session, instance, flow_configs)
            await session.commit()
            return instance

    async def set_config_values(
        self, actor: Actor, global_id: str, items: Sequence[Mapping[str, Any] | None]
    ) -> Instance:
        """Change only the given config values (an empty value resets one to its default)."""
        require_instance_configurer(actor, changes=["configVariables"])
        async with self._db.session() as session:
            instance = await self._load(session, actor, global_id)
            _, _, definition = await self._definition_of(session, instance)
            if await self._write_values(session, instance, definition, items):
                instance.needs_deploy = not instance.is_system
            await session.commit()
            return instance

    async def _change_version(
        self, session: AsyncSession, actor: Actor, instance: Instance, global_id: str
    ) -> None:
        if instance.is_system:
            raise Conflict(
                "the test instance always runs the draft",
                field="integration",
                fix="publish the draft and deploy a customer instance instead",
            )
        owner, version = await self._deployable_version(session, actor, global_id)
        if owner.id != instance.integration_id:
            raise InvalidInput(
                "the version belongs to another integration",
                field="integration",
                fix="pick a version of the instance's own integration",
            )
        if version.id != instance.version_id:
            instance.version_id = version.id
            instance.needs_deploy = True
            rows = await repo.config_values(session, instance.id)
            keys = {cv["key"] for cv in cv_rules.declared(version.definition)}
            await repo.delete_config_values(
                session, instance.id, [k for k in rows if k not in keys]
            )

    async def delete(self, actor: Actor, global_id: str) -> Instance:
        """Delete an instance with its config values, flow configs and executions."""
        require_instance_configurer(actor)
        async with self._db.session() as session:
            instance = await self._load(session, actor, global_id)
            if instance.is_system:
                raise Conflict(
                    "an integration's test instance cannot be deleted on its own",
                    fix="delete the integration instead",
                )
        if self.lifecycle is not None and instance.deployed_at is not None:
            await self.lifecycle(instance.id, "instanceRemove")
        async with self._db.session() as session:
            instance = await self._load(session, actor, global_id)
            await session.delete(instance)
            await session.commit()
            return instance

    async def rotate_secrets(self, actor: Actor) -> int:
        """Re-encrypt every stored secret with the first key; returns how many were rewritten."""
        require(actor, Permission.MANAGE_ORGANIZATION)
        count = 0
        async with self._db.session() as session:
            rows = (
                await session.execute(
                    select(InstanceConfigValue)
                    .join(Instance, Instance.id == InstanceConfigValue.instance_id)
                    .where(Instance.organization_id == actor.organization_id)
                )
            ).scalars()
            for row in rows:
                if row.value is not None and self.box.is_encrypted(row.value):
                    row.value = self.box.rotate(row.value)
                    count += 1
                if row.values:
                    row.values = [
                        {**item, "value": self.box.rotate(item.get("value"))} for item in row.values
                    ]
                    count += 1
            instances = (
                await session.execute(
                    select(Instance).where(
                        Instance.organization_id == actor.organization_id,
                        Instance.deployed_config.is_not(None),
                    )
                )
            ).scalars()
            for instance in instances:
                instance.deployed_config = {
                    key: self._rotate_item(item)
                    for key, item in (instance.deployed_config or {}).items()
                }
                count += 1
            count += await rotate_scoped_secrets(session, actor.organization_id, self.box)
            await session.commit()
        return count

    def _rotate_item(self, item: dict[str, Any]) -> dict[str, Any]:
        value = item.get("value")
        rotated = dict(item)
        if value is not None and self.box.is_encrypted(value):
            rotated["value"] = self.box.rotate(value)
        if item.get("values"):
            rotated["values"] = [
                {**entry, "value": self.box.rotate(entry.get("value"))} for entry in item["values"]
            ]
        return rotated
