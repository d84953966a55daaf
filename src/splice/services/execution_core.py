"""The base of ExecutionService: its collaborators, what a webhook request and an accepted
execution are, the trigger payload a run starts from, and advancing a flow's queue (used by
every part of the service).
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import Table, inspect
from sqlalchemy.orm import make_transient_to_detached

from splice import clock, ids
from splice.components.registry import Registry
from splice.definition import Flow
from splice.engine import WebhookResponse
from splice.services.execution_queue import ExecutionQueue
from splice.services.group_commit import GroupCommit
from splice.services.target_cache import TargetCache
from splice.settings import Settings
from splice.store.db import Database
from splice.store.raw_rows import RowWriter, fill_defaults
from splice.store.tables import Execution

__all__ = [
    "EXECUTIONS",
    "HANDOFF_LIMIT",
    "Accepted",
    "AcceptedRows",
    "ExecutionCore",
    "WebhookRequest",
    "WorkerReservations",
    "ended",
    "insert_execution",
    "is_finished",
    "new_execution",
    "parse_body",
]

EXECUTIONS: Table = Execution.__table__  # type: ignore[assignment]


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
    claimed_by: str | None = None  # an asynchronous row committed already claimed for a worker
    response: WebhookResponse | None = None  # an asynchronous caller's answer set by the trigger
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


# Accepted rows kept for their run in this process. A held row
# costs about 2.3 KB besides its payload, so 10 000 hold about 23 MB: enough for the backlog of
# a burst of webhooks (ingest outruns execution), whose runs would otherwise each read their row
# and instance back in a claim transaction of their own, and so fall further behind (async
# ingest at c=10: about 2 000 -> 2 650 req/s against a limit of 1 000).
HANDOFF_LIMIT = 10_000


class AcceptedRows:
    """Rows accepted in this process, handed to their run here so it need not read them back.

    Bounded by count (``HANDOFF_LIMIT``) and by payload bytes (a backlog of large payloads must
    not pile up in memory); a dropped row is simply read from the database by its run. Rows not
    written yet (a synchronous run's, see ``execution_accept``) are never dropped: only their
    run can write them.
    """

    def __init__(self, *, limit: int = HANDOFF_LIMIT, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._limit = limit
        self._max_bytes = max_bytes
        self._written: OrderedDict[uuid.UUID, Execution] = OrderedDict()
        self._unwritten: dict[uuid.UUID, Execution] = {}
        self._bytes = 0

    def put(self, row: Execution, *, written: bool) -> None:
        """Hand ``row`` over (``written``: it is committed already)."""
        if not written:
            self._unwritten[row.id] = row
            return
        self._written[row.id] = row
        self._bytes += len(row.payload or b"")
        while len(self._written) > self._limit or self._bytes > self._max_bytes:
            _, dropped = self._written.popitem(last=False)
            self._bytes -= len(dropped.payload or b"")

    def take(self, execution_id: uuid.UUID) -> Execution | None:
        """The row handed over for ``execution_id`` (once), or None."""
        row = self._unwritten.pop(execution_id, None)
        if row is not None:
            return row
        row = self._written.pop(execution_id, None)
        if row is not None:
            self._bytes -= len(row.payload or b"")
        return row


class WorkerReservations(Protocol):
    """A dispatcher with a worker idle right now, which an accepted row can be claimed for."""

    def reserve(self) -> str | None:
        """The lease owner name of an idle worker kept for one hand-off, or None."""

    def release(self, owner: str) -> None:
        """Give back a reservation that was not handed an execution."""


class ExecutionCore:
    """What every part of ExecutionService shares: its collaborators, the trigger payload and
    the queue advance."""

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
        # rows as committed at accept time (sync ones already claimed), handed to the run in
        # this process so it need not read them back (bounded)
        self._accepted_rows = AcceptedRows()
        self._targets = TargetCache(instances.webhook_target, db)
        self._group = GroupCommit(db)  # accepted rows and run ends share transactions under load
        self._flows: OrderedDict[str, Flow] = OrderedDict()
        self._flows_by_object: OrderedDict[int, tuple[dict[str, Any], Flow]] = OrderedDict()
        self.http_transport: httpx.AsyncBaseTransport | None = None  # runs' HTTP (tests: ASGI)

    def use_dispatcher(self, submit: Callable[[uuid.UUID], Awaitable[None]]) -> None:
        """Where executions this service creates itself (cross-flow calls) are handed off."""
        self._submit = submit

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
                "stableId": (getattr(target, "flow_definition", None) or {}).get("stableKey"),
            },
            "startedAt": clock.to_iso(execution.started_at or clock.now()),
            "globalDebug": _header(request.get("headers", {}), "prismatic-debug") == "true",
        }


def new_execution(**values: Any) -> Execution:
    """A new (transient) ``Execution`` holding ``values``, set as a loaded row's are: straight
    into the instance's state instead of through one attribute event each, as the constructor
    does. A webhook makes one per call and the events were most of its cost; the object is the
    same to everything else (``insert_execution`` and a session's insert read the same state).
    """
    execution: Execution = Execution._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    vars(execution).update(values)
    return execution


async def insert_execution(writer: RowWriter, execution: Execution) -> None:
    """Insert a new (transient) execution with one prepared ``INSERT``, no unit of work.

    The columns it leaves unset get their defaults here, on the object too (as a flush would
    fill them in); once this runs the object is detached, as after a committed ``add``.
    """
    state = inspect(execution)
    given = state.dict  # the object's values (attribute keys are the column keys), no events
    fill_defaults(EXECUTIONS, given)
    await writer.insert_rows(EXECUTIONS, [{c.key: given[c.key] for c in EXECUTIONS.columns}])
    if state.transient:
        make_transient_to_detached(execution)


def _is_text(content_type: str) -> bool:
    return (
        content_type.startswith("text/")
        or content_type.endswith(("json", "xml"))
        or content_type in ("", "application/x-www-form-urlencoded")
    )


def is_finished(execution: Execution) -> bool:
    """True once an execution has an end state."""
    return execution.ended_at is not None


def ended(execution: Execution) -> datetime | None:
    """When it ended (None while running)."""
    return execution.ended_at
