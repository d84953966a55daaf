"""Instances: create from an available version, configure, deploy, enable/disable, delete.

An instance is configured for ``version_id`` and runs ``deployed_version_id``; ``needs_deploy``
is true whenever its version or config values changed since the last deploy. Deploy checks that
every config variable has a value (or a default) and gives each flow of the version a flow
config, whose ID is the webhook path and stays the same across redeploys (matched by flow
name). The integration's system instance follows the draft and is never listed with
``isSystem: false``. Webhooks are unauthenticated: ``webhook_target`` takes no actor and
hands the webhook handler what it needs to check and run a call.
"""

from __future__ import annotations

import logging
import secrets as token_source
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.components.registry import Registry
from splice.errors import Conflict, InvalidInput, NotFound
from splice.services import config_values as cv_rules
from splice.services import oauth_code
from splice.services.authz import (
    Actor,
    Permission,
    require,
    require_instance_configurer,
    sees_api_keys,
)
from splice.services.connection_resolver import ConnectionResolver, rotate_scoped_secrets
from splice.services.instance_search import InstanceMatch
from splice.services.integrations import IntegrationService, clean_labels
from splice.services.pagination import Page, PageRequest, fetch_page
from splice.services.records import IntegrationRecord
from splice.services.secrets import MASK, SecretBox
from splice.settings import Settings
from splice.store.db import Database
from splice.store.repositories import instances as repo
from splice.store.repositories import integrations as integration_repo
from splice.store.tables import (
    Customer,
    Instance,
    InstanceConfigValue,
    InstanceFlowConfig,
    Integration,
    IntegrationFlow,
    IntegrationVersion,
)

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
KEYED_SECURITY = ("customer_required",)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstanceFilter:
    """Filters of the instances list (all optional)."""

    customer: str | None = None
    integration: str | None = None
    is_system: bool | None = None
    enabled: bool | None = None
    name_icontains: str | None = None
    needs_deploy: bool | None = None
    labels_contains: str | None = None
    match: InstanceMatch | None = None


@dataclass(frozen=True)
class ConfigVariableView:
    """One config variable of an instance as the API shows it (secrets masked)."""

    id: str
    key: str
    data_type: str
    default_value: str | None
    required_id: str
    value: str | None
    inputs: list[dict[str, str | None]]
    description: str
    is_missing: bool
    authorize_url: str | None = None
    is_authorized: bool = True
    error: str | None = None

    @property
    def status(self) -> str:
        """ERROR when a token request failed; PENDING while a value is missing or a connection
        awaits authorization; else ACTIVE."""
        if self.error is not None:
            return "ERROR"
        return "PENDING" if self.is_missing or not self.is_authorized else "ACTIVE"


@dataclass(frozen=True)
class FlowConfigView:
    """An instance's flow config with the flow it configures."""

    id: uuid.UUID
    instance_id: uuid.UUID
    flow: IntegrationFlow
    record: IntegrationRecord
    api_keys: list[str]

    @property
    def global_id(self) -> str:
        """The flow config's global ID (the path of its webhook URL)."""
        return ids.encode("InstanceFlowConfig", self.id)


