"""The Dispatcher port: hand a committed execution to whatever runs it.

Dispatchers carry only execution IDs, never payloads: the row is the truth, so a lost hand-off
is repaired by the sweeper re-dispatching the ID, and running the same ID twice is harmless
because ``ExecutionService.run`` claims it with a lease first.
"""

from __future__ import annotations

import uuid
from typing import Protocol

__all__ = ["Dispatcher"]


class Dispatcher(Protocol):
    """Runs committed executions somewhere."""

    async def start(self) -> None:
        """Start workers (no-op for remote dispatchers)."""

    async def submit(self, execution_id: uuid.UUID) -> None:
        """Queue an execution; returns at once."""

    async def stop(self) -> None:
        """Stop accepting work and wait for running executions to reach a step boundary."""
