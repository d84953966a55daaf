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
    """``workers`` tasks take execution IDs from a queue and run them in this process."""

    def __init__(self, executions: ExecutionService, *, workers: int = 8) -> None:
        self._executions = executions
        self._workers = workers
        self._queue: asyncio.Queue[uuid.UUID] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._name = f"inline-{os.getpid()}-{uuid.uuid4().hex[:6]}"

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._work(n), name=f"{self._name}-{n}")
            for n in range(self._workers)
        ]

    async def submit(self, execution_id: uuid.UUID) -> None:
        await self._queue.put(execution_id)

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
            execution_id = await self._queue.get()
            try:
                await self._executions.run(execution_id, worker=worker)
            except Exception:
                log.exception("execution %s could not be run; the sweeper will retry", execution_id)
            finally:
                self._queue.task_done()
