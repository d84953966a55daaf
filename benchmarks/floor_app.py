"""The persistence floor: the benchmark's webhooks written by the shortest path there is.

``/sync`` does the bare app's transform and writes what Splice writes for one synchronous run
of the benchmark flow: the execution row, three step results (MessagePack of JSON text) and two
log lines, into Splice's own schema, committed before the answer with group commit on one
``sqlite3`` connection. ``/ingest`` writes only a pending execution row, as an asynchronous
webhook is answered once that row is committed; it never runs the flow.

There is no engine, flow lookup, authentication, ORM or routing here, so no implementation of
the same durability on this stack (uvicorn, one Python process, SQLite in WAL mode) can be
faster: it bounds what the throughput targets can ask for. Run by ``run.py`` against a copy of
the benchmark server's database (for the organization, instance and flow rows the foreign keys
point at): ``python floor_app.py PORT DATABASE``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

import msgpack
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from uuid_utils import uuid7

EXECUTION = (
    "INSERT INTO executions (organization_id, instance_id, flow_config_id, flow_id, flow_name, "
    "status, is_test, is_synchronous, trigger_kind, payload, payload_content_type, request, "
    "attempt, started_at, ended_at, response, id, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
STEP = (
    "INSERT INTO execution_steps (id, execution_id, sequence, step_path, step_key, step_name, "
    "status, started_at, ended_at, result, content_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
LOG = (
    "INSERT INTO execution_logs (id, execution_id, timestamp, severity, message) "
    "VALUES (?, ?, ?, ?, ?)"
)
Rows = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]


class GroupWriter:
    """Writes that arrive while a commit runs share the next transaction (as Splice's do)."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")
        self.owner = self.db.execute(
            "SELECT i.organization_id, i.id, c.id, c.flow_id FROM instance_flow_configs c "
            "JOIN instances i ON i.id = c.instance_id LIMIT 1"
        ).fetchone()
        self.waiting: list[tuple[Rows, asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def write(self, rows: Rows) -> None:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((rows, future))
        if self.writer is None:
            self.writer = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting, []
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(EXECUTION, [rows[0] for rows, _ in batch])
            self.db.executemany(STEP, [step for rows, _ in batch for step in rows[1]])
            self.db.executemany(LOG, [line for rows, _ in batch for line in rows[2]])
            self.db.execute("COMMIT")
            for _, future in batch:
                future.set_result(None)
        self.writer = None


def stamp() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def recorded(data: Any) -> bytes:
    packed: bytes = msgpack.packb({"data": json.dumps(data), "contentType": "application/json"})
    return packed


def execution_row(
    request: Request, body: bytes, status: str, now: str, **end: Any
) -> tuple[Any, ...]:
    owner = app.state.writer.owner
    described = {
        "method": request.method,
        "url": str(request.url),
        "headers": dict(request.headers),
        "query": {},
        "pathFragment": "",
    }
    return (
        *owner, "Bench", status, 1, int(status != "pending"), "webhook", body,
        "application/json", json.dumps(described), 1, end.get("started"), end.get("ended"),
        end.get("response"), end["id"], now, now,
    )  # fmt: skip


async def sync(request: Request) -> JSONResponse:
    body = await request.body()
    data = json.loads(body)
    upper = str(data["name"]).upper()
    answer = {"name": upper}
    now, execution_id = stamp(), uuid7().hex
    trigger = {
        "headers": dict(request.headers),
        "queryParameters": {},
        "rawBody": {"data": body.decode(), "contentType": "application/json"},
        "body": {"data": data, "contentType": "application/json"},
        "pathFragment": "",
        "webhookUrls": {"Bench": str(request.url)},
        "invokeUrl": str(request.url),
        "executionId": execution_id,
        "customer": {"id": "c", "name": "Test customer", "externalId": None},
        "instance": {"id": "i", "name": "Bench"},
        "integration": {"id": "n", "name": "Bench", "versionSequenceId": "v"},
        "flow": {"id": "f", "name": "Bench"},
        "startedAt": now,
    }
    response = {
        "statusCode": 200,
        "contentType": "application/json",
        "headers": {},
        "body": json.dumps(answer),
        "bodyIsBase64": False,
    }
    row = execution_row(
        request, body, "succeeded", now,
        id=execution_id, started=now, ended=now, response=json.dumps(response),
    )  # fmt: skip
    results = (("benchTrigger", trigger), ("upperName", upper), ("answer", answer))
    steps = [
        (uuid7().hex, execution_id, n, key, key, key, "succeeded", now, now, recorded(data),
         "application/json")
        for n, (key, data) in enumerate(results, start=1)
    ]  # fmt: skip
    logs = [
        (uuid7().hex, execution_id, now, "info", "Starting Instance Execution of flow 'Bench'"),
        (uuid7().hex, execution_id, now, "info", "Ending Instance Execution"),
    ]
    await app.state.writer.write((row, steps, logs))
    return JSONResponse(answer, headers={"prismatic-executionid": execution_id})


async def ingest(request: Request) -> JSONResponse:
    body = await request.body()
    execution_id = uuid7().hex
    await app.state.writer.write(
        (execution_row(request, body, "pending", stamp(), id=execution_id), [], [])
    )
    return JSONResponse(
        {"executionId": execution_id}, headers={"prismatic-executionid": execution_id}
    )


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/sync", sync, methods=["POST"]),
        Route("/ingest", ingest, methods=["POST"]),
        Route("/healthz", healthz),
    ]
)

if __name__ == "__main__":
    app.state.writer = GroupWriter(sys.argv[2])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
