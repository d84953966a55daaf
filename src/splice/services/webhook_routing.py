"""Which flow config a webhook URL runs: flow-specific, instance-specific and shared endpoints.

``/trigger/<ID>`` takes three kinds of global ID (runtime-semantics §3.7):

- ``InstanceFlowConfig`` (every endpoint type): that flow of that instance, no lookup at all;
- ``Instance`` (``instance_specific``): ``flowNameField`` picks a flow of the instance;
- ``Integration`` (``shared_instance``, the integration's stable ID): ``externalCustomerIdField``
  picks the customer (by external ID) and with it the customer's deployed, enabled instance,
  then ``flowNameField`` picks the flow.

The fields are read from the raw request, or, with ``preprocessFlowName``, from the result of the
preprocess flow, which runs first as an execution of its own (on the instance; for a shared
endpoint, whose customer is not known yet, on the integration's test instance, as the draft
defines it). A shared endpoint routes by its integration's latest published version. Routing only
chooses the flow config: the API key, the commit and the sync/async answer are those of a
flow-specific call. Like ``webhook_target`` this takes no actor: webhooks are unauthenticated.
A payload over the webhook limit is refused (413) before any routing work: no query, no
preprocess run, no routing error for a request that could never be accepted.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import ids
from splice.definition.routing import (
    FLOW_SPECIFIC,
    INSTANCE_SPECIFIC,
    SHARED_INSTANCE,
    FieldPath,
    field_path,
    lookup,
)
from splice.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, UserError
from splice.services.execution_sink import succeeded_results
from splice.services.executions import ExecutionService, WebhookRequest, parse_body
from splice.store.db import Database
from splice.store.repositories import instances as repo
from splice.store.repositories import integrations as integration_repo
from splice.store.tables import (
    Customer,
    Execution,
    Instance,
    Integration,
    IntegrationVersion,
)

__all__ = ["NoRoute", "Routing", "WebhookRouter", "endpoint_type", "endpoint_url"]

POLL_SECONDS = 0.05


class NoRoute(UserError):
    """The request names a customer, instance or flow that the endpoint cannot route to."""

    status_code = 404


def endpoint_type(definition: Mapping[str, Any]) -> str:
    """The definition's ``endpointType`` (``flow_specific`` when unset)."""
    return str(definition.get("endpointType") or FLOW_SPECIFIC)


def endpoint_url(
    base_url: str, definition: Mapping[str, Any], integration_id: uuid.UUID, instance: Instance
) -> str | None:
    """An instance's one URL: its own (instance_specific), its integration's (shared), or None."""
    kind = endpoint_type(definition)
    if kind == INSTANCE_SPECIFIC and not instance.is_system:
        return f"{base_url}/trigger/{ids.encode('Instance', instance.id)}"
    if kind == SHARED_INSTANCE:
        return shared_url(base_url, definition, integration_id)
    return None


def shared_url(
    base_url: str, definition: Mapping[str, Any], integration_id: uuid.UUID
) -> str | None:
    """The shared endpoint of an integration whose definition is ``shared_instance``, else None."""
    if endpoint_type(definition) != SHARED_INSTANCE:
        return None
    return f"{base_url}/trigger/{ids.encode('Integration', integration_id)}"


@dataclass(frozen=True)
class Routing:
    """An integration's routing settings, read from its stored definition."""

    endpoint_type: str
    flow_name: str | None
    customer_id: str | None
    preprocess_flow: str | None

    @classmethod
    def of(cls, definition: Mapping[str, Any]) -> Routing:
        """The settings of a stored (already validated) definition."""

        def reference(key: str) -> str | None:
            field = definition.get(key)
            value = field.get("value") if isinstance(field, Mapping) else None
            return value if isinstance(value, str) and value else None

        return cls(
            endpoint_type(definition),
            reference("flowNameField"),
            reference("externalCustomerIdField"),
            definition.get("preprocessFlowName") or None,
        )


