"""Reading instances: get, search, versions, config variables and state, flow configs."""

from __future__ import annotations

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.errors import NotFound
from splice.services import config_values as cv_rules
from splice.services.authz import (
    Actor,
    Permission,
    require,
    require_instance_configurer,
    sees_api_keys,
)
from splice.services.instance_oauth import InstanceOAuth
from splice.services.instance_views import ConfigVariableView, FlowConfigView, InstanceFilter
from splice.services.pagination import Page, PageRequest, fetch_page
from splice.services.records import IntegrationRecord
from splice.services.secrets import MASK
from splice.store.repositories import instances as repo
from splice.store.repositories import integrations as integration_repo
from splice.store.tables import Instance, InstanceFlowConfig, Integration, IntegrationFlow

__all__ = ["InstanceReads"]


def _api_keys(actor: Actor, config: InstanceFlowConfig) -> list[str]:
    """A flow config's API keys as ``actor`` may see them (masked for viewers)."""
    keys = [str(key) for key in config.api_keys or []]
    return keys if sees_api_keys(actor) else [MASK for _ in keys]


class InstanceReads(InstanceOAuth):
    """Reading instances and their config variables and flow configs."""

    async def get(self, actor: Actor, global_id: str) -> Instance:
        """One instance the actor may see."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            return await self._load(session, actor, global_id)

    async def search(
        self, actor: Actor, filters: InstanceFilter, page: PageRequest
    ) -> Page[Instance]:
        """Instances ordered by name; customer users see only their customer's."""
        require(actor, Permission.READ)
        stmt = select(Instance).where(Instance.organization_id == actor.organization_id)
        async with self._db.session() as session:
            if actor.is_customer_user:
                stmt = stmt.where(
                    Instance.customer_id == actor.customer_id, Instance.is_system.is_(False)
                )
            if filters.customer:
                customer_pk = ids.decode(filters.customer, "Customer")
                stmt = stmt.where(Instance.customer_id == customer_pk)
            if filters.integration:
                record = await self._integrations.load_record(
                    session, actor, filters.integration, field="integration"
                )
                stmt = stmt.where(Instance.integration_id == record.integration.id)
                if record.version is not None:
                    stmt = stmt.where(Instance.version_id == record.version.id)
            if filters.is_system is not None:
                stmt = stmt.where(Instance.is_system.is_(filters.is_system))
            if filters.enabled is not None:
                stmt = stmt.where(Instance.enabled.is_(filters.enabled))
            if filters.name_icontains:
                stmt = stmt.where(Instance.name.ilike(f"%{filters.name_icontains}%"))
            if filters.needs_deploy is not None:  # the test instance never needs a deploy
                wanted = Instance.needs_deploy.is_(True) & Instance.is_system.is_(False)
                stmt = stmt.where(wanted if filters.needs_deploy else ~wanted)
            if filters.labels_contains:
                label = filters.labels_contains.strip().lower().replace('"', "")
                stmt = stmt.where(cast(Instance.labels, String).ilike(f'%"{label}"%'))
            if filters.match is not None:
                stmt = filters.match.apply(stmt)
            limits = self._settings.limits
            return await fetch_page(
                session,
                stmt.order_by(Instance.name, Instance.id),
                page,
                default=limits.page_size,
                maximum=limits.max_page_size,
            )

    async def for_integration(self, actor: Actor, record: IntegrationRecord) -> list[Instance]:
        """The customer instances of an integration (of one version when ``record`` is one)."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            stmt = select(Instance).where(
                Instance.integration_id == record.integration.id,
                Instance.is_system.is_(False),
                Instance.organization_id == actor.organization_id,
            )
            if record.version is not None:
                stmt = stmt.where(Instance.version_id == record.version.id)
            if actor.is_customer_user:
                stmt = stmt.where(Instance.customer_id == actor.customer_id)
            return list((await session.execute(stmt.order_by(Instance.name))).scalars())

    async def version_record(
        self, actor: Actor, instance: Instance, *, deployed: bool = False
    ) -> IntegrationRecord:
        """The integration version the instance is configured for (or runs, with ``deployed``)."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            integration, version, _ = await self._definition_of(
                session, instance, deployed=deployed
            )
            return IntegrationRecord(integration, version)

    async def config_variables(self, actor: Actor, instance: Instance) -> list[ConfigVariableView]:
        """Every config variable of the instance's version with its value (secrets masked)."""
        require(actor, Permission.READ)
        reveal = not actor.is_customer_user and actor.role != "viewer"
        async with self._db.session() as session:
            integration, version, definition = await self._definition_of(session, instance)
            resolved = await self.connections.resolve(
                session, instance, definition, await self._stored(session, instance.id)
            )
        definition, stored = resolved.definition, resolved.stored
        owner_id = version.id if version else integration.id
        missing = set(cv_rules.missing_keys(definition, stored, self._registry, self.box))
        missing |= set(resolved.problems)
        views: list[ConfigVariableView] = []
        for cv in cv_rules.declared(definition):
            key = cv["key"]
            shown = cv_rules.display_value(
                cv, stored.get(key), self._registry, self.box, reveal=reveal
            )
            if actor.is_customer_user and resolved.hidden_from_customers(key):
                shown = cv_rules.DisplayValue(None, [])
            data_type = str(cv.get("dataType") or "string")
            default = cv.get("defaultValue")
            authorize_url, authorized = None, True
            if cv_rules.uses_authorization_code(cv, self._registry):
                # a scoped connection is authorized through its own authorizeUrl
                value = stored.get(key)
                authorized = cv_rules.connection_token(value, self.box) is not None
                if key not in resolved.scoped:
                    fields = cv_rules.connection_fields(cv, value, self._registry, self.box)
                    authorize_url = self.authorization_url(instance.id, key, fields)
            views.append(
                ConfigVariableView(
                    id=ids.encode("InstanceConfigVariable", cv_rules.variable_id(instance.id, key)),
                    key=key,
                    data_type=data_type.upper(),
                    default_value=None
                    if data_type == "connection" or default is None
                    else str(default),
                    required_id=ids.encode(
                        "RequiredConfigVariable", cv_rules.required_variable_id(owner_id, key)
                    ),
                    value=shown.value,
                    inputs=shown.inputs,
                    description=str(cv.get("description") or ""),
                    is_missing=key in missing,
                    authorize_url=authorize_url,
                    is_authorized=authorized,
                    error=cv_rules.connection_error(stored.get(key), self.box),
                )
            )
        return views

    async def config_state(self, actor: Actor, instance: Instance) -> str:
        """FULLY_CONFIGURED, or NEEDS_INSTANCE_CONFIGURATION while a value is missing.

        The test instance always reports FULLY_CONFIGURED: prism's ``flows:test`` stops
        without running anything otherwise, and test runs use the draft's defaults.
        """
        if instance.is_system:
            require(actor, Permission.READ)
            return "FULLY_CONFIGURED"
        views = await self.config_variables(actor, instance)
        missing = any(view.is_missing for view in views)
        return "NEEDS_INSTANCE_CONFIGURATION" if missing else "FULLY_CONFIGURED"

    async def flow_configs(self, actor: Actor, instance: Instance) -> list[FlowConfigView]:
        """The instance's flow configs (one per flow of the deployed version)."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            if instance.is_system:
                integration = await session.get(Integration, instance.integration_id)
                assert integration is not None
                await integration_repo.ensure_system_instance(session, integration)
                await session.commit()
            integration, version, _ = await self._definition_of(session, instance, deployed=True)
            record = IntegrationRecord(integration, version)
            pairs = await repo.flow_configs_with_flows(session, instance)
            return [
                FlowConfigView(config.id, instance.id, flow, record, _api_keys(actor, config))
                for config, flow in pairs
            ]

    async def _flow_config_row(
        self, session: AsyncSession, actor: Actor, global_id: str
    ) -> tuple[InstanceFlowConfig, Instance]:
        pk = ids.decode(global_id, "InstanceFlowConfig")
        config = await session.get(InstanceFlowConfig, pk)
        instance = await session.get(Instance, config.instance_id) if config else None
        if config is None or instance is None or not self._visible(actor, instance):
            raise NotFound("instance flow config", global_id)
        return config, instance

    async def flow_config(self, actor: Actor, global_id: str) -> FlowConfigView:
        """One flow config the actor may see."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            config, instance = await self._flow_config_row(session, actor, global_id)
            flow = await session.get(IntegrationFlow, config.flow_id)
            assert flow is not None
            integration, version, _ = await self._definition_of(session, instance, deployed=True)
            return FlowConfigView(
                config.id,
                instance.id,
                flow,
                IntegrationRecord(integration, version),
                _api_keys(actor, config),
            )

    async def require_flow_config(self, actor: Actor, global_id: str) -> None:
        """Raise unless the actor may run tests on this flow config."""
        require_instance_configurer(actor)
        async with self._db.session() as session:
            await self._flow_config_row(session, actor, global_id)
