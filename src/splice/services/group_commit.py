"""Group commit: writes that arrive while a commit is under way share the next transaction.

Each caller still returns only after *its* write is committed (an accepted webhook is answered
after its row is durable), but under load many callers share one BEGIN/COMMIT instead of queueing
one transaction each behind SQLite's single writer. A lone caller pays no added delay: its batch
starts at once. If a shared transaction fails, each write of the batch is retried alone, so one
bad write fails only its own caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from splice.store.db import Database

__all__ = ["GroupCommit"]

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]
MAX_BATCH = 200


class GroupCommit:
    """``run(work)`` runs ``work(session)`` in a transaction shared with concurrent callers."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` and commit; returns its result once the commit is done."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await asyncio.shield(future)

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                if len(batch) == 1 or not await self._together(batch):
                    for item in batch:
                        await self._alone(*item)
        finally:
            self._writer = None

    async def _together(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> bool:
        try:
            async with self._db.session() as session:
                results = [await work(session) for work, _ in batch]
                await session.commit()
        except Exception:
            return False  # rolled back: each write is retried on its own
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        return True

    async def _alone(self, work: Work, future: asyncio.Future[Any]) -> None:
        try:
            async with self._db.session() as session:
                result = await work(session)
                await session.commit()
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(result)
