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
organisation writes itself, not for anything a customer can edit.

**Time limit.** Everything the code does runs on a worker thread of its own, under one deadline:
the module's top-level statements (``exec`` of the source), then ``run``. A line tracer on that
thread raises ``PythonCodeTimeout`` in the code at the deadline, which stops Python loops
(including a CPU-bound loop inside an ``async def run``). An ``async def run`` runs on a fresh
event loop on that thread and is also cancelled at its next ``await`` once the time is up. What
the tracer cannot stop, a single blocking C call such as ``time.sleep``, is abandoned: the step
fails one grace second after the deadline and the (daemon) thread is left to finish on its own.

The trade-offs: the event loop of the run is never blocked by the code, at the price of a thread
per step and of line tracing (Python code runs several times slower), and an ``async def run``
does not share the caller's event loop. So that ``context.state`` keeps working from there, its
calls are handed to the caller's loop (``run_coroutine_threadsafe``); other objects bound to the
caller's loop cannot be used from the code. Log lines are collected and forwarded to the step's
log, in order, when the code ends or is stopped; lines an abandoned thread writes later are
dropped.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import contextvars
import inspect
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
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
    """Compile and execute the module source (on the worker thread), returning its ``run``."""
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


# modules of the worker's own event loop, left to wind down after the deadline (see _tracer)
_LOOP_MODULES = frozenset({"asyncio", "selectors", "socket", "threading", "contextvars"})


def _tracer(deadline: float) -> Callable[[FrameType, str, Any], Any]:
    """A trace function raising ``PythonCodeTimeout`` on every line run after ``deadline``.

    Frames of the event-loop machinery are spared, so that a fresh loop running an
    ``async def run`` can cancel its tasks and close after the code itself has been stopped.
    """

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            module = str(frame.f_globals.get("__name__", "")).partition(".")[0]
            if module not in _LOOP_MODULES:
                raise PythonCodeTimeout(_STOPPED)
        return tracer

    return tracer


_STOPPED = "the Python code ran past its time limit and was stopped"


async def _until(awaitable: Awaitable[Any], deadline: float) -> Any:
    try:
        return await asyncio.wait_for(awaitable, max(0.0, deadline - time.monotonic()))
    except TimeoutError:
        raise PythonCodeTimeout(_STOPPED) from None


def _load_and_call(source: str, args: tuple[Any, ...], deadline: float) -> Any:
    """Run the module and then ``run`` in this (worker) thread, stopped at the deadline."""
    sys.settrace(_tracer(deadline))
    try:
        run = _load(source)
        if inspect.iscoroutinefunction(run):
            return asyncio.run(_until(run(*args), deadline))
        return run(*args)
    finally:
        sys.settrace(None)


def _in_daemon_thread(function: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run ``function(*args)`` on a new daemon thread; the future resolves on the caller's loop.

    A daemon thread (unlike ``asyncio.to_thread``'s pool) neither blocks interpreter exit nor
    uses up a pool slot when the step abandons it.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def target() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (context.run(function, *args), None)
        except StopIteration as error:  # a future cannot hold StopIteration
            outcome = (None, RuntimeError(f"the Python code raised StopIteration({error})"))
        except BaseException as error:  # handed to the awaiting step
            outcome = (None, error)
        # a RuntimeError here means the caller's loop is closed: nobody is waiting any more
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=target, name="splice-python-code", daemon=True).start()
    return future


class _StateOnLoop:
    """``context.state`` for code on the worker thread: each call runs on the caller's loop."""

    def __init__(self, state: StateStore, loop: asyncio.AbstractEventLoop) -> None:
        self._state = state
        self._loop = loop

    async def _on_loop(self, call: Coroutine[Any, Any, Any]) -> Any:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call, self._loop))

    async def get(self, scope: str, key: str) -> Any:
        return await self._on_loop(self._state.get(scope, key))

    async def set(self, scope: str, key: str, value: Any) -> None:
        await self._on_loop(self._state.set(scope, key, value))

    async def delete(self, scope: str, key: str) -> None:
        await self._on_loop(self._state.delete(scope, key))

    async def keys(self, scope: str) -> list[str]:
        keys: list[str] = await self._on_loop(self._state.keys(scope))
        return keys


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
        source = to_text(inputs.get("code"))
        buffered: list[tuple[LogSeverity, str]] = []
        open_ = [True]  # lines written by an abandoned thread after the step ended are dropped

        def collect(severity: LogSeverity, message: str) -> None:
            if open_[0]:
                buffered.append((severity, message))

        context = PythonContext(
            logger=StepLogger(collect),
            config_vars=ctx.config_vars,
            execution_id=ctx.execution_id,
            step_key=ctx.step_key,
            instance=ctx.instance,
            customer=ctx.customer,
            integration=ctx.integration,
            flow=ctx.flow,
            webhook_urls=ctx.webhook_urls,
            state=_StateOnLoop(ctx.state, asyncio.get_running_loop()),
        )
        args = (context, step_results_view(ctx))
        deadline = time.monotonic() + timeout_s
        worker = _in_daemon_thread(_load_and_call, source, args, deadline)
        try:
            # the tracer stops Python code; the grace covers a blocking C call (abandoned)
            return await asyncio.wait_for(worker, timeout_s + _GRACE_S)
        except TimeoutError:
            if worker.done() and not worker.cancelled():
                raise  # a TimeoutError the code itself raised
            raise PythonCodeTimeout(
                "the Python code blocked past its time limit and was abandoned"
            ) from None
        finally:
            open_[0] = False
            for severity, message in list(buffered):
                getattr(ctx.logger, severity)(message)

    return python.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest
