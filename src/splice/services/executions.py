"""Executions: accept a trigger (commit first), run it under a lease, record, query, replay.

Nothing accepted is lost: ``accept_webhook`` commits the execution row with its payload before
the caller answers; ``run`` claims a row with a lease, so a row whose worker died is claimed
again once its lease expires (``reclaimable``) and an already-finished row is never run twice.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.components.registry import Registry
from splice.definition import Flow, from_data
from splice.engine import ExecutionResult, LogEntry, RunContext, run_flow
from splice.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PayloadTooLarge
from splice.services.authz import Actor, Permission, require, require_queue_admin
from splice.services.execution_queue import (
    END_MARKER,
    ExecutionQueue,
    queue_policy,
    sibling_queue_policy,
)
from splice.services.execution_sink import StoreSink
from splice.services.execution_state import StoreState
from splice.services.group_commit import GroupCommit
from splice.services.target_cache import TargetCache
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import (
    Execution,
    ExecutionStep,
    Instance,
    InstanceFlowConfig,
    IntegrationFlow,
)

__all__ = ["END_MARKER", "Accepted", "ExecutionService", "WebhookRequest"]

HANDOFF_LIMIT = 1000
FLOW_CACHE_LIMIT = 256
MAX_RETRY_DELAY = timedelta(hours=24)


@dataclass(frozen=True)
class WebhookRequest:
    """What arrived at a webhook URL."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    path_fragment: str = ""

    @property
    def content_type(self) -> str:
        """The request's content type (without parameters)."""
        return _header(self.headers, "content-type").split(";")[0].strip()

    @property
    def wants_sync(self) -> bool:
        """True when the caller asked for a synchronous answer."""
        return _header(self.headers, "prismatic-synchronous").lower() == "true"


@dataclass(frozen=True)
class Accepted:
    """A committed execution: its ID and whether the caller waits for the result."""

    execution_id: uuid.UUID
    synchronous: bool
    global_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "global_id", ids.encode("InstanceExecutionResult", self.execution_id)
        )


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def parse_body(body: bytes, content_type: str) -> Any:
    """``body.data``: JSON parsed, text decoded, anything else left as bytes."""
    if not body:
        return None
    if content_type.endswith("json"):
        try:
            return json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace")
    if content_type.startswith("text/") or content_type in (
        "application/xml",
        "application/x-www-form-urlencoded",
        "",
    ):
        return body.decode("utf-8", "replace")
    return body


