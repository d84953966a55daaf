"""Accepting executions: webhooks (checked, then committed before the caller is answered,
already claimed when the caller runs a synchronous one itself) and the instance lifecycle
(deploy and remove flows, recursive flows with ``runOnDeploy``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, or_, select

from splice import clock, ids
from splice.components.inputs import InputValueError
from splice.engine import WebhookResponse, webhook_trigger_response
from splice.engine.response import response_problem
from splice.errors import Conflict, NotAuthenticated, PayloadTooLarge
from splice.services.execution_core import (
    Accepted,
    WebhookRequest,
    WorkerReservations,
    _header,
    insert_execution,
    new_execution,
)
from splice.services.execution_queue import queue_policy
from splice.services.execution_run import ExecutionRun
from splice.store.raw_rows import RowWriter
from splice.store.tables import Execution, Instance, InstanceFlowConfig, IntegrationFlow

__all__ = ["ExecutionAccept"]

_RESPONSE_INPUTS = ("statusCode", "contentType", "headers", "body")


class ExecutionAccept(ExecutionRun):
    """Webhooks and lifecycle triggers: the ways an execution comes in from outside."""

    # ---- accepting -----------------------------------------------------------------------

    async def accept_webhook(
        self,
        flow_config_id: str,
        request: WebhookRequest,
        *,
        is_test: bool = False,
        claim_if_sync: str | None = None,
        workers: WorkerReservations | None = None,
    ) -> Accepted:
        """Check the target and credentials, then commit the execution row with its payload."""
        limit = self._settings.limits.webhook_payload_bytes
        if len(request.body) > limit:
            raise PayloadTooLarge(
                f"the webhook payload is {len(request.body)} bytes; the limit is {limit} bytes",
                field="body",
                fix="send less data per call, or raise SPLICE_LIMIT_WEBHOOK_PAYLOAD_BYTES",
            )
        target = await self._targets.get(flow_config_id)
        if not target.enabled:
            raise Conflict(
                f"instance '{target.instance['name']}' is disabled",
                fix="enable the instance to receive webhooks",
            )
        self._check_api_key(target, request)
        synchronous = bool(target.flow_definition.get("isSynchronous")) or request.wants_sync
        execution = new_execution(
            organization_id=target.organization_id,
            instance_id=target.instance_id,
            flow_config_id=target.flow_config_id,
            flow_id=target.flow_id,
            flow_name=target.flow_name,
            is_test=is_test or target.is_system,
            is_synchronous=synchronous,
            trigger_kind="webhook",
            payload=request.body,
            payload_content_type=request.content_type,
            request={
                "method": request.method,
                "url": request.url,
                "headers": dict(request.headers),
                "query": dict(request.query),
                "pathFragment": request.path_fragment,
            },
        )
        policy = queue_policy(target.flow_definition)
        if policy is not None:
            # a queued flow is asynchronous: the queue decides when it starts (spec 2.7)
            synchronous = execution.is_synchronous = False
            execution.status = "queued"
            execution.queue_limit = policy.limit
            execution.id = ids.new_uuid()
            execution.dedupe_id = policy.dedupe_id(self.trigger_payload(execution, target))
        elif synchronous and claim_if_sync:
            # the caller runs it right away, claimed; the row is written by the run itself, with
            # its first results (after StoreSink.flush_every) or with its end: nobody has been
            # answered yet, so a crash before then loses nothing that was acknowledged (ADR 0007)
            self._claim_for(execution, claim_if_sync)

        elif not synchronous and workers is not None:
            # an idle in-process worker takes it at once: commit it claimed for that worker, and
            # the worker need not write the claim (its own transaction) before running it
            owner = workers.reserve()
            if owner is not None:
                self._claim_for(execution, owner)

        # worked out before the commit: nothing may fail between the commit and the answer
        response = None if synchronous else self._async_response(target, execution)

        async def insert(writer: RowWriter) -> None:
            await insert_execution(writer, execution)  # prepared INSERT, no unit of work

        deferred = synchronous and execution.lease_owner is not None  # written by its run
        if not deferred:
            try:
                await self._group.run_rows(insert)  # answered once committed (maybe with others)
            except BaseException:
                if execution.lease_owner is not None and workers is not None:
                    workers.release(execution.lease_owner)
                raise
        if policy is None:
            # the row as committed: a run in this process claims it without reading it back
            # (queued rows are left out: the queue changes them before they run)
            self._accepted_rows.put(execution, written=not deferred)
        if policy is not None:
            # the caller submits this execution itself; a submit before it starts is a no-op
            await self.advance_queue(target.flow_config_id, skip=execution.id, fresh=execution)
        if synchronous:
            return Accepted(execution.id, True)
        return Accepted(execution.id, False, execution.lease_owner, response)

    def _async_response(self, target: Any, execution: Execution) -> WebhookResponse | None:
        """The answer the webhook trigger's response inputs set for an asynchronous caller
        (status, content type, headers, body), or None for the default ``{"executionId"}``.

        Inputs that cannot make a response (a bad status code) give the default here; the
        trigger fails with the same input error when the execution runs, where the builder
        sees it.
        """
        steps = target.flow_definition.get("steps") or []
        inputs = (steps[0].get("inputs") or {}) if steps else {}
        if not any(_is_set(inputs.get(key)) for key in _RESPONSE_INPUTS):
            return None  # the exports write these inputs empty: nothing to work out
        if vars(execution).get("id") is None:  # the default body names the execution
            vars(execution)["id"] = ids.new_uuid()  # a transient row: no attribute event
        try:
            response = webhook_trigger_response(
                self._flow_model(target.flow_definition),
                config_vars=target.config_vars,
                execution_id=ids.encode("InstanceExecutionResult", execution.id),
            )
        except InputValueError:
            return None
        if response is None:
            return None
        if response_problem(response.status_code, response.content_type, response.headers):
            return None
        return response

    def _claim_for(self, execution: Execution, owner: str) -> None:
        """Make a new row claimed by ``owner`` (as a claim would), before it is written."""
        now = clock.now()
        vars(execution).update(  # a transient row: no attribute events needed (new_execution)
            id=ids.new_uuid(),
            created_at=now,
            status="running",
            lease_owner=owner,
            lease_expires_at=now + self._lease,
            started_at=now,
        )

    @staticmethod
    def _check_api_key(target: Any, request: WebhookRequest) -> None:
        security = target.endpoint_security or "customer_optional"
        if security == "unsecured":
            return
        keys = [k for k in target.api_keys if k]
        given = _header(request.headers, "api-key")
        if not keys and security == "customer_optional":
            return
        if not keys:
            raise NotAuthenticated(
                "this flow requires an API key but none is configured",
                fix="set API keys on the instance's flow config",
            )
        if given not in keys:
            raise NotAuthenticated(
                "missing or wrong Api-Key header" if given else "this flow requires an API key",
                fix="send the flow's API key in the 'Api-Key' header",
            )

    async def fire_lifecycle(self, instance_id: uuid.UUID, event: str) -> None:
        """Run the instance's flows triggered by ``management-triggers.<event>``, and on deploy
        the ``recursive-flow`` triggers whose ``runOnDeploy`` is true (they start paging).

        Deploy flows are dispatched like any execution; remove flows run to their end here,
        before the instance (and with it their execution records) is deleted.
        """
        fired_by = and_(
            IntegrationFlow.trigger_component == "management-triggers",
            IntegrationFlow.trigger_action == event,
        )
        if event == "instanceDeploy":
            fired_by = or_(
                fired_by,
                and_(
                    IntegrationFlow.trigger_component == "recursive-flow",
                    IntegrationFlow.trigger_action == "recursiveTrigger",
                ),
            )
        async with self._db.session() as session:
            rows = (
                await session.execute(
                    select(InstanceFlowConfig, IntegrationFlow)
                    .join(IntegrationFlow, IntegrationFlow.id == InstanceFlowConfig.flow_id)
                    .where(InstanceFlowConfig.instance_id == instance_id, fired_by)
                )
            ).all()
            instance = await session.get(Instance, instance_id)
        if instance is None:
            return
        fired = [
            (config, flow)
            for config, flow in rows
            if flow.trigger_component == "management-triggers"
            or await self._runs_on_deploy(config.id)
        ]
        async with self._db.session() as session:
            created = []
            for config, flow in fired:
                execution = Execution(
                    organization_id=instance.organization_id,
                    instance_id=instance_id,
                    flow_config_id=config.id,
                    flow_id=flow.id,
                    flow_name=flow.name,
                    trigger_kind="deploy_flow" if event == "instanceDeploy" else "tear_down_flow",
                    payload=b"",
                    request={"headers": {}, "query": {}},
                )
                session.add(execution)
                created.append(execution)
            await session.commit()
        for execution in created:
            if event == "instanceRemove" or self._submit is None:
                await self.run(execution.id, worker=f"lifecycle-{event}")
            else:
                await self._submit(execution.id)

    async def _runs_on_deploy(self, flow_config_id: uuid.UUID) -> bool:
        """Whether a recursive trigger's ``runOnDeploy`` input (a value or a config variable)
        is true in the deployed definition."""
        target = await self._instances.webhook_target(
            ids.encode("InstanceFlowConfig", flow_config_id)
        )
        trigger = (target.flow_definition.get("steps") or [{}])[0]
        given = (trigger.get("inputs") or {}).get("runOnDeploy") or {}
        value = given.get("value")
        if given.get("type") == "configVar":
            value = target.config_vars.get(value)
        return str(value).strip().lower() == "true"


def _is_set(given: Any) -> bool:
    """Whether a definition input (``{type, value}``) holds anything."""
    return isinstance(given, dict) and given.get("value") not in (None, "", [])