@dataclass(frozen=True)
class WebhookTarget:
    """Everything the webhook handler needs about one flow of one instance.

    ``config_vars`` are decrypted with defaults applied (connections as ``{key, configVarKey,
    fields}``); ``api_keys`` are the keys accepted for ``endpoint_security`` (the flow config's,
    or the definition's ``organizationApiKeys`` for ``organization``). Secrets stay out of
    ``repr`` so a logged target leaks nothing.
    """

    organization_id: uuid.UUID
    instance_id: uuid.UUID
    instance_name: str
    enabled: bool
    is_system: bool
    flow_config_id: uuid.UUID
    flow_id: uuid.UUID
    flow_name: str
    flow_definition: dict[str, Any]
    integration_definition: dict[str, Any]
    customer: dict[str, Any]
    integration: dict[str, Any]
    instance: dict[str, Any]
    config_vars: dict[str, Any] = field(repr=False)
    endpoint_security: str
    api_keys: list[str] = field(repr=False)
    webhook_urls: dict[str, str]
    webhook_api_keys: dict[str, list[str]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ScheduledFlow:
    """A deployed flow whose trigger runs on a schedule (what the scheduler fires)."""

    flow_config_id: uuid.UUID
    instance_id: uuid.UUID
    flow_name: str
    cron: str
    time_zone: str

    @property
    def flow_config_global_id(self) -> str:
        """The flow config's global ID (the same as its webhook path)."""
        return ids.encode("InstanceFlowConfig", self.flow_config_id)


def _schedule_of(
    flow_definition: Mapping[str, Any], config_vars: Mapping[str, Any]
) -> tuple[str, str] | None:
    """(cron, time zone) of a flow's trigger schedule, resolving a ``configVar`` schedule."""
    trigger = (flow_definition.get("steps") or [{}])[0]
    schedule = trigger.get("schedule") if isinstance(trigger, dict) else None
    if not isinstance(schedule, dict) or not schedule.get("value"):
        return None
    meta = schedule.get("meta") or {}
    if schedule.get("type") == "configVar":
        value = config_vars.get(str(schedule["value"]))
        if not isinstance(value, dict) or not value.get("value"):
            return None
        if str(value.get("scheduleType") or "").lower() == "none":
            return None
        return str(value["value"]), str(value.get("timeZone") or meta.get("timeZone") or "")
    return str(schedule["value"]), str(meta.get("timeZone") or "")


def _require_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise InvalidInput("name must not be empty", field="name", fix="give the instance a name")
    if len(name) > 200:
        raise InvalidInput("name is longer than 200 characters", field="name")
    return name.strip()


def _clean_values(row: InstanceConfigValue | None) -> cv_rules.CleanValue | None:
    if row is None:
        return None
    return cv_rules.CleanValue(row.value, row.values, row.schedule_type, row.time_zone)


def _flow_definition(definition: Mapping[str, Any], name: str) -> dict[str, Any]:
    return next(
        (dict(f) for f in definition.get("flows") or [] if f.get("name") == name),
        {"name": name, "steps": []},
    )


def _api_keys(actor: Actor, config: InstanceFlowConfig) -> list[str]:
    """A flow config's API keys as ``actor`` may see them (masked for viewers)."""
    keys = [str(key) for key in config.api_keys or []]
    return keys if sees_api_keys(actor) else [MASK for _ in keys]


def new_api_key() -> str:
    """A random API key for a flow that needs one."""
    return token_source.token_urlsafe(24)


class InstanceService:
    """Use cases on instances."""

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
        pk = ids.decode(global_id, "Customer")
        customer = await session.get(Customer, pk)
        if (
            customer is None
            or customer.organization_id != actor.organization_id
            or customer.is_system
            or (actor.is_customer_user and customer.id != actor.customer_id)
        ):
            raise NotFound("customer", global_id, field="customer")
        return customer

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

    # ---- reading -------------------------------------------------------------------------

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

    # ---- webhooks (no actor) -------------------------------------------------------------

    def _base_url(self, base_url: str | None) -> str:
        return (base_url or self._settings.server.base_url()).rstrip("/")

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
                    schedule = _schedule_of(flow_definition, values)
                    if schedule is not None:
                        found.append(
                            ScheduledFlow(
                                config.id, instance.id, flow_definition["name"], *schedule
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

    # ---- OAuth 2.0 authorization code (connections a user authorizes in a browser) --------

    def callback_url(self, base_url: str | None = None) -> str:
        """Where the OAuth provider sends the user back (``/oauth2/callback``)."""
        return oauth_code.callback_url(self._base_url(base_url))

    def authorization_url(
        self, instance_id: uuid.UUID, key: str, fields: Mapping[str, Any]
    ) -> str | None:
        """The provider URL that starts authorizing a connection; ``state`` is sealed."""
        target = {"instance": str(instance_id), "key": key}
        return oauth_code.authorize_url(self.box, self.callback_url(), target, fields)

    async def complete_authorization(self, state: str, code: str) -> str:
        """Exchange an authorization code for a token, store it (encrypted) where ``state`` says.

        No actor: the provider redirects the user's browser here; the sealed ``state`` (valid
        for an hour) names an instance's config variable or a scoped connection's value.
        Returns what was authorized, for the page the user sees.
        """
        data = oauth_code.open_state(self.box, state)
        async with self._db.session() as session:
            if "scoped" in data:
                what = await self.connections.complete_scoped_authorization(
                    session, data, code, self.callback_url(), self.http_transport
                )
                await session.commit()
                return what
            instance = await session.get(Instance, uuid.UUID(data["instance"]))
            if instance is None:
                raise NotFound("instance", data["instance"], field="state")
            _, _, definition = await self._definition_of(session, instance)
            cv = next((c for c in cv_rules.declared(definition) if c["key"] == data["key"]), None)
            if cv is None or not cv_rules.uses_authorization_code(cv, self._registry):
                raise NotFound("OAuth connection", data["key"], field="state")
            rows = await repo.config_values(session, instance.id)
            row = rows.get(data["key"])
            fields = cv_rules.connection_fields(cv, _clean_values(row), self._registry, self.box)
            token = await oauth_code.exchange_code(
                fields, code, self.callback_url(), self.http_transport
            )
            value = cv_rules.with_token(_clean_values(row), token, self.box)
            if row is None:
                row = InstanceConfigValue(instance_id=instance.id, key=data["key"])
                session.add(row)
            row.values = value.values
            row.value = None
            await session.commit()
            return f"the connection '{data['key']}' of instance '{instance.name}'"

    async def _refresh_expiring_tokens(
        self, session: AsyncSession, instance: Instance, definition: Mapping[str, Any]
    ) -> bool:
        """Refresh the instance's OAuth tokens that expire soon, before a run needs them.

        True when a token was replaced (scoped connections' tokens: ``obtain_tokens``).
        """
        rows = await repo.config_values(session, instance.id)
        changed = False
        for cv in cv_rules.declared(definition):
            row = rows.get(cv["key"])
            if row is None:
                continue
            fresh = await oauth_code.refreshed(
                cv, _clean_values(row), self._registry, self.box, self.http_transport
            )
            if fresh is not None:
                row.values = fresh.values
                changed = True
        return changed

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
