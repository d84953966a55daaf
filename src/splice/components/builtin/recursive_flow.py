"""The `recursive-flow` core component: run a flow again with a cursor, page by page.

The trigger takes the cursor from the invocation (``body.data.cursor``), else ``defaultCursor``,
and keeps it in the execution state; ``getCursor``/``setCursor`` read and write it there and
``invokeRecursive`` starts this flow again (``ctx.invoke_flow``) with ``{"cursor": ...}``.
``runOnDeploy`` is read by the deploy service, which starts the flow (with no cursor) when an
instance is deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from splice.components.context import ActionContext
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "CURSOR_KEY", "MANIFEST"]

CURSOR_KEY = "__splice.recursiveCursor"

_recursive = component(
    "recursive-flow",
    label="Recursive Flow",
    description="Run a flow again with a cursor, page by page",
    category="Platform",
)


def _incoming_cursor(payload: Any) -> Any:
    body = payload.get("body") if isinstance(payload, Mapping) else None
    data = body.get("data") if isinstance(body, Mapping) else None
    return data.get("cursor") if isinstance(data, Mapping) else None


@_recursive.trigger(
    "recursiveTrigger",
    label="Recursive Trigger",
    description="Runs on invocation by invokeRecursive (and optionally on deploy)",
    inputs=(
        Input("runOnDeploy", "Run on Deploy", type="boolean", default="false"),
        Input("defaultCursor", "Default Cursor"),
    ),
)
async def recursive_trigger(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    cursor = _incoming_cursor(ctx.trigger_payload)
    if cursor is None:
        cursor = inputs.get("defaultCursor")
    await ctx.state.set("execution", CURSOR_KEY, cursor)
    return ctx.trigger_payload


@_recursive.action("getCursor", label="Get Cursor", description="Returns the cursor")
async def get_cursor(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    return await ctx.state.get("execution", CURSOR_KEY)


@_recursive.action(
    "setCursor",
    label="Set Cursor",
    description="Sets the cursor for the next invocation",
    inputs=(Input("cursor", "Cursor", required=True),),
)
async def set_cursor(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    cursor = inputs.get("cursor")
    await ctx.state.set("execution", CURSOR_KEY, cursor)
    return cursor


@_recursive.action(
    "invokeRecursive",
    label="Invoke Recursive",
    description="Starts this flow again with the cursor",
)
async def invoke_recursive(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    if ctx.invoke_flow is None:
        raise RuntimeError("invoking flows is not available in this run")
    name = ctx.flow.get("name")
    if not name:
        raise RuntimeError("the run does not know its flow's name")
    cursor = await ctx.state.get("execution", CURSOR_KEY)
    return await ctx.invoke_flow(str(name), {"cursor": cursor}, synchronous=False)


COMPONENT = _recursive.build()
MANIFEST = COMPONENT.manifest
