"""The `branch` core component: choose which steps run next.

Both branching actions return ``ActionResult(data=<branch name>, branch=<branch name>)``; the
engine then runs that branch's steps (``Else`` when none matched). The condition language
(yaml-definition 11.1) is evaluated here, with the JavaScript-flavoured semantics of Prismatic's
reference implementation: terms that hold JSON text are parsed first, ``equal`` is loose,
``exactlyMatches`` strict, comparisons cast like JS, date operators parse ISO 8601, ``yyyy``,
``yyyy-MM-dd`` and epoch milliseconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_str, kv_pairs, maybe_json
from splice.components.sdk import ActionResult, Input, component

__all__ = ["COMPONENT", "MANIFEST", "OPERATORS", "evaluate"]

ELSE = "Else"

# -- JavaScript-like value semantics --------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _to_number(value: Any) -> float:
    """JS ``Number(value)``."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if _is_number(value):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(text)
        except ValueError:
            return math.nan
    return math.nan


def _truthy(value: Any) -> bool:
    """JS truthiness: ``[]`` and ``{}`` are true; ``0``, ``NaN``, ``""`` and null are false."""
    if value is None or value is False:
        return False
    if _is_number(value):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _js_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join("" if v is None else _js_text(v) for v in value)
    return as_str(value)


def _deep_equal(left: Any, right: Any, loose: bool) -> bool:
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            _deep_equal(a, b, loose) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            _deep_equal(left[k], right[k], loose) for k in left
        )
    if loose:
        return _loose_equal(left, right)
    if type(left) is not type(right) and not (_is_number(left) and _is_number(right)):
        return False
    return bool(left == right)


def _loose_equal(left: Any, right: Any) -> bool:
    """JS ``==``, deep for arrays and objects."""
    if isinstance(left, list | dict) or isinstance(right, list | dict):
        if type(left) is type(right):
            return _deep_equal(left, right, True)
        return False
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, bool | int | float | str) and isinstance(right, bool | int | float | str):
        return _to_number(left) == _to_number(right)
    return bool(left == right)