class ExecutionService:
    """Use cases on executions; the webhook handler, dispatchers and GraphQL all come here."""

    def __init__(
        self, settings: Settings, db: Database, registry: Registry, instances: Any
    ) -> None:
        self._settings = settings
        self._db = db
        self._registry = registry
        self._instances = instances
        self._lease = timedelta(seconds=settings.runtime.lease_seconds)
        self._submit: Callable[[uuid.UUID], Awaitable[None]] | None = None
        self.queue = ExecutionQueue(db)
        # targets resolved at accept time, handed to the run in this process (bounded)
        self._accepted_targets: OrderedDict[uuid.UUID, Any] = OrderedDict()
        # sync rows committed already claimed, handed to the run in this process (no re-read)
        self._claimed_rows: OrderedDict[uuid.UUID, Execution] = OrderedDict()
        self._targets = TargetCache(instances.webhook_target, db)
        self._group = GroupCommit(db)  # accepted rows and run ends share transactions under load
        self._flows: OrderedDict[str, Flow] = OrderedDict()
        self.http_transport: httpx.AsyncBaseTransport | None = None  # runs' HTTP (tests: ASGI)

    def use_dispatcher(self, submit: Callable[[uuid.UUID], Awaitable[None]]) -> None:
        """Where executions this service creates itself (cross-flow calls) are handed off."""
        self._submit = submit

    # ---- accepting -----------------------------------------------------------------------

    async def accept_webhook(
        self,
        flow_config_id: str,
        request: WebhookRequest,
        *,
        is_test: bool = False,
        claim_if_sync: str | None = None,
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
        execution = Execution(
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
            execution.id = uuid.uuid4()
            execution.dedupe_id = policy.dedupe_id(self.trigger_payload(execution, target))
        elif synchronous and claim_if_sync:
            # the caller runs it right away: commit it already claimed (one transaction saved)
            now = clock.now()
            execution.status = "running"
            execution.lease_owner = claim_if_sync
            execution.lease_expires_at = now + self._lease
            execution.started_at = now

        async def insert(session: AsyncSession) -> None:
            session.add(execution)

        await self._group.run(insert)  # answered only once committed (maybe with other rows)
        self._accepted_targets[execution.id] = target
        while len(self._accepted_targets) > HANDOFF_LIMIT:
            self._accepted_targets.popitem(last=False)
        if execution.lease_owner is not None:
            self._claimed_rows[execution.id] = execution
            while len(self._claimed_rows) > HANDOFF_LIMIT:
                self._claimed_rows.popitem(last=False)
        if policy is not None:
            # the caller submits this execution itself; a submit before it starts is a no-op
            await self.advance_queue(target.flow_config_id, skip=execution.id, fresh=execution)
        return Accepted(execution.id, synchronous)

    async def advance_queue(
        self,
        flow_config_id: uuid.UUID | None,
        *,
        skip: uuid.UUID | None = None,
        fresh: Execution | None = None,
    ) -> list[uuid.UUID]:
        """Start the flow config's queued executions the limit allows and dispatch them
        (``fresh``: an execution just committed, checked for a duplicate first)."""
        if flow_config_id is None:
            return []
        started = await self.queue.advance(flow_config_id, fresh)
        if self._submit is not None:
            for execution_id in started:
                if execution_id != skip:
                    await self._submit(execution_id)
        return started

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

    # ---- running -------------------------------------------------------------------------

    async def claim(self, execution_id: uuid.UUID, worker: str) -> bool:
        """Take the execution for ``worker`` if it is pending or its lease has expired."""
        return await self._claim_and_load(execution_id, worker) is not None

    async def _claim_and_load(
        self, execution_id: uuid.UUID, worker: str
    ) -> tuple[Execution, bool] | None:
        """Claim, then read the row and whether its instance still exists, in one transaction
        (shared with concurrent claims and writes: group commit)."""
        now = clock.now()
        handed_over = execution_id in self._accepted_targets  # accepted here, target resolved

        async def claim(session: AsyncSession) -> tuple[Execution, bool] | None:
            result = await session.execute(
                update(Execution)
                .where(
                    Execution.id == execution_id,
                    or_(
                        and_(
                            Execution.status == "pending",
                            or_(Execution.run_after.is_(None), Execution.run_after <= now),
                        ),
                        and_(Execution.status == "running", Execution.lease_expires_at < now),
                    ),
                )
                .values(
                    status="running",
                    lease_owner=worker,
                    lease_expires_at=now + self._lease,
                    started_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            execution = await session.get(Execution, execution_id)
            assert execution is not None
            exists = handed_over or await session.get(Instance, execution.instance_id) is not None
            return execution, exists

        return await self._group.run(claim)

    async def run(
        self, execution_id: uuid.UUID, *, worker: str, claimed: bool = False
    ) -> Execution | None:
        """Claim (unless ``claimed``) and run one execution; None when another worker owns it."""
        finished, _result = await self._run_with_result(
            execution_id, worker=worker, claimed=claimed
        )
        return finished

    async def _run_with_result(
        self, execution_id: uuid.UUID, *, worker: str, claimed: bool = False
    ) -> tuple[Execution | None, ExecutionResult | None]:
        execution = self._claimed_rows.pop(execution_id, None) if claimed else None
        exists = execution is not None  # accepted a moment ago, its target just resolved
        if not claimed:
            loaded = await self._claim_and_load(execution_id, worker)
            if loaded is None:
                return None, None
            execution, exists = loaded
        elif execution is None:
            async with self._db.session() as session:
                execution = await session.get(Execution, execution_id)
                assert execution is not None
                exists = await session.get(Instance, execution.instance_id) is not None
        sink = StoreSink(self._db, execution_id)
        renewer = asyncio.create_task(self._renew_lease(execution_id, worker))
        try:
            result = await self._run_engine(execution, sink, exists)
        except Exception as exc:
            result = ExecutionResult("failed", None, None, f"Splice failed to run: {exc}", None)
        finally:
            renewer.cancel()
        await sink.log(LogEntry(clock.now(), "info", END_MARKER, None))
        # the last results and logs are written in the transaction that ends the run
        unwritten = await sink.drain()
        retry = await self._next_attempt(execution, result)
        finished = await self._finish(execution, result, retry, unwritten)
        if finished.queue_limit is not None:
            await self.advance_queue(finished.flow_config_id)
        return finished, result

    async def _run_engine(
        self, execution: Execution, sink: StoreSink, exists: bool
    ) -> ExecutionResult:
        if not exists:
            return ExecutionResult("failed", None, None, "the instance was deleted", None)
        if execution.flow_config_id is None or execution.flow_id is None:
            return ExecutionResult(
                "failed", None, None, "the flow was removed from the instance", None
            )
        target = self._accepted_targets.pop(execution.id, None)
        if target is None:
            target = await self._targets.get(
                ids.encode("InstanceFlowConfig", execution.flow_config_id)
            )
        flow = self._flow_model(target.flow_definition)
        resume = await self._resume_results(execution)
        context = RunContext(
            execution_id=ids.encode("InstanceExecutionResult", execution.id),
            config_vars=target.config_vars,
            state=StoreState(self._db, execution.instance_id, target.flow_name),
            instance=target.instance,
            customer=target.customer,
            integration=target.integration,
            flow_info={"id": ids.encode("IntegrationFlow", target.flow_id), "name": flow.name},
            webhook_urls=target.webhook_urls,
            resume_results=resume,
            invoke_flow=self._invoker(execution, target),
            platform_url=self._settings.server.base_url(),
            http_transport=self.http_transport,
        )
        payload = self.trigger_payload(execution, target)
        await sink.log(
            LogEntry(
                clock.now(), "info", f"Starting Instance Execution of flow '{flow.name}'", None
            )
        )
        return await run_flow(flow, payload, registry=self._registry, sink=sink, context=context)

    async def _resume_results(self, execution: Execution) -> dict[str, Any]:
        if execution.resume_from is None or execution.replay_of_id is None:
            return {}
        import msgpack

        async with self._db.session() as session:
            steps = (
                await session.execute(
                    select(ExecutionStep)
                    .where(
                        ExecutionStep.execution_id == execution.replay_of_id,
                        ExecutionStep.status == "succeeded",
                    )
                    .order_by(ExecutionStep.sequence)
                )
            ).scalars()
            results: dict[str, Any] = {}
            for step in steps:
                packed = msgpack.unpackb(step.result)
                data = packed.get("data")
                results[step.step_path] = (
                    json.loads(data) if packed.get("contentType") == "application/json" else data
                )
            return results

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

    def _flow_model(self, flow_definition: dict[str, Any]) -> Flow:
        """The parsed flow, cached by its content so the engine's compiled form is reused too."""
        key = json.dumps(flow_definition, sort_keys=True, default=str)
        flow = self._flows.get(key)
        if flow is None:
            flow = from_data(
                {"definitionVersion": 7, "name": "run", "flows": [flow_definition]}
            ).flows[0]
            self._flows[key] = flow
            while len(self._flows) > FLOW_CACHE_LIMIT:
                self._flows.popitem(last=False)
        else:
            self._flows.move_to_end(key)
        return flow

    def _invoker(self, caller: Execution, target: Any) -> Any:
        """``invoke_flow`` for one run: start a sibling flow of the same instance."""

        async def invoke(flow_name: str, data: Any, /, *, synchronous: bool) -> Any:
            url = target.webhook_urls.get(flow_name)
            if url is None:
                raise InvalidInput(
                    f"this instance has no flow named {flow_name!r}",
                    field="flowName",
                    fix="use one of " + ", ".join(sorted(target.webhook_urls)),
                )
            child = Execution(
                organization_id=caller.organization_id,
                instance_id=caller.instance_id,
                flow_config_id=ids.decode(url.rstrip("/").rsplit("/", 1)[1], "InstanceFlowConfig"),
                flow_name=flow_name,
                is_test=caller.is_test,
                trigger_kind="cross_flow",
                payload=json.dumps(data, default=str).encode(),
                payload_content_type="application/json",
                request={
                    "headers": {
                        "content-type": "application/json",
                        "prismatic-invoked-by": json.dumps(
                            {"executionId": ids.encode("InstanceExecutionResult", caller.id)}
                        ),
                    },
                    "query": {},
                },
            )
            policy = None if synchronous else sibling_queue_policy(target, flow_name)
            if policy is not None:  # an asynchronous call to a queued flow waits its turn
                child.status, child.queue_limit = "queued", policy.limit
                child.id = uuid.uuid4()
                child.dedupe_id = policy.dedupe_id(self.trigger_payload(child, target))
            async with self._db.session() as session:
                config = await session.get(InstanceFlowConfig, child.flow_config_id)
                child.flow_id = config.flow_id if config else None
                session.add(child)
                await session.commit()
            child_id = ids.encode("InstanceExecutionResult", child.id)
            if policy is not None:
                await self.advance_queue(child.flow_config_id, fresh=child)
                return {"executionId": child_id}
            if not synchronous:
                if self._submit is not None:
                    await self._submit(child.id)
                return {"executionId": child_id}
            _finished, result = await self._run_with_result(child.id, worker=f"invoke-{caller.id}")
            if result is None or result.status == "failed":
                error = result.error if result else "it was already running elsewhere"
                raise InvalidInput(f"flow {flow_name!r} failed: {error}", field="flowName")
            return result.data

        return invoke

    def trigger_payload(self, execution: Execution, target: Any) -> dict[str, Any]:
        """The trigger's ``results`` per runtime-semantics §2.3."""
        request = execution.request or {}
        content_type = execution.payload_content_type
        raw = execution.payload
        text_or_bytes: Any = raw.decode("utf-8", "replace") if _is_text(content_type) else raw
        return {
            "headers": request.get("headers", {}),
            "queryParameters": request.get("query", {}),
            "rawBody": {"data": text_or_bytes, "contentType": content_type},
            "body": {"data": parse_body(raw, content_type), "contentType": content_type},
            "pathFragment": request.get("pathFragment", ""),
            "webhookUrls": target.webhook_urls,
            "webhookApiKeys": getattr(target, "webhook_api_keys", {}),
            "invokeUrl": request.get("url", ""),
            "executionId": ids.encode("InstanceExecutionResult", execution.id),
            "customer": target.customer,
            "instance": target.instance,
            "user": None,
            "integration": target.integration,
            "flow": {
                "id": ids.encode("IntegrationFlow", target.flow_id),
                "name": execution.flow_name,
            },
            "startedAt": clock.to_iso(execution.started_at or clock.now()),
            "globalDebug": _header(request.get("headers", {}), "prismatic-debug") == "true",
        }

    async def _renew_lease(self, execution_id: uuid.UUID, worker: str) -> None:
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            async with self._db.session() as session:
                await session.execute(
                    update(Execution)
                    .where(Execution.id == execution_id, Execution.lease_owner == worker)
                    .values(lease_expires_at=clock.now() + self._lease)
                )
                await session.commit()

    async def _finish(
        self,
        execution: Execution,
        result: ExecutionResult,
        retry: Execution | None = None,
        unwritten: Sequence[object] = (),
    ) -> Execution:
        """End the run: its unwritten records, the retry and the end state in one transaction.

        ``execution`` is the row as this run read it (detached); it gets the end state too.
        """
        ending: dict[str, Any] = {
            "status": result.status,
            "ended_at": clock.now(),
            "error": result.error,
            "lease_owner": None,
            "lease_expires_at": None,
            "response": _response_dict(result),
        }

        async def end(session: AsyncSession) -> None:
            session.add_all(unwritten)
            if retry is not None:
                session.add(retry)
            await session.execute(
                update(Execution)
                .where(Execution.id == execution.id)
                .values(**ending)
                .execution_options(synchronize_session=False)
            )

        await self._group.run(end)
        for name, value in ending.items():
            setattr(execution, name, value)
        return execution

    async def _next_attempt(self, failed: Execution, result: ExecutionResult) -> Execution | None:
        """The next attempt of a failed asynchronous run per its flow's ``retryConfig`` (unsaved).

        It is written in the same transaction that ends the failed run, so no crash can leave a
        failed run whose retry was never queued.
        """
        if result.status != "failed" or failed.is_synchronous or failed.flow_config_id is None:
            return None
        try:
            target = await self._targets.get(
                ids.encode("InstanceFlowConfig", failed.flow_config_id)
            )
        except NotFound:
            return None
        config = target.flow_definition.get("retryConfig") or {}
        max_attempts = int(config.get("maxAttempts") or 0)
        if failed.attempt > max_attempts:
            return None
        delay = timedelta(minutes=float(config.get("delayMinutes") or 0))
        if config.get("usesExponentialBackoff"):
            delay *= 2 ** (failed.attempt - 1)
        retry = Execution(
            organization_id=failed.organization_id,
            instance_id=failed.instance_id,
            flow_config_id=failed.flow_config_id,
            flow_id=failed.flow_id,
            flow_name=failed.flow_name,
            is_test=failed.is_test,
            trigger_kind=failed.trigger_kind,
            payload=failed.payload,
            payload_content_type=failed.payload_content_type,
            request=failed.request,
            attempt=failed.attempt + 1,
            retry_of_id=failed.retry_of_id or failed.id,
            run_after=clock.now() + min(delay, MAX_RETRY_DELAY),
        )
        policy = queue_policy(target.flow_definition)
        if policy is not None:  # the retry waits its turn in the queue (the sweeper starts it)
            retry.status, retry.queue_limit = "queued", policy.limit
            retry.dedupe_id = failed.dedupe_id
        return retry

    async def reclaimable(
        self, limit: int = 100, *, grace: timedelta = timedelta(seconds=10)
    ) -> list[uuid.UUID]:
        """Rows pending for longer than ``grace`` and rows whose lease expired: for the sweeper."""
        now = clock.now()
        async with self._db.session() as session:
            rows = await session.execute(
                select(Execution.id)
                .where(
                    or_(
                        and_(
                            Execution.status == "pending",
                            Execution.created_at < now - grace,
                            or_(Execution.run_after.is_(None), Execution.run_after <= now),
                        ),
                        and_(Execution.status == "running", Execution.lease_expires_at < now),
                    )
                )
                .order_by(Execution.created_at)
                .limit(limit)
            )
            return list(rows.scalars())

    async def clear_fifo(self, actor: Actor, flow_config_id: str, *, queued_too: bool) -> int:
        """Release the flow config's FIFO working set (``clearFifoWorkingSet``) and, with
        ``queued_too``, cancel its queued executions (``clearAllFifoData``); returns how many."""
        require_queue_admin(actor)
        await self._instances.flow_config(actor, flow_config_id)  # NotFound unless visible
        pk = ids.decode(flow_config_id, "InstanceFlowConfig")
        count, started = await self.queue.clear(pk, queued_too=queued_too)
        if self._submit is not None:
            for execution_id in started:
                await self._submit(execution_id)
        return count

    # ---- reading -------------------------------------------------------------------------

    async def get(self, actor: Actor, global_id: str) -> Execution:
        """One execution the actor may see."""
        require(actor, Permission.READ)
        pk = ids.decode(global_id, "InstanceExecutionResult")
        async with self._db.session() as session:
            execution = await session.get(Execution, pk)
            instance = await session.get(Instance, execution.instance_id) if execution else None
        if (
            execution is None
            or execution.organization_id != actor.organization_id
            or (
                actor.is_customer_user
                and (instance is None or instance.customer_id != actor.customer_id)
            )
        ):
            raise NotFound("execution", global_id)
        return execution

    async def get_unchecked(self, execution_id: uuid.UUID) -> Execution:
        """An execution by primary key, for the webhook handler that just created it."""
        async with self._db.session() as session:
            execution = await session.get(Execution, execution_id)
        if execution is None:
            raise NotFound("execution", str(execution_id))
        return execution

    async def replay(self, actor: Actor, global_id: str, *, resume: bool = False) -> Execution:
        """A new execution with the same trigger payload; ``resume`` skips steps that succeeded."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        original = await self.get(actor, global_id)
        if resume and original.status != "failed":
            raise InvalidInput(
                "only a failed execution can be resumed", field="id", fix="replay it instead"
            )
        copy = Execution(
            organization_id=original.organization_id,
            instance_id=original.instance_id,
            flow_config_id=original.flow_config_id,
            flow_id=original.flow_id,
            flow_name=original.flow_name,
            is_test=original.is_test,
            is_synchronous=False,
            trigger_kind=original.trigger_kind,
            payload=original.payload,
            payload_content_type=original.payload_content_type,
            request=original.request,
            replay_of_id=original.id,
            resume_from="failed-step" if resume else None,
        )
        policy = None
        if original.flow_config_id is not None:
            target = await self._instances.webhook_target(
                ids.encode("InstanceFlowConfig", original.flow_config_id)
            )
            policy = queue_policy(target.flow_definition)
        if policy is not None:  # a replay waits its turn like any other execution of the flow
            copy.status, copy.queue_limit, copy.dedupe_id = "queued", policy.limit, None
        async with self._db.session() as session:
            session.add(copy)
            await session.commit()
        if policy is not None:
            await self.advance_queue(copy.flow_config_id, skip=copy.id)
        return copy


def _is_text(content_type: str) -> bool:
    return (
        content_type.startswith("text/")
        or content_type.endswith(("json", "xml"))
        or content_type in ("", "application/x-www-form-urlencoded")
    )


def _response_dict(result: ExecutionResult) -> dict[str, Any] | None:
    if result.response is None:
        return None
    body = result.response.body
    return {
        "statusCode": result.response.status_code,
        "contentType": result.response.content_type,
        "headers": dict(result.response.headers),
        "body": body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body),
        "bodyIsBase64": False,
    }


def is_finished(execution: Execution) -> bool:
    """True once an execution has an end state."""
    return execution.ended_at is not None


def ended(execution: Execution) -> datetime | None:
    """When it ended (None while running)."""
    return execution.ended_at
