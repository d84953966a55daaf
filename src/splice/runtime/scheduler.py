"""The scheduler loop: every ``interval`` seconds, claim due schedule ticks and dispatch them.

Several schedulers may run (one per ``splice server``, or ``splice scheduler`` processes): a
tick is claimed by a unique insert, so each fires once. ``window`` bounds how late a tick may
still fire (a scheduler that was down for an hour does not replay every missed minute).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from splice import clock
from splice.runtime.dispatch import Dispatcher
from splice.services.schedules import ScheduleService

__all__ = ["Scheduler"]

log = logging.getLogger(__name__)


class Scheduler:
    """Periodically turns due schedule ticks into dispatched executions."""

    def __init__(
        self, schedules: ScheduleService, dispatcher: Dispatcher, *, interval: float = 10.0
    ) -> None:
        self._schedules = schedules
        self._dispatcher = dispatcher
        self._interval = interval
        self._window = timedelta(seconds=max(60.0, interval * 3))
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Claim and dispatch what is due now; returns how many executions started."""
        created = await self._schedules.claim_due(clock.now(), self._window)
        for execution_id in created:
            await self._dispatcher.submit(execution_id)
        return len(created)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("scheduler tick failed; trying again in %s s", self._interval)
            await asyncio.sleep(self._interval)
