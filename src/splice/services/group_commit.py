"""Group commit: writes that arrive while a commit is under way share the next transaction.

Each caller still returns only after *its* write is committed (an accepted webhook is answered
after its row is durable), but under load many callers share one BEGIN/COMMIT instead of queueing
one transaction each behind SQLite's single writer. A lone caller pays no added delay: its batch
starts at once. If a shared transaction fails, each write of the batch is retried alone, so one
bad write fails only its own caller.

Two kinds of write: ``run(work)`` gives the work an ORM session; ``run_rows(work)`` gives it only
a ``RowWriter`` for run records. On SQLite a batch of row writes runs on the pooled ``sqlite3``
connection itself, without a session: the session's bookkeeping cost several times SQLite's own
work for a webhook's few rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from splice.store.db import Database
from splice.store.raw_rows import DriverWriter, RowWriter, SessionWriter
from splice.store.sqlite_inline import begin_immediate_async

__all__ = ["GroupCommit"]

T = TypeVar("T")
MAX_BATCH = 200


@dataclass
class _Write:
    work: Callable[[Any], Awaitable[Any]]
    future: asyncio.Future[Any]
    needs_session: bool


class GroupCommit:
    """``run(work)`` / ``run_rows(work)``: ``work`` in a transaction shared with concurrent
    callers."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._waiting: list[_Write] = []
        self._writer: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work(session)`` and commit; returns its result once the commit is done."""
        return await self._enqueue(work, needs_session=True)

    async def run_rows(self, work: Callable[[RowWriter], Awaitable[T]]) -> T:
        """Run ``work(writer)`` (run-record rows only) and commit; returns its result then."""
        return await self._enqueue(work, needs_session=False)

    async def _enqueue(self, work: Callable[[Any], Awaitable[T]], *, needs_session: bool) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Write(work, future, needs_session))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await asyncio.shield(future)

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                if len(batch) == 1 or not await self._together(batch):
                    for write in batch:
                        await self._alone(write)
        finally:
            self._writer = None

    async def _transaction(self, batch: list[_Write]) -> list[Any]:
        """Run the batch's works in one transaction and commit; their results."""
        if self._db.is_sqlite and not any(write.needs_session for write in batch):
            return await self._driver_transaction(batch)
        async with self._db.session() as session:
            writer = SessionWriter(session)
            results = [
                await write.work(session if write.needs_session else writer) for write in batch
            ]
            await session.commit()
        return results

    async def _driver_transaction(self, batch: list[_Write]) -> list[Any]:
        pooled = await self._db.engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None, "a pooled connection has its driver connection"
            await begin_immediate_async(driver)
            try:
                writer = DriverWriter(driver, self._db.engine.dialect)
                results = [await write.work(writer) for write in batch]
                driver.commit()
            except BaseException:
                driver.rollback()
                raise
        finally:
            pooled.close()  # back to the pool
        return results

    async def _together(self, batch: list[_Write]) -> bool:
        try:
            results = await self._transaction(batch)
        except Exception:
            return False  # rolled back: each write is retried on its own
        for write, result in zip(batch, results, strict=True):
            if not write.future.done():
                write.future.set_result(result)
        return True

    async def _alone(self, write: _Write) -> None:
        try:
            (result,) = await self._transaction([write])
        except Exception as exc:
            if not write.future.done():
                write.future.set_exception(exc)
            return
        if not write.future.done():
            write.future.set_result(result)
