"""Outbox recovery: re-dispatch executions that were committed but never run, or whose lease expired.

Runs once at start-up (a crash between commit and hand-off leaves pending rows) and then every
``interval`` seconds (a worker that died mid-run stops renewing its lease). It also advances flow
queues whose queued executions may start (a retry whose delay passed, or a queue whose
predecessor ended in a process that died before starting the next).
"""

from __future__ import annotations

import asyncio
import logging

from splice.runtime.dispatch import Dispatcher
from splice.services.executions import ExecutionService

__all__ = ["Sweeper"]

log = logging.getLogger(__name__)


class Sweeper:
    """Periodically hands reclaimable executions to the dispatcher again."""

    def __init__(
        self, executions: ExecutionService, dispatcher: Dispatcher, *, interval: float = 30.0
    ) -> None:
        self._executions = executions
        self._dispatcher = dispatcher
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> int:
        """Dispatch every reclaimable execution once; returns how many."""
        # a dead worker's run starts again a bounded number of times, then ends failed
        found = await self._executions.recover(await self._executions.reclaimable())
        await self._executions.queue.cancel_orphans()
        for flow_config_id in await self._executions.queue.stalled():
            found += await self._executions.queue.advance(flow_config_id)
        for execution_id in found:
            await self._dispatcher.submit(execution_id)
        if found:
            log.info("sweeper re-dispatched %d execution(s)", len(found))
        return len(found)

    async def start(self) -> None:
        await self.sweep_once()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.sweep_once()
            except Exception:
                log.exception("sweep failed; trying again in %s s", self._interval)
