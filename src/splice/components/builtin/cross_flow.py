"""The `cross-flow` core component: invoke a sibling flow of the same instance.

``crossFlow`` passes its payload through (the caller's data is in ``body.data``); ``invokeFlow``
calls ``ctx.invoke_flow`` asynchronously and returns what it gives back (``{"executionId"}``).
"""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_str
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_cross = component(
    "cross-flow",
    label="Cross Flow",
    description="Invoke a sibling flow of the same instance",
    category="Platform",
)


@_cross.trigger(
    "crossFlow",
    label="Cross-Flow Trigger",
    description="Runs when another flow of the instance invokes this flow",
)
def cross_flow(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    return ctx.trigger_payload


@_cross.action(
    "invokeFlow",
    label="Invoke Flow",
    description="Starts a sibling flow with the given data",
    inputs=(
        Input("flowName", "Flow Name", required=True),
        Input("data", "Data", type="data"),
    ),
)
async def invoke_flow(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    name = as_str(inputs.get("flowName"))
    if not name:
        raise InputValueError("must name the flow to invoke", "flowName")
    if ctx.invoke_flow is None:
        raise RuntimeError("invoking other flows is not available in this run")
    return await ctx.invoke_flow(name, inputs.get("data"), synchronous=False)


COMPONENT = _cross.build()
MANIFEST = COMPONENT.manifest