def _compare(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Operands as JS relational operators see them; None when the comparison is false (NaN)."""
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    a, b = _to_number(left), _to_number(right)
    if math.isnan(a) or math.isnan(b):
        return None
    return a, b


def _contains(left: Any, right: Any) -> bool:
    if isinstance(right, str):
        return _js_text(left) in right
    if isinstance(right, list):
        return any(_deep_equal(left, item, False) for item in right)
    if isinstance(right, dict):
        return _js_text(left) in right
    return False


def _length(value: Any, operator: str) -> int:
    if value is None:
        return 0
    if isinstance(value, str | list | dict):
        return len(value)
    raise ValueError(f"'{operator}' needs text or a list, got {type(value).__name__}")


_YEAR = re.compile(r"^\d{4}$")


def _to_datetime(value: Any, operator: str) -> datetime:
    result: datetime | None = None
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif _is_number(value):
        result = datetime.fromtimestamp(value / 1000, UTC)
    elif isinstance(value, str):
        text = value.strip()
        if _YEAR.match(text):
            result = datetime(int(text), 1, 1, tzinfo=UTC)
        elif text.lstrip("-").isdigit():
            result = datetime.fromtimestamp(int(text) / 1000, UTC)
        else:
            try:
                result = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                result = None
    if result is None:
        raise ValueError(f"'{operator}' cannot read {value!r} as a date/time")
    return result if result.tzinfo else result.replace(tzinfo=UTC)


def _is_true(value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("t", "true", "y", "yes"):
            return True
        if lowered in ("f", "false", "n", "no"):
            return False
    return _truthy(value)


def _exists(value: Any) -> bool:
    return _truthy(value)


def _relational(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def run(left: Any, right: Any) -> bool:
        pair = _compare(left, right)
        return pair is not None and test(*pair)

    return run


def _dates(test: Callable[[datetime, datetime], bool], name: str) -> Callable[[Any, Any], bool]:
    return lambda left, right: test(_to_datetime(left, name), _to_datetime(right, name))


UNARY: dict[str, Callable[[Any], bool]] = {
    "isTrue": _is_true,
    "isFalse": lambda v: not _is_true(v),
    "exists": _exists,
    "doesNotExist": lambda v: not _exists(v),
    "isEmpty": lambda v: _length(v, "isEmpty") == 0,
    "isNotEmpty": lambda v: _length(v, "isNotEmpty") > 0,
}

BINARY: dict[str, Callable[[Any, Any], bool]] = {
    "equal": _loose_equal,
    "notEqual": lambda a, b: not _loose_equal(a, b),
    "exactlyMatches": lambda a, b: _deep_equal(a, b, False),
    "doesNotExactlyMatch": lambda a, b: not _deep_equal(a, b, False),
    "greaterThan": _relational(lambda a, b: a > b),
    "greaterThanOrEqual": _relational(lambda a, b: a >= b),
    "lessThan": _relational(lambda a, b: a < b),
    "lessThanOrEqual": _relational(lambda a, b: a <= b),
    "in": _contains,
    "notIn": lambda a, b: not _contains(a, b),
    "startsWith": lambda a, b: _js_text(b).startswith(_js_text(a)),
    "doesNotStartWith": lambda a, b: not _js_text(b).startswith(_js_text(a)),
    "endsWith": lambda a, b: _js_text(b).endswith(_js_text(a)),
    "doesNotEndWith": lambda a, b: not _js_text(b).endswith(_js_text(a)),
}

DATES: dict[str, Callable[[Any, Any], bool]] = {
    "dateTimeAfter": _dates(lambda a, b: a > b, "dateTimeAfter"),
    "dateTimeBefore": _dates(lambda a, b: a < b, "dateTimeBefore"),
    "dateTimeSame": _dates(lambda a, b: a == b, "dateTimeSame"),
}

OPERATORS = frozenset({"and", "or", *UNARY, *BINARY, *DATES})


def evaluate(expression: Any) -> bool:
    """Evaluate a resolved condition: ``[and|or, expr...]`` or ``[operator, left, right?]``."""
    if not isinstance(expression, list) or not expression:
        raise ValueError(f"a condition must be a non-empty list, got {expression!r}")
    operator, *terms = expression
    if operator == "and":
        return all(evaluate(term) for term in terms)
    if operator == "or":
        return any(evaluate(term) for term in terms)
    left = terms[0] if terms else None
    right = terms[1] if len(terms) > 1 else None
    if operator in UNARY:
        return UNARY[operator](maybe_json(left))
    if operator in BINARY:
        return BINARY[operator](maybe_json(left), maybe_json(right))
    if operator in DATES:
        return DATES[operator](left, right)
    raise ValueError(f"unknown condition operator {operator!r}")


# -- the component --------------------------------------------------------------------------

_branch = component(
    "branch",
    label="Branch",
    description="Choose which steps run next",
    category="Logic",
)


def _chosen(name: str) -> ActionResult:
    return ActionResult(data=name, branch=name)


@_branch.action(
    "branchOnExpression",
    label="Branch on Expression",
    description="Runs the first branch whose condition holds, else Else",
    branching=True,
    dynamic_branches=True,
    inputs=(Input("conditions", "Conditions", type="conditional", required=True),),
)
def branch_on_expression(ctx: ActionContext, inputs: dict[str, Any]) -> ActionResult:
    for name, condition in kv_pairs(inputs.get("conditions"), key="conditions"):
        try:
            matched = evaluate(condition)
        except ValueError as exc:
            raise InputValueError(f"branch '{name}': {exc}", "conditions") from exc
        if matched:
            return _chosen(name)
    return _chosen(ELSE)


@_branch.action(
    "branchOnValue",
    label="Branch on Value",
    description="Runs the branch whose value equals the input value, else Else",
    branching=True,
    dynamic_branches=True,
    inputs=(
        Input("inputValue", "Input Value", type="data", required=True),
        Input("branchValueMappings", "Value to Branch Mappings", required=True, collection="keyvaluelist"),
    ),
)  # fmt: skip
def branch_on_value(ctx: ActionContext, inputs: dict[str, Any]) -> ActionResult:
    value = inputs.get("inputValue")
    parsed = maybe_json(value)
    mappings = kv_pairs(inputs.get("branchValueMappings"), key="branchValueMappings")
    for name, expected in mappings:
        if _deep_equal(value, expected, False) or _loose_equal(parsed, maybe_json(expected)):
            return _chosen(name)
    return _chosen(ELSE)


@_branch.action(
    "selectExecutedStepResult",
    label="Select Executed Step Result",
    description="Returns the result of whichever listed step ran",
    inputs=(
        Input("stepResults", "Step Results", type="data", required=True, collection="valuelist"),
    ),
)
def select_executed_step_result(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    results = inputs.get("stepResults")
    if isinstance(results, Mapping):
        results = list(results.values())
    if not isinstance(results, list):
        return results
    return next((r for r in results if r is not None), None)


COMPONENT = _branch.build()
MANIFEST = COMPONENT.manifest
