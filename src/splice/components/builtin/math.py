"""The `math` core component: arithmetic on numeric strings (spec 15).

Numbers are read as JavaScript's ``Number()`` reads decimal text (no ``1_000``, ASCII digits
only). Inputs and results must be finite: ``Infinity``, ``"1e400"`` and sums too large for a
double fail the step naming the input, rather than giving a result JSON cannot hold.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_list, as_number
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
        total += _finite(
            as_number(number, key="numbers"), f"has a value that is not finite ({number!r})"
        )
    total = _finite(total, "adds up to a sum that is not finite")
    if isinstance(total, float) and total.is_integer():
        return int(total)
    return total


def _finite(number: int | float, reason: str) -> int | float:
    """``number`` if a double can hold it, else an error naming the ``numbers`` input."""
    if isinstance(number, int):
        finite = -sys.float_info.max <= number <= sys.float_info.max
    else:
        finite = math.isfinite(number)
    if not finite:
        raise InputValueError(reason, "numbers")
    return number


COMPONENT = _math.build()
MANIFEST = COMPONENT.manifest
