"""Reading executions: step results (with signed result URLs), logs with keyset cursors, lists."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.errors import InvalidInput, NotAuthenticated, NotFound
from splice.services.authz import Actor, Permission, require
from splice.services.executions import ExecutionService
from splice.services.pagination import Page, PageRequest, fetch_page
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import (
    Execution,
    ExecutionLog,
    ExecutionSection,
    ExecutionStep,
    Instance,
    InstanceFlowConfig,
    IntegrationFlow,
)

__all__ = ["EXECUTION_STATUSES", "ExecutionQueries", "LogPage", "PayloadKind"]

RESULT_URL_TTL = timedelta(hours=1)

EXECUTION_STATUSES = (
    "queued",
    "pending",
    "running",
    "succeeded",
    "failed",
    "stopped",
    "canceled_as_duplicate",
    "canceled",
    "skipped",
)
"""Every ``Execution.status`` value (the ``status`` field and filter of the GraphQL API)."""

STATUS_ALIASES = {"success": ("succeeded", "stopped"), "error": ("failed",)}
"""Prismatic's ``ExecutionStatus`` names (spec 2.12) the ``status`` filter also takes; its
``PENDING`` and ``QUEUED`` are Splice's statuses of the same name."""

PayloadKind = Literal["request", "response"]


@dataclass(frozen=True)
class LogPage:
    """Logs after a cursor, each with its own stable cursor."""

    entries: list[tuple[ExecutionLog, str]]
    has_next_page: bool


def log_cursor(entry: ExecutionLog) -> str:
    """A keyset cursor on (timestamp, id): stable while newer logs are appended."""
    text = f"log|{clock.to_iso(entry.timestamp)}|{entry.timestamp.isoformat()}|{entry.id}"
    return base64.b64encode(text.encode()).decode()


def _decode_log_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        kind, _iso, exact, pk = base64.b64decode(cursor, validate=True).decode().split("|")
        if kind != "log":
            raise ValueError(kind)
        return datetime.fromisoformat(exact), uuid.UUID(pk)
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidInput(f"invalid log cursor {cursor!r}", field="after") from exc


