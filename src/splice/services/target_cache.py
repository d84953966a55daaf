"""Webhook targets cached by flow config ID, so a busy webhook costs no configuration queries.

A cached target is used while no configuration change was committed in this process
(``Database.generation``: deploy, disable, delete, config values, API keys, token refresh all bump
it) and for at most ``ttl`` seconds, which bounds staleness for changes made by another process
(several ``splice server`` processes on one PostgreSQL database).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from splice.store.db import Database

__all__ = ["TargetCache"]

TTL_SECONDS = 2.0
LIMIT = 512


class TargetCache:
    """``get(flow_config_id)`` = ``lookup(flow_config_id)``, remembered briefly."""

    def __init__(
        self,
        lookup: Callable[[str], Awaitable[Any]],
        db: Database,
        *,
        ttl: float = TTL_SECONDS,
        limit: int = LIMIT,
    ) -> None:
        self._lookup = lookup
        self._db = db
        self._ttl = ttl
        self._limit = limit
        self._entries: OrderedDict[str, tuple[int, float, Any]] = OrderedDict()

    async def get(self, flow_config_id: str) -> Any:
        """The target, from the cache when nothing changed since it was looked up."""
        entry = self._entries.get(flow_config_id)
        now = time.monotonic()
        if entry is not None and entry[0] == self._db.generation and entry[1] > now:
            return entry[2]
        generation = self._db.generation  # a change committed during the lookup voids it
        target = await self._lookup(flow_config_id)
        if generation == self._db.generation:
            self._entries[flow_config_id] = (generation, now + self._ttl, target)
            self._entries.move_to_end(flow_config_id)
            while len(self._entries) > self._limit:
                self._entries.popitem(last=False)
        return target
