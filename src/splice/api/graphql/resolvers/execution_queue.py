"""Resolvers of flow queues: an execution's result type and the FIFO admin mutations."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice.api.graphql.resolvers.common import Info, ctx, payload, required_id
from splice.services.execution_queue import DUPLICATE
from splice.store.tables import Execution

__all__ = ["BINDABLES"]

mutation = ObjectType("RootMutation")
execution_type = ObjectType("InstanceExecutionResult")

RESULT_TYPES = {
    "succeeded": "COMPLETED",
    "stopped": "COMPLETED",
    "failed": "ERROR",
    DUPLICATE: "CANCELED_AS_DUPLICATE",
}


@execution_type.field("resultType")
def resolve_result_type(execution: Execution, _: Info) -> str | None:
    return RESULT_TYPES.get(execution.status)


async def _clear(info: Info, data: dict[str, Any], *, queued_too: bool) -> Any:
    c = ctx(info)
    flow_config = required_id(data)
    await c.services.executions.clear_fifo(c.actor, flow_config, queued_too=queued_too)
    return await c.services.instances.flow_config(c.actor, flow_config)


@mutation.field("clearFifoWorkingSet")
@payload("instanceFlowConfig")
async def clear_working_set(_: Any, info: Info, input: dict[str, Any]) -> Any:
    return await _clear(info, input, queued_too=False)


@mutation.field("clearAllFifoData")
@payload("instanceFlowConfig")
async def clear_all(_: Any, info: Info, input: dict[str, Any]) -> Any:
    return await _clear(info, input, queued_too=True)


BINDABLES = (mutation, execution_type)
