"""The `math` core component: arithmetic on numeric strings (spec 15)."""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import as_list, as_number
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_math = component(
    "math", label="Math", description="Arithmetic on numeric strings", category="Data"
)


@_math.action(
    "add",
    label="Add",
    description="Returns the sum of the numbers",
    inputs=(Input("numbers", "Numbers", required=True, collection="valuelist"),),
)
def add(ctx: ActionContext, inputs: dict[str, Any]) -> int | float:
    """The sum as a number; integral sums come back as ``int`` (a cursor stays ``2``, not ``2.0``)."""
    total: int | float = 0
    for number in as_list(inputs.get("numbers"), key="numbers"):
        total += as_number(number, key="numbers")
    if isinstance(total, float) and total.is_integer():
        return int(total)
    return total


COMPONENT = _math.build()
MANIFEST = COMPONENT.manifest
