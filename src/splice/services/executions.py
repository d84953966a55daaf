"""Executions: accept a trigger (commit first), run it under a lease, record, query, replay.

Nothing accepted is lost: ``accept_webhook`` commits the execution row with its payload before
the caller answers; ``run`` claims a row with a lease, so a row whose worker died is claimed
again once its lease expires (``reclaimable``) and an already-finished row is never run twice.

``ExecutionService`` is assembled from parts by responsibility: ``execution_core``
(collaborators, webhook request, trigger payload, queue advance), ``execution_run`` (claim,
run, cross-flow calls, finish, retries, the sweeper's rows), ``execution_accept`` (webhooks,
lifecycle triggers), ``execution_replay`` (get, replay, resume); this module adds clearing a
flow's queue. Step results, logs and lists are read by ``execution_queries``.
"""

from __future__ import annotations

from splice import ids
from splice.services.authz import Actor, require_queue_admin
from splice.services.execution_accept import ExecutionAccept
from splice.services.execution_core import (
    Accepted,
    WebhookRequest,
    ended,
    is_finished,
    parse_body,
)
from splice.services.execution_queue import END_MARKER
from splice.services.execution_replay import ExecutionReplay

__all__ = [
    "END_MARKER",
    "Accepted",
    "ExecutionService",
    "WebhookRequest",
    "ended",
    "is_finished",
    "parse_body",
]


class ExecutionService(ExecutionAccept, ExecutionReplay):
    """Use cases on executions; the webhook handler, dispatchers and GraphQL all come here."""

    async def clear_fifo(self, actor: Actor, flow_config_id: str, *, queued_too: bool) -> int:
        """Release the flow config's FIFO working set (``clearFifoWorkingSet``) and, with
        ``queued_too``, cancel its queued executions (``clearAllFifoData``); returns how many."""
        require_queue_admin(actor)
        await self._instances.flow_config(actor, flow_config_id)  # NotFound unless visible
        pk = ids.decode(flow_config_id, "InstanceFlowConfig")
        count, started = await self.queue.clear(pk, queued_too=queued_too)
        if self._submit is not None:
            for execution_id in started:
                await self._submit(execution_id)
        return count