class ExecutionQueries:
    """Queries the GraphQL executions API and the result-URL route use."""

    def __init__(self, settings: Settings, db: Database, executions: ExecutionService) -> None:
        self._settings = settings
        self._db = db
        self._executions = executions

    @property
    def _secret(self) -> str:
        return self._settings.auth.secret_key.get_secret_value()

    async def get(self, actor: Actor, global_id: str, *, field: str = "id") -> Execution:
        """One execution the actor may see; "not found" names the argument ``field``."""
        try:
            return await self._executions.get(actor, global_id)
        except NotFound as exc:
            raise NotFound("execution", global_id, field=field) from exc

    async def search(
        self,
        actor: Actor,
        page: PageRequest,
        *,
        instance: str | None = None,
        is_test: bool | None = None,
        status: str | None = None,
        failed: bool | None = None,
        replay: bool | None = None,
        retry: bool | None = None,
        flow: str | None = None,
        started_from: datetime | None = None,
    ) -> Page[Execution]:
        """Executions, newest first, filtered.

        ``failed``: only those with (True) or without (False) an error; ``replay``/``retry``:
        only replays/retries (True) or only originals (False); ``flow``: an IntegrationFlow
        ID; ``started_from``: started (or, not started yet, created) at or after it.
        """
        require(actor, Permission.READ)
        stmt = select(Execution).where(Execution.organization_id == actor.organization_id)
        if actor.is_customer_user:
            stmt = stmt.join(Instance, Instance.id == Execution.instance_id).where(
                Instance.customer_id == actor.customer_id
            )
        async with self._db.session() as session:
            if instance:
                stmt = stmt.where(
                    Execution.instance_id == await self._instance_pk(session, actor, instance)
                )
        if is_test is not None:
            stmt = stmt.where(Execution.is_test.is_(is_test))
        if status:
            stmt = stmt.where(Execution.status.in_(_statuses(status)))
        if failed is not None:
            stmt = stmt.where(Execution.error.is_not(None) if failed else Execution.error.is_(None))
        if replay is not None:
            column = Execution.replay_of_id
            stmt = stmt.where(column.is_not(None) if replay else column.is_(None))
        if retry is not None:
            column = Execution.retry_of_id
            stmt = stmt.where(column.is_not(None) if retry else column.is_(None))
        if flow:
            flow_pk = _decode(flow, "IntegrationFlow", "flow", "flowConfig_Flow")
            configs = select(InstanceFlowConfig.id).where(InstanceFlowConfig.flow_id == flow_pk)
            stmt = stmt.where(
                or_(Execution.flow_id == flow_pk, Execution.flow_config_id.in_(configs))
            )
        if started_from is not None:
            started = func.coalesce(Execution.started_at, Execution.created_at)
            stmt = stmt.where(started >= started_from)
        limits = self._settings.limits
        async with self._db.session() as session:
            return await fetch_page(
                session,
                stmt.order_by(Execution.created_at.desc(), Execution.id),
                page,
                default=limits.page_size,
                maximum=limits.max_page_size,
            )

    async def steps(
        self,
        actor: Actor,
        execution: Execution,
        page: PageRequest,
        *,
        name: str | None = None,
        descending: bool = False,
    ) -> Page[ExecutionStep]:
        """Step results in the order they ended; ``name`` matches the step key or its name."""
        require(actor, Permission.READ)
        stmt = select(ExecutionStep).where(ExecutionStep.execution_id == execution.id)
        if name:
            stmt = stmt.where(or_(ExecutionStep.step_key == name, ExecutionStep.step_name == name))
        order = ExecutionStep.sequence.desc() if descending else ExecutionStep.sequence
        limits = self._settings.limits
        async with self._db.session() as session:
            return await fetch_page(
                session,
                stmt.order_by(order),
                page,
                default=limits.max_page_size,
                maximum=limits.max_page_size,
            )

    async def logs(
        self, actor: Actor, execution_id: str, *, after: str | None, first: int | None
    ) -> LogPage:
        """Logs of an execution in time order, after a keyset cursor."""
        execution = await self.get(actor, execution_id, field="executionResult")
        size = min(
            first or self._settings.limits.max_page_size, self._settings.limits.max_page_size
        )
        stmt = select(ExecutionLog).where(ExecutionLog.execution_id == execution.id)
        if after:
            stamp, pk = _decode_log_cursor(after)
            stmt = stmt.where(
                or_(
                    ExecutionLog.timestamp > stamp,
                    and_(ExecutionLog.timestamp == stamp, ExecutionLog.id > pk),
                )
            )
        async with self._db.session() as session:
            rows = list(
                (
                    await session.execute(
                        stmt.order_by(ExecutionLog.timestamp, ExecutionLog.id).limit(size + 1)
                    )
                ).scalars()
            )
        return LogPage([(row, log_cursor(row)) for row in rows[:size]], len(rows) > size)

    async def sections(
        self,
        actor: Actor,
        execution_id: str,
        section_ids: list[str] | None = None,
        *,
        descending: bool = False,
    ) -> list[ExecutionSection]:
        """An execution's log sections by start time, optionally only the IDs named."""
        execution = await self.get(actor, execution_id, field="executionResult")
        stmt = select(ExecutionSection).where(ExecutionSection.execution_id == execution.id)
        if section_ids is not None:
            try:
                wanted = [uuid.UUID(str(value)) for value in section_ids]
            except ValueError as exc:
                raise InvalidInput(
                    f"invalid section ID in {section_ids!r}",
                    field="sectionId_In",
                    fix="pass the sectionId values the logs query returned",
                ) from exc
            stmt = stmt.where(ExecutionSection.id.in_(wanted))
        started = ExecutionSection.started_at
        order = (
            (started.desc(), ExecutionSection.id) if descending else (started, ExecutionSection.id)
        )
        async with self._db.session() as session:
            return list((await session.execute(stmt.order_by(*order))).scalars())

    async def _instance_pk(self, session: AsyncSession, actor: Actor, global_id: str) -> uuid.UUID:
        pk = _decode(global_id, "Instance", "instance", "instance")
        row = await session.get(Instance, pk)
        if (
            row is None
            or row.organization_id != actor.organization_id
            or (actor.is_customer_user and row.customer_id != actor.customer_id)
        ):
            raise NotFound("instance", global_id, field="instance")
        return pk

    async def flow(self, execution: Execution) -> IntegrationFlow | None:
        """The integration flow the execution ran (None once deleted)."""
        if execution.flow_id is None:
            return None
        async with self._db.session() as session:
            return await session.get(IntegrationFlow, execution.flow_id)

    def payload_token(self, execution: Execution, kind: PayloadKind) -> str:
        """A signed, short-lived token naming an execution's request or response payload."""
        return self._sign({"typ": f"{kind}-payload", "eid": str(execution.id)})

    async def payload_blob(self, token: str) -> bytes:
        """The JSON ``{body (base64), contentType, headers}`` a signed payload URL names
        (a response also has ``statusCode``): what ``prism integrations:flows:listen`` reads."""
        claims = self._verify(
            token,
            ("request-payload", "response-payload"),
            "the payload URL is invalid or has expired",
            "query requestPayloadUrl or responsePayloadUrl again",
        )
        kind, execution_id = claims["typ"], uuid.UUID(claims["eid"])
        async with self._db.session() as session:
            execution = await session.get(Execution, execution_id)
        if execution is None:
            raise NotFound("execution payload", token)
        if kind == "request-payload":
            document = {
                "body": base64.b64encode(execution.payload).decode(),
                "contentType": execution.payload_content_type,
                "headers": (execution.request or {}).get("headers", {}),
            }
        else:
            response = execution.response or {}
            body = response.get("body", "")
            raw = base64.b64decode(body) if response.get("bodyIsBase64") else str(body).encode()
            document = {
                "statusCode": int(response.get("statusCode") or 200),
                "body": base64.b64encode(raw).decode(),
                "contentType": response.get("contentType") or "application/json",
                "headers": dict(response.get("headers") or {}),
            }
        return json.dumps(document).encode()

    def _sign(self, claims: dict[str, str]) -> str:
        """A short-lived token for an unauthenticated GET (result and payload URLs)."""
        return jwt.encode(
            {**claims, "exp": clock.now() + RESULT_URL_TTL}, self._secret, algorithm="HS256"
        )

    def _verify(self, token: str, kinds: tuple[str, ...], invalid: str, fix: str) -> Any:
        """The claims of a token ``_sign`` made for one of ``kinds``, with its ID checked."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"])
            if claims.get("typ") not in kinds:
                raise ValueError(f"a {claims.get('typ')!r} token")
            uuid.UUID(claims.get("sid") or claims["eid"])
        except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
            raise NotAuthenticated(invalid, fix=fix) from exc
        return claims

    def result_token(self, step: ExecutionStep) -> str:
        """A signed, short-lived token naming one step result (for unauthenticated GETs)."""
        return self._sign({"typ": "step-result", "sid": str(step.id)})

    async def result_blob(self, token: str) -> bytes:
        """The MessagePack ``{data, contentType}`` a signed result URL names."""
        claims = self._verify(
            token,
            ("step-result",),
            "the result URL is invalid or has expired",
            "query resultsUrl again",
        )
        step_id = uuid.UUID(claims["sid"])
        async with self._db.session() as session:
            step = await session.get(ExecutionStep, step_id)
        if step is None:
            raise NotFound("step result", token)
        return step.result


def _statuses(value: str) -> tuple[str, ...]:
    """The ``Execution.status`` values a ``status`` filter value stands for."""
    wanted = value.strip().lower()
    if wanted in EXECUTION_STATUSES:
        return (wanted,)
    if wanted in STATUS_ALIASES:
        return STATUS_ALIASES[wanted]
    raise InvalidInput(
        f"unknown execution status {value!r}",
        field="status",
        fix="use one of " + ", ".join((*EXECUTION_STATUSES, "SUCCESS", "ERROR")),
    )


def _decode(global_id: str, type_name: str, kind: str, field: str) -> uuid.UUID:
    """Decode a global ID argument; "not found" names ``kind`` and the argument ``field``."""
    try:
        return ids.decode(global_id, type_name)
    except NotFound as exc:
        raise NotFound(kind, global_id, field=field) from exc
