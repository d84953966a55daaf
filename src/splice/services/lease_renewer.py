"""Keeps a running execution's lease fresh until its run ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["LeaseRenewer"]

log = logging.getLogger(__name__)


class LeaseRenewer:
    """Calls ``renew()`` every ``every`` seconds until ``stop()``.

    Most runs end long before the first renewal, so between renewals this is a timer handle
    (cheap to set and to cancel), not a sleeping task: a task exists only while a renewal is
    being written. A renewal that fails is logged and tried again at the next interval: giving
    up would let the lease lapse and the sweeper start the execution a second time.
    """

    def __init__(self, renew: Callable[[], Awaitable[None]], every: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._renew = renew
        self._every = every
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._handle = self._loop.call_later(every, self._due)

    def _due(self) -> None:
        self._task = self._loop.create_task(self._renew_then_rearm())

    async def _renew_then_rearm(self) -> None:
        try:
            await self._renew()
        except Exception as exc:  # e.g. the database is locked for long: try at the next one
            log.warning("could not renew an execution's lease: %s", exc)
        if not self._stopped:
            self._handle = self._loop.call_later(self._every, self._due)

    @property
    def active(self) -> bool:
        """True until ``stop()``."""
        return not self._stopped

    def stop(self) -> None:
        """No more renewals; one being written is cancelled."""
        self._stopped = True
        self._handle.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()
