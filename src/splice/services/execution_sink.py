"""The engine's ResultSink backed by the store: step results (MessagePack) and logs, as they come.

Each write is its own short transaction so tailing clients (prism ``--tail-logs``) see progress
while the execution runs, and a crash loses at most the step in flight. Rows are buffered as
column values and written with one Core ``INSERT`` per table (executemany), not ORM objects: the
unit of work cost more than the rest of a small run's writes (the webhook hot path).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

import msgpack
from sqlalchemy import Table, select

from splice import ids
from splice.engine import LogEntry, StepResult
from splice.engine.response import recorded_form
from splice.services.execution_core import insert_execution
from splice.store.db import Database
from splice.store.raw_rows import RowWriter, SessionWriter
from splice.store.tables import Execution, ExecutionLog, ExecutionSection, ExecutionStep

__all__ = [
    "PendingRow",
    "StoreSink",
    "insert_rows",
    "pack_result",
    "succeeded_results",
    "unpack_result",
]

MAX_LOG_CHARS = 4096
STEPS: Table = ExecutionStep.__table__  # type: ignore[assignment]
LOGS: Table = ExecutionLog.__table__  # type: ignore[assignment]
SECTIONS: Table = ExecutionSection.__table__  # type: ignore[assignment]

PendingRow = tuple[Table, dict[str, Any]]


async def insert_rows(writer: RowWriter, rows: Sequence[PendingRow]) -> None:
    """Insert buffered rows with one prepared ``INSERT`` (executemany) per table; within a
    table the rows keep their order (a log line's ``section_id`` has no foreign key)."""
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for table, values in rows:
        by_table.setdefault(table, []).append(values)
    for table, values_list in by_table.items():
        await writer.insert_rows(table, values_list)


def pack_result(
    data: Any, content_type: str | None, recorded: tuple[str | bytes, str] | None = None
) -> bytes:
    """MessagePack ``{data, contentType}`` as prism's step-result reader expects.

    JSON-like results are stored as JSON text (prism parses ``data`` as a JSON string for
    ``application/json``); text and bytes are stored as they are. ``recorded`` is that form
    when the engine already made it (it measures results against the size limit).
    """
    stored, stored_type = recorded or recorded_form(data, content_type)
    packed: bytes = msgpack.packb({"data": stored, "contentType": stored_type})
    return packed


def unpack_result(packed: bytes) -> Any:
    """The data ``pack_result`` stored, JSON results parsed back."""
    document = msgpack.unpackb(packed)
    data = document.get("data")
    if document.get("contentType") == "application/json" and isinstance(data, str):
        return json.loads(data)
    return data


async def succeeded_results(
    db: Database, execution_id: uuid.UUID
) -> list[tuple[ExecutionStep, Any]]:
    """The execution's succeeded step rows in run order, each with its unpacked result."""
    async with db.session() as session:
        steps = (
            await session.execute(
                select(ExecutionStep)
                .where(
                    ExecutionStep.execution_id == execution_id,
                    ExecutionStep.status == "succeeded",
                )
                .order_by(ExecutionStep.sequence)
            )
        ).scalars()
        return [(step, unpack_result(step.result)) for step in steps]


class StoreSink:
    """Writes one execution's step results and logs, batched.

    Entries are buffered and written in one transaction when ``flush_every`` seconds have passed
    since the last write (so tailing clients see progress) and when the run ends (``flush``).
    """

    def __init__(
        self,
        db: Database,
        execution_id: uuid.UUID,
        *,
        flush_every: float = 0.5,
        unwritten: Execution | None = None,
    ) -> None:
        self._db = db
        self._execution_id = execution_id
        # a synchronous run's row, not written yet: the first flush writes it before the rest
        self._unwritten = unwritten
        self._sequence = 0
        self._pending: list[PendingRow] = []
        self._sections: set[uuid.UUID] = set()
        self._flush_every = flush_every
        self._last_flush = time.monotonic()
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task[None] | None = None

    async def step_finished(self, result: StepResult) -> None:
        self._sequence += 1
        self._pending.append(
            (
                STEPS,
                {
                    "id": ids.new_uuid(),
                    "execution_id": self._execution_id,
                    "sequence": self._sequence,
                    "step_path": result.path,
                    "step_key": result.key,
                    "step_name": result.name,
                    "status": result.status,
                    "started_at": result.started_at,
                    "ended_at": result.ended_at,
                    "result": pack_result(result.data, result.content_type, result.recorded),
                    "content_type": result.content_type or "application/json",
                    "error": result.error,
                },
            )
        )
        await self._maybe_flush()

    async def log(self, entry: LogEntry) -> None:
        section = entry.section
        if section is not None and section.id not in self._sections:
            self._sections.add(section.id)
            self._pending.append(
                (
                    SECTIONS,
                    {
                        "id": section.id,
                        "execution_id": self._execution_id,
                        "label": section.label[:500],
                        "started_at": section.started_at,
                    },
                )
            )
        self._pending.append(
            (
                LOGS,
                {
                    "id": ids.new_uuid(),
                    "execution_id": self._execution_id,
                    "timestamp": entry.timestamp,
                    "severity": entry.severity,
                    "message": entry.message[:MAX_LOG_CHARS],
                    "step_path": entry.step_path,
                    "section_id": section.id if section is not None else None,
                },
            )
        )
        await self._maybe_flush()

    async def _maybe_flush(self) -> None:
        waited = time.monotonic() - self._last_flush
        if waited >= self._flush_every:
            await self.flush()
        elif self._timer is None:
            # a long step may follow: write what is buffered within flush_every anyway
            self._timer = asyncio.create_task(self._flush_later(self._flush_every - waited))

    async def _flush_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._timer = None
        await self.flush()

    async def flush(self) -> None:
        """Write everything buffered in one transaction."""
        async with self._lock:
            self._last_flush = time.monotonic()
            if not self._pending and self._unwritten is None:
                return
            rows, self._pending = self._pending, []
            async with self._db.session() as session:
                writer = SessionWriter(session)
                if self._unwritten is not None:
                    await insert_execution(writer, self._unwritten)
                await insert_rows(writer, rows)
                await session.commit()
            self._unwritten = None

    async def close(self) -> None:
        """Flush what is left and stop the deferred flush."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()

    @property
    def row_unwritten(self) -> bool:
        """True while the execution's own row is still to be written (see ``unwritten``)."""
        return self._unwritten is not None

    async def drain(self) -> list[PendingRow]:
        """Stop the deferred flush and hand over what is unwritten, for the caller's transaction.

        The run's end writes its last results, logs and end state in one transaction instead of
        two; a flush already under way finishes first, so rows keep their order. When
        ``row_unwritten`` is still true after this, that transaction writes the row too.
        """
        if self._timer is not None:
            self._timer.cancel()  # still sleeping: _flush_later clears _timer before flushing
            self._timer = None
        async with self._lock:
            rows = list(self._pending)
            self._pending = []
            self._last_flush = time.monotonic()
            return rows
