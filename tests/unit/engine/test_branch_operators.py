"""branchOnExpression through the engine, table-driven over every operator of yaml-definition 11.1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from splice.components.builtin.branch import OPERATORS
from tests.unit.engine.helpers import flow, run


def term(value: Any) -> str:
    """A term as a YAML flow mapping: strings as value inputs, anything else via a reference."""
    if isinstance(value, str):
        return "{type: value, value: " + json.dumps(value) + "}"
    return "{type: reference, value: " + json.dumps(f"trigger.results.body.data.{value[0]}") + "}"


# (operator, left, right, expected); ("ref", name) reads body.data[name] (non-string values)
DATA = {
    "five": 5,
    "list": [1, 2, 3],
    "obj": {"a": 1},
    "empty": [],
    "zero": 0,
    "no": False,
    "none": None,
}
CASES: list[tuple[str, Any, Any, bool]] = [
    ("equal", "5.2", "5.2", True),
    ("equal", ("five",), "5", True),
    ("equal", "false", "0", True),
    ("equal", "[1,2,3]", ("list",), True),
    ("equal", "abc", "ABC", False),
    ("notEqual", "abc", "abd", True),
    ("notEqual", ("five",), "5", False),
    ("exactlyMatches", ("five",), "5", True),  # "5" parses as JSON to 5
    ("exactlyMatches", '"5"', "5", False),
    ("exactlyMatches", '{"a": 1}', ("obj",), True),
    ("doesNotExactlyMatch", "true", "1", True),
    ("greaterThan", "11", "10", True),
    ("greaterThan", "hello", "World", True),
    ("greaterThan", "true", "false", True),
    ("greaterThan", "abc", "1", False),
    ("greaterThanOrEqual", ("five",), "5", True),
    ("lessThan", "9", "10", True),
    ("lessThan", "b", "a", False),
    ("lessThanOrEqual", "10", "10", True),
    ("in", "2", ("list",), True),
    ("in", '"2"', ("list",), False),
    ("in", "Created in Zendesk]", "note: Created in Zendesk] ok", True),
    ("in", "a", ("obj",), True),
    ("notIn", "4", ("list",), True),
    ("startsWith", "pre", "prefix", True),
    ("startsWith", "fix", "prefix", False),
    ("doesNotStartWith", "fix", "prefix", True),
    ("endsWith", "fix", "prefix", True),
    ("doesNotEndWith", "pre", "prefix", True),
    ("isTrue", "Yes", "", True),
    ("isTrue", "n", "", False),
    ("isTrue", ("empty",), "", True),
    ("isTrue", ("zero",), "", False),
    ("isFalse", "False", "", True),
    ("isFalse", "anything", "", False),
    ("exists", ("five",), "", True),
    ("exists", ("zero",), "", False),
    ("exists", ("missing",), "", False),
    ("exists", ("empty",), "", True),
    ("doesNotExist", ("none",), "", True),
    ("doesNotExist", ("no",), "", True),
    ("doesNotExist", "x", "", False),
    ("isEmpty", ("empty",), "", True),
    ("isEmpty", "", "", True),
    ("isEmpty", ("list",), "", False),
    ("isNotEmpty", "x", "", True),
    ("isNotEmpty", "[]", "", False),
    ("dateTimeAfter", "2024-03-02T10:00:00Z", "2024-03-01", True),
    ("dateTimeAfter", "2023", "2024-01-01", False),
    ("dateTimeBefore", "1700000000000", "2024-01-01T00:00:00+00:00", True),
    ("dateTimeSame", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z", True),
    ("dateTimeSame", "2024", "2024-01-01T00:00:00Z", True),
]


def test_the_table_covers_every_operator() -> None:
    assert {case[0] for case in CASES} | {"and", "or"} == set(OPERATORS)


def branch_flow(condition: str) -> str:
    return f"""
    - name: Check
      action: {{key: branchOnExpression, component: {{key: branch, version: LATEST}}}}
      inputs:
        conditions:
          type: complex
          value:
            - name: Yes
              type: complex
              value: {condition}
      branches:
        - {{name: "Yes", steps: []}}
        - {{name: Else, steps: []}}
    """


@pytest.mark.parametrize(("operator", "left", "right", "expected"), CASES)
async def test_operator(operator: str, left: Any, right: Any, expected: bool) -> None:
    condition = f"[and, [{operator}, {term(left)}, {term(right)}]]"
    result, sink = await run(flow(branch_flow(condition)), DATA)
    assert result.status == "succeeded", result.error
    assert sink.by_path()["check"].data == ("Yes" if expected else "Else")


def v(text: str) -> str:
    return "{type: value, value: " + json.dumps(text) + "}"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (f"[and, [equal, {v('1')}, {v('1')}], [isTrue, {v('no')}]]", False),
        (f"[or, [equal, {v('1')}, {v('2')}], [isTrue, {v('yes')}]]", True),
        (f"[and, [or, [isTrue, {v('no')}], [exists, {v('x')}]], [isEmpty, {v('')}]]", True),
        ("[and]", True),
        ("[or]", False),
    ],
)
async def test_and_or_groups(condition: str, expected: bool) -> None:
    _, sink = await run(flow(branch_flow(condition)))
    assert sink.by_path()["check"].data == ("Yes" if expected else "Else")


async def test_first_true_condition_wins_and_bad_operators_fail() -> None:
    steps = """
    - name: Check
      action: {key: branchOnExpression, component: {key: branch, version: LATEST}}
      inputs:
        conditions:
          type: complex
          value:
            - {name: First, type: complex, value: [and, [isTrue, {type: value, value: "true"}]]}
            - {name: Second, type: complex, value: [and, [isTrue, {type: value, value: "true"}]]}
      branches:
        - {name: First, steps: []}
        - {name: Second, steps: []}
        - {name: Else, steps: []}
    """
    result, sink = await run(flow(steps))
    assert sink.by_path()["check"].data == "First"
    result, _ = await run(flow(branch_flow('[and, [sortOf, {type: value, value: "1"}]]')))
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test', step 'Check', input 'conditions': branch 'Yes': unknown condition "
        "operator 'sortOf'"
    )
    result, _ = await run(flow(branch_flow("[and, [isEmpty, {type: value, value: '5'}]]")))
    assert result.error is not None and "'isEmpty' needs text or a list, got int" in result.error
