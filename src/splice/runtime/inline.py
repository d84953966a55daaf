"""The embedded default: an asyncio worker pool inside ``splice server``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid

from splice.services.executions import ExecutionService

__all__ = ["InlineDispatcher"]

log = logging.getLogger(__name__)


class InlineDispatcher:
    """``workers`` tasks take execution IDs from a queue and run them in this process.

    An idle worker can be reserved for an execution being accepted (``reserve``): its row is
    then committed already claimed, and the worker runs it without writing a claim first. A
    reservation is granted only while the queue is empty and more workers wait than are
    reserved, so the row is taken at once.
    """

    def __init__(self, executions: ExecutionService, *, workers: int = 8) -> None:
        self._executions = executions
        self._workers = workers
        self._queue: asyncio.Queue[tuple[uuid.UUID, str | None]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._name = f"inline-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._idle = 0
        self._reserved = 0

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._work(n), name=f"{self._name}-{n}")
            for n in range(self._workers)
        ]

    def reserve(self) -> str | None:
        if not self._tasks or not self._queue.empty() or self._idle <= self._reserved:
            return None
        self._reserved += 1
        return f"{self._name}-claimed"

    def release(self, owner: str) -> None:
        self._reserved -= 1

    async def submit(self, execution_id: uuid.UUID, *, claimed_by: str | None = None) -> None:
        await self._queue.put((execution_id, claimed_by))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def join(self) -> None:
        """Wait until every submitted execution has been run (for tests and shutdown)."""
        await self._queue.join()

    async def _work(self, number: int) -> None:
        worker = f"{self._name}-{number}"
        while True:
            self._idle += 1
            try:
                execution_id, claimed_by = await self._queue.get()
            finally:
                self._idle -= 1
            if claimed_by is not None:
                self._reserved -= 1
            try:
                if claimed_by is None:
                    await self._executions.run(execution_id, worker=worker)
                else:
                    await self._executions.run(execution_id, worker=claimed_by, claimed=True)
            except Exception:
                log.exception("execution %s could not be run; the sweeper will retry", execution_id)
            finally:
                self._queue.task_done()