@dataclass(frozen=True)
class _Source:
    """Where routing values are read: the request, or the preprocess flow's step results."""

    request: dict[str, Any]
    steps: dict[str, Any] | None = None
    last: Any = None
    preprocess_flow: str | None = None
    execution_id: str | None = None

    def value(self, field_name: str, reference: str) -> tuple[str | None, str]:
        """The value a field points at (as text, None when absent) and where it was looked."""
        parsed: FieldPath = field_path(reference)
        if self.steps is None:
            where = f"{parsed.text} of the request"
            found = lookup(self.request, parsed.path)
        else:
            data = self.steps.get(parsed.source or "", self.last)
            where = (
                f"{parsed.text} of the result of preprocess flow '{self.preprocess_flow}' "
                f"(execution {self.execution_id})"
            )
            found = lookup(data, parsed.path)
        if isinstance(found, bool) or not isinstance(found, str | int | float):
            return None, f"{field_name} ({where})"
        text = str(found).strip()
        return (text or None), f"{field_name} ({where})"


class WebhookRouter:
    """Turns the ID of a webhook URL into the global ID of the flow config that runs the call."""

    def __init__(self, db: Database, executions: ExecutionService, *, payload_limit: int) -> None:
        self._db = db
        self._executions = executions
        self._payload_limit = payload_limit

    async def flow_config_for(self, endpoint_id: str, request: WebhookRequest) -> str:
        """The flow config a call to ``/trigger/<endpoint_id>`` runs; flow configs pass through."""
        if len(request.body) > self._payload_limit:
            raise PayloadTooLarge(
                f"the webhook payload is {len(request.body)} bytes; the limit is "
                f"{self._payload_limit} bytes",
                field="body",
                fix="send less data per call, or raise SPLICE_LIMIT_WEBHOOK_PAYLOAD_BYTES",
            )
        kind, pk = ids.decode_any(endpoint_id, "webhook endpoint")
        if kind == "InstanceFlowConfig":
            return endpoint_id
        if kind == "Instance":
            return await self._instance_specific(pk, endpoint_id, request)
        if kind == "Integration":
            return await self._shared(pk, endpoint_id, request)
        raise NotFound(
            "webhook endpoint",
            endpoint_id,
            field="url",
            fix="use a flow config's, an instance's or an integration's webhookUrl",
        )

    # ---- instance_specific ---------------------------------------------------------------

    async def _instance_specific(
        self, pk: uuid.UUID, endpoint_id: str, request: WebhookRequest
    ) -> str:
        async with self._db.session() as session:
            instance = await session.get(Instance, pk)
            if instance is None or instance.is_system:
                raise NotFound(
                    "instance",
                    endpoint_id,
                    field="url",
                    fix="use the instance's webhookUrl; test instances are called through "
                    "their flows' testUrl",
                )
            version = await self._deployed_version(session, instance)
            configs = {
                f.name: c.id for c, f in await repo.flow_configs_with_flows(session, instance)
            }
        routing = Routing.of(version.definition)
        self._expect(routing, INSTANCE_SPECIFIC, f"instance '{instance.name}'")
        self._require_enabled(instance)
        source = await self._source(routing, request, configs, f"instance '{instance.name}'")
        flow_name = self._required(source, "flowNameField", routing.flow_name)
        return self._flow(configs, flow_name, f"instance '{instance.name}'")

    async def _deployed_version(
        self, session: AsyncSession, instance: Instance
    ) -> IntegrationVersion:
        version = (
            await session.get(IntegrationVersion, instance.deployed_version_id)
            if instance.deployed_version_id is not None
            else None
        )
        if version is None:
            raise Conflict(
                f"instance '{instance.name}' has not been deployed",
                field="instance",
                fix="deploy it (instances:deploy) before sending it webhooks",
            )
        return version

    # ---- shared_instance -----------------------------------------------------------------

    async def _shared(self, pk: uuid.UUID, endpoint_id: str, request: WebhookRequest) -> str:
        async with self._db.session() as session:
            integration = await session.get(Integration, pk)
            if integration is None:
                raise NotFound(
                    "integration",
                    endpoint_id,
                    field="url",
                    fix="use the integration's webhookUrl (its shared endpoint)",
                )
            version = (
                await session.execute(
                    select(IntegrationVersion)
                    .where(IntegrationVersion.integration_id == integration.id)
                    .order_by(IntegrationVersion.version_number.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            if version is None:
                raise Conflict(
                    f"integration '{integration.name}' has no published version",
                    field="url",
                    fix="publish it and deploy instances before calling its shared endpoint",
                )
        routing = Routing.of(version.definition)
        what = f"integration '{integration.name}' (version {version.version_number})"
        self._expect(routing, SHARED_INSTANCE, what)
        preprocess_configs: dict[str, uuid.UUID] = {}
        if routing.preprocess_flow:
            preprocess_configs = await self._test_instance_configs(integration.id)
        source = await self._source(routing, request, preprocess_configs, "the test instance")
        external_id = self._required(source, "externalCustomerIdField", routing.customer_id)
        flow_name = self._required(source, "flowNameField", routing.flow_name)
        instance, configs = await self._customer_instance(integration, external_id)
        return self._flow(configs, flow_name, f"instance '{instance.name}'")

    async def _test_instance_configs(self, integration_id: uuid.UUID) -> dict[str, uuid.UUID]:
        async with self._db.session() as session:
            integration = await session.get(Integration, integration_id)
            assert integration is not None
            system = await integration_repo.ensure_system_instance(session, integration)
            pairs = await repo.flow_configs_with_flows(session, system)
            await session.commit()
        return {f.name: c.id for c, f in pairs}

    async def _customer_instance(
        self, integration: Integration, external_id: str
    ) -> tuple[Instance, dict[str, uuid.UUID]]:
        async with self._db.session() as session:
            customer = (
                await session.execute(
                    select(Customer).where(
                        Customer.organization_id == integration.organization_id,
                        Customer.external_id == external_id,
                    )
                )
            ).scalar_one_or_none()
            if customer is None:
                raise NoRoute(
                    f"no customer has the external ID '{external_id}'",
                    field="externalCustomerIdField",
                    fix="set that external ID on the customer (customers:update --external-id), "
                    "or send a known customer's external ID",
                )
            instances = list(
                (
                    await session.execute(
                        select(Instance)
                        .where(
                            Instance.integration_id == integration.id,
                            Instance.customer_id == customer.id,
                            Instance.is_system.is_(False),
                            Instance.deployed_version_id.is_not(None),
                        )
                        .order_by(Instance.name)
                    )
                ).scalars()
            )
            if not instances:
                raise NoRoute(
                    f"customer '{customer.name}' (external ID '{external_id}') has no deployed "
                    f"instance of integration '{integration.name}'",
                    field="externalCustomerIdField",
                    fix="create and deploy an instance of it for that customer",
                )
            enabled = [i for i in instances if i.enabled]
            if not enabled:
                self._require_enabled(instances[0])
            if len(enabled) > 1:
                raise Conflict(
                    f"customer '{customer.name}' has {len(enabled)} enabled instances of "
                    f"integration '{integration.name}' ("
                    + ", ".join(repr(i.name) for i in enabled)
                    + "); a shared endpoint routes to one",
                    field="externalCustomerIdField",
                    fix="disable all but one of them",
                )
            instance = enabled[0]
            pairs = await repo.flow_configs_with_flows(session, instance)
        return instance, {f.name: c.id for c, f in pairs}

    # ---- common --------------------------------------------------------------------------

    @staticmethod
    def _expect(routing: Routing, wanted: str, what: str) -> None:
        if routing.endpoint_type == wanted:
            return
        urls = {
            FLOW_SPECIFIC: "each flow's own URL (the instance flow configs' webhookUrl)",
            INSTANCE_SPECIFIC: "the instance's webhookUrl",
            SHARED_INSTANCE: "the integration's shared webhookUrl",
        }
        raise NoRoute(
            f"{what} uses {routing.endpoint_type} endpoints, not {wanted}",
            field="url",
            fix="call " + urls.get(routing.endpoint_type, "a flow config's webhookUrl"),
        )

    @staticmethod
    def _require_enabled(instance: Instance) -> None:
        if not instance.enabled:
            raise Conflict(
                f"instance '{instance.name}' is disabled",
                field="instance",
                fix="enable the instance to receive webhooks",
            )

    @staticmethod
    def _required(source: _Source, field_name: str, reference: str | None) -> str:
        if reference is None:
            raise Conflict(
                f"the integration's definition has no {field_name}",
                field=field_name,
                fix=f"set {field_name} in the definition, publish and redeploy",
            )
        value, where = source.value(field_name, reference)
        if value is None:
            raise InvalidInput(
                f"the request carries no value at {where}",
                field=field_name,
                fix="send it there (a text value)",
            )
        return value

    @staticmethod
    def _flow(configs: Mapping[str, uuid.UUID], flow_name: str, what: str) -> str:
        config_id = configs.get(flow_name)
        if config_id is None:
            raise NoRoute(
                f"{what} has no flow named '{flow_name}'",
                field="flowNameField",
                fix="send one of these flow names: " + ", ".join(repr(n) for n in sorted(configs)),
            )
        return ids.encode("InstanceFlowConfig", config_id)

    async def _source(
        self,
        routing: Routing,
        request: WebhookRequest,
        configs: Mapping[str, uuid.UUID],
        where: str,
    ) -> _Source:
        payload = {
            "headers": dict(request.headers),
            "queryParameters": dict(request.query),
            "body": {
                "data": parse_body(request.body, request.content_type),
                "contentType": request.content_type,
            },
            "rawBody": {"data": request.body.decode("utf-8", "replace")},
            "pathFragment": request.path_fragment,
        }
        if not routing.preprocess_flow:
            return _Source(payload)
        config_id = configs.get(routing.preprocess_flow)
        if config_id is None:
            raise Conflict(
                f"{where} has no preprocess flow '{routing.preprocess_flow}'",
                field="preprocessFlowName",
                fix="add the flow (and publish and deploy), or correct preprocessFlowName",
            )
        return await self._preprocess(routing.preprocess_flow, config_id, request, payload)

    async def _preprocess(
        self,
        flow_name: str,
        config_id: uuid.UUID,
        request: WebhookRequest,
        payload: dict[str, Any],
    ) -> _Source:
        """Run the preprocess flow to its end as an execution of its own; read its results."""
        accepted = await self._executions.accept_webhook(
            ids.encode("InstanceFlowConfig", config_id), request
        )
        worker = f"preprocess-{uuid.uuid4().hex[:8]}"
        finished = await self._executions.run(accepted.execution_id, worker=worker)
        while finished is None or finished.ended_at is None:
            # the sweeper claimed it first: wait for its end state
            await asyncio.sleep(POLL_SECONDS)
            finished = await self._executions.get_unchecked(accepted.execution_id)
        if finished.status == "failed":
            raise InvalidInput(
                f"preprocess flow '{flow_name}' failed: {finished.error or 'no error recorded'}",
                field="preprocessFlowName",
                fix=f"see its execution {accepted.global_id}, fix the flow or the request",
            )
        steps, last = await self._step_results(finished)
        return _Source(payload, steps, last, flow_name, accepted.global_id)

    async def _step_results(self, execution: Execution) -> tuple[dict[str, Any], Any]:
        """Top-level step results by step key, and the last one's."""
        results: dict[str, Any] = {}
        last: Any = None
        for step, data in await succeeded_results(self._db, execution.id):
            if step.step_path == step.step_key:
                results[step.step_key] = last = data
        return results, last
