"""Running executions: claim under a lease (renewed while the run goes on), run the flow with
the engine, cross-flow invocation, finish (unwritten records, retry and end state in one
transaction), the next attempt per ``retryConfig``, and the rows the sweeper re-runs.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.definition import Flow, from_data
from splice.engine import ExecutionResult, LogEntry, RunContext, run_flow
from splice.engine.references import walk
from splice.errors import InvalidInput, NotFound
from splice.services.execution_core import EXECUTIONS, ExecutionCore, insert_execution
from splice.services.execution_queue import (
    CANCELED,
    END_MARKER,
    dedupe_path,
    queue_policy,
    sibling_queue_policy,
)
from splice.services.execution_sink import (
    PendingRow,
    StoreSink,
    insert_rows,
    succeeded_results,
)
from splice.services.execution_state import StoreState
from splice.services.lease_renewer import LeaseRenewer
from splice.store.raw_rows import Condition, RowWriter, SessionWriter
from splice.store.tables import (
    Execution,
    ExecutionLog,
    ExecutionStep,
    Instance,
    InstanceFlowConfig,
)

__all__ = ["FLOW_CACHE_LIMIT", "MAX_RECOVERIES", "MAX_RETRY_DELAY", "ExecutionRun"]

FLOW_CACHE_LIMIT = 256
# deploy and remove flows run whether or not the instance is paused (remove flows run just
# before a paused instance is deleted)
LIFECYCLE_KINDS = frozenset({"deploy_flow", "tear_down_flow"})
PAUSED = (
    "the instance was disabled before this execution started; enable the instance and replay "
    "the execution to run it"
)
MAX_RETRY_DELAY = timedelta(hours=24)
# runs started again after their worker died, before the execution ends failed instead
MAX_RECOVERIES = 2
log = logging.getLogger(__name__)


class ExecutionRun(ExecutionCore):
    """Claim, run, finish and retry executions."""

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
        accepted = self._accepted_rows.take(execution_id)  # the row as committed here
        claimed = {
            "status": "running",
            "lease_owner": worker,
            "lease_expires_at": now + self._lease,
            "started_at": now,
        }

        async def take(writer: RowWriter) -> int:
            at = writer.stored(EXECUTIONS, "started_at", now)
            return await writer.update_row(
                EXECUTIONS,
                execution_id,
                claimed,
                Condition(
                    "(status = 'pending' AND (run_after IS NULL OR run_after <= ?)) "
                    "OR (status = 'running' AND lease_expires_at < ?)",
                    (at, at),
                    lambda: or_(
                        and_(
                            Execution.status == "pending",
                            or_(Execution.run_after.is_(None), Execution.run_after <= now),
                        ),
                        and_(Execution.status == "running", Execution.lease_expires_at < now),
                    ),
                ),
            )

        if accepted is not None and accepted.status == "pending":
            # accepted here a moment ago: the row is known, only the claim is written
            if not await self._group.run_rows(take):
                return None
            for name, value in claimed.items():
                setattr(accepted, name, value)
            return accepted, True

        async def claim(session: AsyncSession) -> tuple[Execution, bool] | None:
            if not await take(SessionWriter(session)):
                return None
            execution = await session.get(Execution, execution_id, populate_existing=True)
            assert execution is not None
            exists = await session.get(Instance, execution.instance_id) is not None
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
        execution = self._accepted_rows.take(execution_id) if claimed else None
        exists = execution is not None  # accepted here a moment ago: its instance existed
        if execution is not None and not _transient(execution) and not self._lease_fresh(execution):
            # it waited too long for its worker: the lease could lapse before the first renewal
            # and the sweeper take the row too; claim it like any other (it waits for the lapse)
            claimed, execution = False, None
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
        # a synchronous webhook's row is written by this run (execution_accept)
        sink = StoreSink(
            self._db,
            execution_id,
            unwritten=execution if claimed and _transient(execution) else None,
        )
        renewer = LeaseRenewer(
            lambda: self._renew_lease(execution_id, worker), self._lease.total_seconds() / 3
        )
        try:
            result = await self._run_engine(execution, sink, exists)
        except Exception as exc:
            result = ExecutionResult("failed", None, None, f"Splice failed to run: {exc}", None)
        finally:
            renewer.stop()
        await sink.log(LogEntry(clock.now(), "info", END_MARKER, None))
        # the last results and logs are written in the transaction that ends the run
        unwritten = await sink.drain()
        retry = await self._next_attempt(execution, result)
        finished = await self._finish(
            execution, result, retry, unwritten, insert_row=sink.row_unwritten
        )
        if finished.queue_limit is not None:
            await self.advance_queue(finished.flow_config_id)
        return finished, result

    def _lease_fresh(self, execution: Execution) -> bool:
        """Whether a row claimed at accept time still holds most of its lease (the run renews
        it every third of the lease)."""
        expires = execution.lease_expires_at
        return expires is not None and expires - clock.now() > self._lease * 2 / 3

    async def _run_engine(
        self, execution: Execution, sink: StoreSink, exists: bool
    ) -> ExecutionResult:
        if not exists:
            return ExecutionResult("failed", None, None, "the instance was deleted", None)
        if execution.flow_config_id is None or execution.flow_id is None:
            return ExecutionResult(
                "failed", None, None, "the flow was removed from the instance", None
            )
        try:  # the current target (cached): the config to run with, and whether it is paused
            target = await self._targets.get(
                ids.encode("InstanceFlowConfig", execution.flow_config_id)
            )
        except NotFound:
            return ExecutionResult(
                "failed", None, None, "the flow was removed from the instance", None
            )
        if not target.enabled and execution.trigger_kind not in LIFECYCLE_KINDS:
            # paused after this execution was accepted: it does not start while paused, and
            # its row keeps the payload for a replay (a paused instance runs nothing, spec 5)
            return ExecutionResult("failed", None, None, PAUSED, None)
        flow = self._flow_model(target.flow_definition)
        if execution.retry_of_id is None:
            await self._supersede_retries(execution, target)
        resume = await self._resume_results(execution)
        context = RunContext(
            execution_id=ids.encode("InstanceExecutionResult", execution.id),
            # a private copy: the target may be cached and shared with the next runs
            config_vars=copy.deepcopy(target.config_vars),
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

    async def _supersede_retries(self, execution: Execution, target: Any) -> None:
        """A new invocation whose uniqueRequestIdField value (retryConfig) matches older ones'
        cancels their retries still pending, and keeps the value for its own retries."""
        field = (target.flow_definition.get("retryConfig") or {}).get("uniqueRequestIdField")
        path = dedupe_path(field) if field else None
        if path is None:
            return
        value = walk(self.trigger_payload(execution, target), path)
        if value is None or value == "":
            return
        unique = str(value)[:500]
        now = clock.now()
        newer = ids.encode("InstanceExecutionResult", execution.id)
        async with self._db.session() as session:
            await session.execute(
                update(Execution)
                .where(Execution.id == execution.id)
                .values(unique_request_id=unique)
            )
            await session.execute(
                update(Execution)
                .where(
                    Execution.flow_config_id == execution.flow_config_id,
                    Execution.unique_request_id == unique,
                    Execution.retry_of_id.is_not(None),
                    Execution.status.in_(("pending", "queued")),
                    Execution.id != execution.id,
                )
                .values(
                    status=CANCELED,
                    ended_at=now,
                    error=f"canceled: a newer invocation ({newer}) has the same unique request "
                    f"ID '{unique}' (retryConfig.uniqueRequestIdField)",
                )
            )
            await session.commit()
        execution.unique_request_id = unique

    async def _resume_results(self, execution: Execution) -> dict[str, Any]:
        if execution.resume_from is None or execution.replay_of_id is None:
            return {}
        steps = await succeeded_results(self._db, execution.replay_of_id)
        return {step.step_path: data for step, data in steps}

    def _flow_model(self, flow_definition: dict[str, Any]) -> Flow:
        """The parsed flow, cached by its content so the engine's compiled form is reused too.

        A cached webhook target hands the same definition object to every run, so definitions
        are also remembered by identity (no serialising one per run); the entry keeps the object
        alive, so its ``id`` cannot be reused meanwhile.
        """
        seen = self._flows_by_object.get(id(flow_definition))
        if seen is not None and seen[0] is flow_definition:
            return seen[1]
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
        self._flows_by_object[id(flow_definition)] = (flow_definition, flow)
        while len(self._flows_by_object) > FLOW_CACHE_LIMIT:
            self._flows_by_object.popitem(last=False)
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
            policy = sibling_queue_policy(target, flow_name)
            if policy is not None:
                # a call to a queued flow waits its turn and answers with the execution ID, even
                # when asked to wait: queued flows are asynchronous (spec 2.7), as their webhooks
                # are (execution_accept)
                child.status, child.queue_limit = "queued", policy.limit
                child.id = ids.new_uuid()
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

    async def _renew_lease(self, execution_id: uuid.UUID, worker: str) -> None:
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
        unwritten: Sequence[PendingRow] = (),
        *,
        insert_row: bool = False,
    ) -> Execution:
        """End the run: its unwritten records, the retry and the end state in one transaction.

        ``execution`` is the row as this run read it (detached); it gets the end state too. With
        ``insert_row`` the row itself was never written (a quick synchronous run): it is
        inserted with its end state.
        """
        ending: dict[str, Any] = {
            "status": result.status,
            "ended_at": clock.now(),
            "error": result.error,
            "lease_owner": None,
            "lease_expires_at": None,
            "response": _response_dict(result),
        }

        if insert_row:
            for name, value in ending.items():
                setattr(execution, name, value)

        async def end(writer: RowWriter) -> None:
            if insert_row:
                await insert_execution(writer, execution)
            else:
                await writer.update_row(EXECUTIONS, execution.id, ending)
            await insert_rows(writer, unwritten)  # prepared executemany, no unit of work

        async def end_with_retry(session: AsyncSession) -> None:
            await end(SessionWriter(session))
            session.add(retry)

        if retry is None:
            await self._group.run_rows(end)
        else:
            await self._group.run(end_with_retry)
        if not insert_row:  # an inserted row has its end state already
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
        if result.error == PAUSED:  # not a failure of the flow: a retry would meet the same
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
            unique_request_id=failed.unique_request_id,
            run_after=clock.now() + min(delay, MAX_RETRY_DELAY),
        )
        policy = queue_policy(target.flow_definition)
        if policy is not None:  # the retry waits its turn in the queue (the sweeper starts it)
            retry.status, retry.queue_limit = "queued", policy.limit
            retry.dedupe_id = failed.dedupe_id
        return retry

    async def recover(self, execution_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """Of the sweeper's rows, those to dispatch: pending ones, and running ones whose worker
        died (lease lapsed) while they have recoveries left (``MAX_RECOVERIES``; each is counted
        here). A running row out of recoveries ends failed, and its flow's ``retryConfig`` decides
        whether a new attempt follows, as for any failed run."""
        if not execution_ids:
            return []
        now = clock.now()
        async with self._db.session() as session:
            rows = (
                await session.execute(select(Execution).where(Execution.id.in_(execution_ids)))
            ).scalars()
            found = {row.id: row for row in rows}
        dispatch: list[uuid.UUID] = []
        for execution_id in execution_ids:  # the sweeper's order: oldest first
            row = found.get(execution_id)
            if row is None or row.status not in ("pending", "running"):
                continue
            if row.status == "pending":
                dispatch.append(execution_id)
            elif row.lease_expires_at is not None and row.lease_expires_at < now:
                if row.recoveries >= MAX_RECOVERIES:
                    await self._give_up_lapsed(row)
                elif await self._count_recovery(execution_id, now):
                    dispatch.append(execution_id)
        return dispatch

    async def _count_recovery(self, execution_id: uuid.UUID, now: datetime) -> bool:
        """Count one more recovery of a lapsed run (False if another sweeper or a late worker
        got to the row first) and clear the stopped run's step results: the run starts again
        from its trigger, and each step of an execution has one result. Its logs stay."""
        async with self._db.session() as session:
            counted = await session.execute(
                update(Execution)
                .where(
                    Execution.id == execution_id,
                    Execution.status == "running",
                    Execution.lease_expires_at < now,
                    Execution.recoveries < MAX_RECOVERIES,
                )
                .values(recoveries=Execution.recoveries + 1)
            )
            if not counted.rowcount:  # type: ignore[attr-defined]
                return False
            await session.execute(
                delete(ExecutionStep).where(ExecutionStep.execution_id == execution_id)
            )
            session.add(
                ExecutionLog(
                    execution_id=execution_id,
                    timestamp=now,
                    severity="warn",
                    message="The worker running this execution stopped before it ended; "
                    "starting it again from its trigger (the stopped run's step results are "
                    "cleared)",
                )
            )
            await session.commit()
        return True

    async def _give_up_lapsed(self, execution: Execution) -> None:
        error = (
            f"the worker running this execution stopped before it ended, "
            f"{execution.recoveries + 1} times (it was started again {execution.recoveries} "
            "times); if the flow can stop its worker (memory, a crash), fix it and replay"
        )
        result = ExecutionResult("failed", None, None, error, None)
        retry = await self._next_attempt(execution, result)
        finished = await self._finish(execution, result, retry)
        log.warning("execution %s failed: %s", execution.id, error)
        if finished.queue_limit is not None:
            await self.advance_queue(finished.flow_config_id)

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


def _transient(execution: Execution) -> bool:
    """True for an object never written (nor read) from the database."""
    return bool(inspect(execution).transient)


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
