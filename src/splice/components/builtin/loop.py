"""The `loop` core component: run the nested steps once per item, or N times.

Loops are engine constructs: the engine recognises these action keys, iterates the step's
nested ``steps`` and collects each iteration's last result (see engine/README.md). The functions
here only describe what one would return when called on its own (``testing.invoke``).
"""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import as_int, as_list, maybe_json
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_loop = component(
    "loop",
    label="Loop",
    description="Run the nested steps once per item, or N times",
    category="Logic",
)


@_loop.action(
    "loopOverItems",
    label="Loop Over Items",
    description="Runs the nested steps for each item of a list",
    inputs=(Input("items", "Items", type="data", required=True),),
)
def loop_over_items(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    items = maybe_json(inputs.get("items"))
    if isinstance(items, dict):
        return [{"key": k, "value": v} for k, v in items.items()]
    return as_list(items, key="items")


@_loop.action(
    "loopNTimes",
    label="Loop N Times",
    description="Runs the nested steps a number of times",
    inputs=(Input("iterationCount", "Number of Iterations", default="1000"),),
)
def loop_n_times(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    return list(range(max(0, as_int(inputs.get("iterationCount"), 1000, key="iterationCount"))))


@_loop.action("breakLoop", label="Break Loop", description="Leaves the innermost loop")
def break_loop(ctx: ActionContext, inputs: dict[str, Any]) -> None:
    return None


COMPONENT = _loop.build()
MANIFEST = COMPONENT.manifest
