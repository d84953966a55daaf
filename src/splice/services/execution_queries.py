"""Reading executions: step results (with signed result URLs), logs with keyset cursors, lists."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from sqlalchemy import and_, or_, select

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
)

__all__ = ["ExecutionQueries", "LogPage"]

RESULT_URL_TTL = timedelta(hours=1)


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

    async def search(
        self,
        actor: Actor,
        page: PageRequest,
        *,
        instance: str | None = None,
        is_test: bool | None = None,
        status: str | None = None,
    ) -> Page[Execution]:
        """Executions, newest first, filtered."""
        require(actor, Permission.READ)
        stmt = select(Execution).where(Execution.organization_id == actor.organization_id)
        if actor.is_customer_user:
            stmt = stmt.join(Instance, Instance.id == Execution.instance_id).where(
                Instance.customer_id == actor.customer_id
            )
        if instance:
            stmt = stmt.where(Execution.instance_id == ids.decode(instance, "Instance"))
        if is_test is not None:
            stmt = stmt.where(Execution.is_test.is_(is_test))
        if status:
            stmt = stmt.where(Execution.status == status.lower())
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
        execution = await self._executions.get(actor, execution_id)
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
        execution = await self._executions.get(actor, execution_id)
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

    def result_token(self, step: ExecutionStep) -> str:
        """A signed, short-lived token naming one step result (for unauthenticated GETs)."""
        return jwt.encode(
            {"typ": "step-result", "sid": str(step.id), "exp": clock.now() + RESULT_URL_TTL},
            self._secret,
            algorithm="HS256",
        )

    async def result_blob(self, token: str) -> bytes:
        """The MessagePack ``{data, contentType}`` a signed result URL names."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"])
            if claims.get("typ") != "step-result":
                raise NotAuthenticated("this is not a step result URL")
            step_id = uuid.UUID(claims["sid"])
        except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
            raise NotAuthenticated(
                "the result URL is invalid or has expired", fix="query resultsUrl again"
            ) from exc
        async with self._db.session() as session:
            step = await session.get(ExecutionStep, step_id)
        if step is None:
            raise NotFound("step result", token)
        return step.result
