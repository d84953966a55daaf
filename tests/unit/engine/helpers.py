"""Shared helpers for engine tests: flows from YAML snippets, a list sink, a fake sleep."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from splice.components import ComponentSpec, Registry
from splice.components.builtin import SPECS
from splice.components.testing import MemoryState
from splice.definition import Flow, load
from splice.engine import ExecutionResult, Limits, LogEntry, RunContext, StepResult, run_flow

TRIGGER = """
- name: Trigger
  isTrigger: true
  action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
  inputs: {}
"""


def flow(
    steps: str, *, trigger: str = TRIGGER, synchronous: bool = False, name: str = "Test"
) -> Flow:
    """A flow named ``name`` from YAML step lists (the trigger first)."""
    body = textwrap.indent(
        textwrap.dedent(trigger).strip() + "\n" + textwrap.dedent(steps).strip(), "      "
    )
    text = (
        "definitionVersion: 7\nname: T\nflows:\n"
        f"  - name: {name}\n    isSynchronous: {'true' if synchronous else 'false'}\n"
        f"    steps:\n{body}\n"
    )
    return load(text).flows[0]


class ListSink:
    def __init__(self) -> None:
        self.steps: list[StepResult] = []
        self.logs: list[LogEntry] = []

    async def step_finished(self, result: StepResult) -> None:
        self.steps.append(result)

    async def log(self, entry: LogEntry) -> None:
        self.logs.append(entry)

    def by_path(self) -> dict[str, StepResult]:
        return {s.path: s for s in self.steps}

    def paths(self) -> list[str]:
        return [s.path for s in self.steps]


class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def registry(*extra: ComponentSpec) -> Registry:
    return Registry([*SPECS, *extra])


def payload(data: Any = None, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "headers": dict(headers or {}),
        "queryParameters": {},
        "body": {"data": data, "contentType": "application/json"},
        "rawBody": {"data": None},
        "pathFragment": "",
    }


async def run(
    target: Flow,
    data: Any = None,
    *,
    extra: Iterable[ComponentSpec] = (),
    config_vars: Mapping[str, Any] | None = None,
    sink: ListSink | None = None,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> tuple[ExecutionResult, ListSink]:
    sink = sink or ListSink()
    context.setdefault("state", MemoryState())
    context.setdefault("limits", Limits())
    ctx = RunContext(execution_id="exec-1", config_vars=config_vars or {}, **context)
    result = await run_flow(
        target, payload(data, headers), registry=registry(*extra), sink=sink, context=ctx
    )
    return result, sink


def _echo_spec() -> ComponentSpec:
    from splice.components import ActionContext, Input, component

    echo = component("echo", label="Echo")

    @echo.action(
        "echo",
        label="Echo",
        inputs=[
            Input("values", "Values", collection="valuelist"),
            Input("pairs", "Pairs", collection="keyvaluelist"),
            Input("withDefault", "With default", default="dflt"),
        ],
    )
    def echo_inputs(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return inputs

    return echo.build()


ECHO = _echo_spec()


def echo_step(name: str, inputs: str) -> str:
    """YAML of an echo step (returns its resolved inputs) with ``inputs`` (a YAML mapping)."""
    body = textwrap.indent(textwrap.dedent(inputs).strip(), "    ")
    return (
        f"- name: {name}\n  action: {{key: echo, component: {{key: echo, version: LATEST}}}}\n"
        f"  inputs:\n{body}\n"
    )
