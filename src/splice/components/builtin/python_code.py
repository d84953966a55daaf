"""The `python-code` component (a Splice addition): a step written as a Python function.

```python
def run(context, step_results):
    context.logger.info("orders", len(step_results["listOrders"]["results"]))
    return {"count": len(step_results["listOrders"]["results"])}
```

``step_results`` has the shape code steps see: ``{stepKey: {"results": ...}}``. The function's
return value is the step's result (an ``ActionResult`` may be returned for a
synchronous caller). ``context`` offers ``logger``, ``config_vars``, ``execution_id``,
``step_key``, ``instance``, ``customer``, ``integration``, ``flow``, ``webhook_urls`` and
``state`` (the async state store, for ``async def run``).

**The code is trusted.** It runs in-process with full Python; it is meant for code the
organisation writes itself, not for anything a customer can edit. A plain ``def run`` runs in a
worker thread under a line-tracing deadline, which stops Python loops at the time limit (but not
a single blocking C call such as ``time.sleep``); an ``async def run`` runs on the event loop and
is cancelled at its next ``await`` once the time is up. Log lines written from the worker thread
are forwarded to the step's log when the function ends, in order.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from splice.components.builtin._support import step_results_view, to_text
from splice.components.context import ActionContext, LogSeverity, StateStore, StepLogger
from splice.components.inputs import InputValueError
from splice.components.sdk import ComponentSpec, Input, component

__all__ = [
    "COMPONENT",
    "DEFAULT_TIMEOUT_S",
    "MANIFEST",
    "PythonCodeTimeout",
    "PythonContext",
    "make_component",
]

DEFAULT_TIMEOUT_S = 30.0
_GRACE_S = 1.0


class PythonCodeTimeout(TimeoutError):
    """The function ran past its time limit and was stopped."""


@dataclass(frozen=True)
class PythonContext:
    """What ``run(context, step_results)`` gets as ``context``."""

    logger: StepLogger
    config_vars: Mapping[str, Any]
    execution_id: str
    step_key: str
    instance: Mapping[str, Any]
    customer: Mapping[str, Any]
    integration: Mapping[str, Any]
    flow: Mapping[str, Any]
    webhook_urls: Mapping[str, str]
    state: StateStore = field(repr=False)


def _load(source: str) -> Callable[..., Any]:
    try:
        compiled = compile(source, "<python code step>", "exec")
    except SyntaxError as error:
        raise InputValueError(
            f"has a syntax error at line {error.lineno}: {error.msg}", "code"
        ) from None
    namespace: dict[str, Any] = {"__name__": "splice_python_code", "__builtins__": builtins}
    exec(compiled, namespace)  # trusted code, see the module docstring
    run = namespace.get("run")
    if not callable(run):
        raise InputValueError("must define a function run(context, step_results)", "code")
    return run  # type: ignore[no-any-return]


def _call_with_deadline(run: Callable[..., Any], args: tuple[Any, ...], deadline: float) -> Any:
    """Call ``run`` in this (worker) thread, raising ``PythonCodeTimeout`` in it at the deadline."""

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise PythonCodeTimeout("the Python code ran past its time limit and was stopped")
        return tracer

    sys.settrace(tracer)
    try:
        return run(*args)
    finally:
        sys.settrace(None)


def make_component(*, timeout_s: float = DEFAULT_TIMEOUT_S) -> ComponentSpec:
    """The component; ``timeout_s`` bounds each run."""
    python = component(
        "python-code",
        label="Python Code",
        description="Run a trusted Python function as a step",
        category="Logic",
    )

    @python.action(
        "runCode",
        label="Python Code Block",
        description="Runs run(context, step_results) and returns its result",
        inputs=(
            Input(
                "code",
                "Code",
                type="code",
                required=True,
                comments="def run(context, step_results): return ...",
            ),
        ),
    )
    async def run_code(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        run = _load(to_text(inputs.get("code")))
        buffered: list[tuple[LogSeverity, str]] = []
        threaded = not inspect.iscoroutinefunction(run)
        logger = StepLogger(lambda s, m: buffered.append((s, m))) if threaded else ctx.logger
        context = PythonContext(
            logger=logger,
            config_vars=ctx.config_vars,
            execution_id=ctx.execution_id,
            step_key=ctx.step_key,
            instance=ctx.instance,
            customer=ctx.customer,
            integration=ctx.integration,
            flow=ctx.flow,
            webhook_urls=ctx.webhook_urls,
            state=ctx.state,
        )
        args = (context, step_results_view(ctx))
        try:
            if not threaded:
                try:
                    return await asyncio.wait_for(run(*args), timeout_s)
                except TimeoutError:
                    raise PythonCodeTimeout(
                        "the Python code ran past its time limit and was stopped"
                    ) from None
            deadline = time.monotonic() + timeout_s
            worker = asyncio.to_thread(_call_with_deadline, run, args, deadline)
            try:
                # the tracer stops Python code; the grace covers a blocking C call (abandoned)
                return await asyncio.wait_for(worker, timeout_s + _GRACE_S)
            except TimeoutError:
                raise PythonCodeTimeout(
                    "the Python code blocked past its time limit and was abandoned"
                ) from None
        finally:
            for severity, message in buffered:
                getattr(ctx.logger, severity)(message)

    return python.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest
