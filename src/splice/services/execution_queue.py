"""Flow queues (``queueConfig``, runtime-semantics §2.7): FIFO, throttled, dedupe, singleton.

An execution of a flow whose ``queueConfig`` asks for a FIFO queue or a dedupe ID is committed as
``queued`` with ``queue_limit`` (1 sequential, 2-15 throttled, 0 no limit: dedupe only) and its
``dedupe_id``. ``advance`` starts queued executions (``queued`` -> ``pending``; the caller
dispatches them) in arrival order while fewer than the limit are pending or running, and ends a
queued execution whose dedupe ID is already queued ahead of it or running as
``canceled_as_duplicate``. It runs under a lock on the flow config row (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises every writer), so any number of servers
and workers never start more than the limit. Executions of flows without a ``queueConfig`` never
come here (``queue_limit`` is NULL), so they pay no query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.engine.references import parse_reference, walk
from splice.store.db import Database
from splice.store.tables import Execution, ExecutionLog, InstanceFlowConfig

__all__ = [
    "ACTIVE",
    "CANCELED",
    "DUPLICATE",
    "END_MARKER",
    "QUEUED",
    "SKIPPED",
    "ExecutionQueue",
    "QueuePolicy",
    "ended_without_running",
    "previous_run_active",
    "queue_policy",
    "sibling_queue_policy",
]

END_MARKER = "Ending Instance Execution"
QUEUED = "queued"
DUPLICATE = "canceled_as_duplicate"
CANCELED = "canceled"
SKIPPED = "skipped"
ACTIVE = ("pending", "running")
MAX_LIMIT = 15  # the largest concurrencyLimit spectral allows


@dataclass(frozen=True)
class QueuePolicy:
    """How a flow's executions queue: ``limit`` at once (0: unlimited), deduplicated by a path."""

    limit: int
    dedupe_path: tuple[tuple[str, int | None], ...] | None

    def dedupe_id(self, trigger_payload: dict[str, Any]) -> str | None:
        """The execution's dedupe ID: the value at the path in the trigger payload, as text."""
        if self.dedupe_path is None:
            return None
        value = walk(trigger_payload, self.dedupe_path)
        return None if value is None or value == "" else str(value)[:500]


def queue_policy(flow_definition: dict[str, Any]) -> QueuePolicy | None:
    """The flow's queue policy, or None when its executions start at once (no query needed)."""
    config = flow_definition.get("queueConfig")
    if not config:
        return None
    fifo = bool(config.get("usesFifoQueue"))
    path = dedupe_path(config.get("dedupeIdField"))
    if not fifo and path is None:
        return None
    limit = int(config.get("concurrencyLimit") or 1) if fifo else 0
    return QueuePolicy(max(limit, 0), path)


def sibling_queue_policy(target: Any, flow_name: str) -> QueuePolicy | None:
    """The queue policy of another flow of the target's integration (cross-flow calls)."""
    for flow in (getattr(target, "integration_definition", None) or {}).get("flows") or []:
        if isinstance(flow, dict) and flow.get("name") == flow_name:
            return queue_policy(flow)
    return None


def dedupe_path(field: Any) -> tuple[tuple[str, int | None], ...] | None:
    """``<triggerKey>.results.<path>`` (a reference input or its text) as a path in the payload."""
    text = field.get("value") if isinstance(field, dict) else field
    if not isinstance(text, str):
        return None
    text = text.strip().removeprefix("{{").removesuffix("}}").strip().lstrip("$")
    if not text:
        return None
    reference = parse_reference(text)
    if ".results" not in text and not text.startswith("results"):
        # a bare path into the payload (``body.data.id``): keep its first segment
        reference = parse_reference("trigger.results." + text)
    return reference.path or None


def ended_without_running(execution: Execution, status: str, reason: str) -> list[ExecutionLog]:
    """Mark ``execution`` ended without running and return its two log lines (to be added).

    The end marker matters: ``prism instances:flow-configs:test --tail`` stops only on it.
    """
    now = clock.now()
    if execution.id is None:
        execution.id = ids.new_uuid()
    execution.status = status
    execution.started_at = execution.started_at or now
    execution.ended_at = now
    execution.error = reason if status == CANCELED else None
    execution.lease_owner = None
    execution.lease_expires_at = None
    return _end_logs(execution.id, reason)


class ExecutionQueue:
    """Starts queued executions of one flow config at a time, under that flow config's lock."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def advance(
        self, flow_config_id: uuid.UUID, fresh: Execution | None = None
    ) -> list[uuid.UUID]:
        """Start what the limit allows; returns the IDs to dispatch. ``fresh`` is an execution
        just committed: it ends as a duplicate when its dedupe ID is queued ahead or running."""
        async with self._db.session() as session:
            if not await _lock(session, flow_config_id):
                return []
            if fresh is not None and fresh.dedupe_id is not None:
                await _cancel_if_duplicate(session, flow_config_id, fresh)
            started = await self._advance_locked(session, flow_config_id)
            await session.commit()
        return started

    async def _advance_locked(
        self, session: AsyncSession, flow_config_id: uuid.UUID
    ) -> list[uuid.UUID]:
        """Move the oldest queued executions to ``pending`` while slots are free: two indexed
        queries, whatever the backlog (duplicates were ended when they arrived)."""
        now = clock.now()
        active = (
            await session.execute(
                select(func.count())
                .select_from(Execution)
                .where(
                    Execution.flow_config_id == flow_config_id,
                    Execution.status.in_(ACTIVE),
                    Execution.queue_limit.is_not(None),
                )
            )
        ).scalar_one()
        waiting = (
            select(Execution.id, Execution.queue_limit)
            .where(
                Execution.flow_config_id == flow_config_id,
                Execution.status == QUEUED,
                or_(Execution.run_after.is_(None), Execution.run_after <= now),
            )
            .order_by(Execution.created_at, Execution.id)
        )
        head = (await session.execute(waiting.limit(MAX_LIMIT))).all()
        if not head:
            return []
        limit = head[0].queue_limit or 0
        if limit == 0:  # dedupe only: everything queued may start
            head = (await session.execute(waiting)).all()
        free = limit - active if limit else len(head)
        started = [execution_id for execution_id, _limit in head[: max(free, 0)]]
        if started:
            await session.execute(
                update(Execution)
                .where(Execution.id.in_(started))
                .values(status="pending")
                .execution_options(synchronize_session=False)
            )
        return started

    async def stalled(self, limit: int = 100) -> list[uuid.UUID]:
        """Flow configs with queued executions that may start now (for the sweeper)."""
        now = clock.now()
        async with self._db.session() as session:
            rows = await session.execute(
                select(Execution.flow_config_id)
                .where(
                    Execution.status == QUEUED,
                    Execution.flow_config_id.is_not(None),
                    or_(Execution.run_after.is_(None), Execution.run_after <= now),
                )
                .group_by(Execution.flow_config_id)
                .limit(limit)
            )
            return [config for config in rows.scalars() if config is not None]

    async def cancel_orphans(self, limit: int = 100) -> int:
        """End queued executions whose flow config is gone (the flow left the instance on a
        redeploy): no queue will ever start them."""
        async with self._db.session() as session:
            orphans = (
                await session.execute(
                    select(Execution.id)
                    .where(Execution.status == QUEUED, Execution.flow_config_id.is_(None))
                    .limit(limit)
                )
            ).scalars()
            count = 0
            for execution_id in orphans:
                await _end_queued(
                    session,
                    execution_id,
                    CANCELED,
                    "Canceled: the flow was removed from the instance while this execution "
                    "was queued",
                )
                count += 1
            await session.commit()
        return count

    async def clear(
        self, flow_config_id: uuid.UUID, *, queued_too: bool
    ) -> tuple[int, list[uuid.UUID]]:
        """Release the working set (running members stop holding slots) and, with
        ``queued_too``, cancel every queued execution; returns (how many, IDs to dispatch)."""
        async with self._db.session() as session:
            if not await _lock(session, flow_config_id):
                return 0, []
            released = await session.execute(
                update(Execution)
                .where(
                    Execution.flow_config_id == flow_config_id,
                    Execution.status.in_(ACTIVE),
                    Execution.queue_limit.is_not(None),
                )
                .values(queue_limit=None)
                .execution_options(synchronize_session=False)
            )
            count = int(released.rowcount)  # type: ignore[attr-defined]
            if queued_too:
                queued = (
                    await session.execute(
                        select(Execution.id).where(
                            Execution.flow_config_id == flow_config_id,
                            Execution.status == QUEUED,
                        )
                    )
                ).scalars()
                for execution_id in queued:
                    await _end_queued(
                        session,
                        execution_id,
                        CANCELED,
                        "Canceled: the flow's FIFO queue was cleared (clearAllFifoData)",
                    )
                    count += 1
            started = await self._advance_locked(session, flow_config_id)
            await session.commit()
        return count, started


async def previous_run_active(session: AsyncSession, flow_config_id: uuid.UUID) -> bool:
    """True while an execution of the flow config is pending or running (the singleton check)."""
    busy = await session.execute(
        select(func.count())
        .select_from(Execution)
        .where(Execution.flow_config_id == flow_config_id, Execution.status.in_(ACTIVE))
    )
    return bool(busy.scalar_one())


async def _cancel_if_duplicate(
    session: AsyncSession, flow_config_id: uuid.UUID, fresh: Execution
) -> None:
    """End ``fresh`` as ``canceled_as_duplicate`` if an execution with its dedupe ID is running
    or was queued before it (under the flow config lock, so exactly one of twins survives)."""
    ahead = or_(
        Execution.status.in_(ACTIVE),
        Execution.created_at < fresh.created_at,
        and_(Execution.created_at == fresh.created_at, Execution.id < fresh.id),
    )
    twin = await session.execute(
        select(Execution.id)
        .where(
            Execution.flow_config_id == flow_config_id,
            Execution.status.in_((QUEUED, *ACTIVE)),
            Execution.dedupe_id == fresh.dedupe_id,
            Execution.id != fresh.id,
            ahead,
        )
        .limit(1)
    )
    if twin.first() is not None:
        await _end_queued(
            session,
            fresh.id,
            DUPLICATE,
            f"Canceled as a duplicate: an execution with dedupe ID {fresh.dedupe_id!r} "
            "is already queued or running for this flow",
        )


async def _end_queued(
    session: AsyncSession, execution_id: uuid.UUID, status: str, reason: str
) -> None:
    now = clock.now()
    await session.execute(
        update(Execution)
        .where(Execution.id == execution_id)
        .values(
            status=status,
            started_at=now,
            ended_at=now,
            error=reason if status == CANCELED else None,
        )
        .execution_options(synchronize_session=False)
    )
    session.add_all(_end_logs(execution_id, reason))


def _end_logs(execution_id: uuid.UUID, reason: str) -> list[ExecutionLog]:
    now = clock.now()
    later = now + timedelta(microseconds=1)  # logs are read in (timestamp, id) order
    return [
        ExecutionLog(execution_id=execution_id, timestamp=now, severity="warn", message=reason),
        ExecutionLog(
            execution_id=execution_id, timestamp=later, severity="info", message=END_MARKER
        ),
    ]


async def _lock(session: AsyncSession, flow_config_id: uuid.UUID) -> bool:
    """Lock the flow config row for this transaction; False when it no longer exists."""
    found = await session.execute(
        select(InstanceFlowConfig.id)
        .where(InstanceFlowConfig.id == flow_config_id)
        .with_for_update()
    )
    return found.scalar_one_or_none() is not None
