"""The engine's ResultSink backed by the store: step results (MessagePack) and logs, as they come.

Each write is its own short transaction so tailing clients (prism ``--tail-logs``) see progress
while the execution runs, and a crash loses at most the step in flight.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import msgpack

from splice.engine import LogEntry, StepResult
from splice.store.db import Database
from splice.store.tables import ExecutionLog, ExecutionStep

__all__ = ["StoreSink", "pack_result"]

MAX_LOG_CHARS = 4096


def pack_result(data: Any, content_type: str | None) -> bytes:
    """MessagePack ``{data, contentType}`` as prism's step-result reader expects.

    JSON-like results are stored as JSON text (prism parses ``data`` as a JSON string for
    ``application/json``); text and bytes are stored as they are.
    """
    document: dict[str, Any]
    if isinstance(data, bytes | bytearray):
        document = {"data": bytes(data), "contentType": content_type or "application/octet-stream"}
    elif isinstance(data, str) and content_type and not content_type.endswith("json"):
        document = {"data": data, "contentType": content_type}
    else:
        document = {"data": json.dumps(data, default=str), "contentType": "application/json"}
    packed: bytes = msgpack.packb(document)
    return packed


class StoreSink:
    """Writes one execution's step results and logs."""

    def __init__(self, db: Database, execution_id: uuid.UUID) -> None:
        self._db = db
        self._execution_id = execution_id
        self._sequence = 0

    async def step_finished(self, result: StepResult) -> None:
        self._sequence += 1
        async with self._db.session() as session:
            session.add(
                ExecutionStep(
                    execution_id=self._execution_id,
                    sequence=self._sequence,
                    step_path=result.path,
                    step_key=result.key,
                    step_name=result.name,
                    status=result.status,
                    started_at=result.started_at,
                    ended_at=result.ended_at,
                    result=pack_result(result.data, result.content_type),
                    content_type=result.content_type or "application/json",
                    error=result.error,
                )
            )
            await session.commit()

    async def log(self, entry: LogEntry) -> None:
        async with self._db.session() as session:
            session.add(
                ExecutionLog(
                    execution_id=self._execution_id,
                    timestamp=entry.timestamp,
                    severity=entry.severity,
                    message=entry.message[:MAX_LOG_CHARS],
                    step_path=entry.step_path,
                )
            )
            await session.commit()
