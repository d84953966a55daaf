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

    async def submit(self, execution_id: uuid.UUID, *, claimed_by: str | None = None) -> None:
        """Queue an execution; returns at once. ``claimed_by``: the row was committed already
        claimed for a worker this dispatcher reserved (``reserve``)."""

    def reserve(self) -> str | None:
        """Keep an idle worker for one execution about to be accepted: the lease owner to claim
        its row for, or None (no idle worker, or a remote dispatcher)."""

    def release(self, owner: str) -> None:
        """Give back a reservation that was not handed an execution."""

    async def stop(self) -> None:
        """Stop accepting work and wait for running executions to reach a step boundary."""
