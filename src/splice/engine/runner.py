"""Runs a compiled flow: the trigger, then each step in order, with loops, branches, stop,
break, per-step error policies and limits. The only output is the sink; the only I/O is what
actions do themselves.

Control flow inside a run uses three private exceptions: ``_Break`` (leave the innermost loop),
``_Stop`` (end the run early, successfully) and ``_Failed`` (a step failed and its policy says
fail the run). A step's own errors are ``_StepError``s until its error policy has decided.
"""

from __future__ import annotations

import asyncio
import inspect
import types
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from splice import clock, ids
from splice.components.context import ActionContext, LogSeverity, StepLogger
from splice.components.inputs import InputValueError, as_int, maybe_json
from splice.components.registry import Registry
from splice.components.sdk import ActionError, ActionResult, HttpResponse, TriggerResult
from splice.definition import Flow
from splice.engine.compile import CompiledFlow, CompiledStep, compile_flow
from splice.engine.context import RunContext
from splice.engine.inputs import Scope
from splice.engine.response import (
    http_response,
    recorded_form,
    recorded_size,
    response_problem,
    step_response,
)
from splice.engine.results import (
    ExecutionResult,
    LogEntry,
    LogSection,
    ResultSink,
    StepResult,
    StepStatus,
    WebhookResponse,
)
from splice.engine.state import RunState

__all__ = ["run_flow"]

_MISSING: Any = object()
_T = TypeVar("_T")
_now = clock.now


async def _probe() -> None:
    pass


_probe_coroutine = _probe()
_COROUTINE = type(_probe_coroutine)
_probe_coroutine.close()


@types.coroutine
def _resume(coro: Coroutine[Any, Any, Any], first: Any) -> Generator[Any, Any, Any]:
    """Await the rest of a coroutine that already ran up to its first suspension (``first``).

    Equivalent to ``yield from`` on the coroutine from that point: values the event loop sends
    and exceptions it throws (cancellation included) are passed on.
    """
    pending = first
    while True:
        try:
            sent = yield pending
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            try:
                pending = coro.throw(exc)
            except StopIteration as done:
                return done.value
        else:
            try:
                pending = coro.send(sent)
            except StopIteration as done:
                return done.value


class _Break(Exception):
    """breakLoop ran: leave the innermost loop."""


class _Stop(Exception):
    def __init__(self, data: Any, meta: ActionResult | None) -> None:
        self.data = data
        self.meta = meta


class _Failed(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _StepError(Exception):
    """Why one attempt of a step failed; ``input_key`` when an input was at fault."""

    def __init__(self, reason: str, input_key: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.input_key = input_key


class _Outcome:
    __slots__ = ("branch", "content_type", "data", "meta", "recorded")

    def __init__(
        self, data: Any, content_type: str | None, meta: ActionResult | None, branch: str | None
    ) -> None:
        self.data = data
        self.content_type = content_type
        self.meta = meta
        self.branch = branch
        self.recorded: tuple[str | bytes, str] | None = None


class _Run:
    __slots__ = (
        "compiled",
        "context",
        "ctx",
        "current",
        "current_path",
        "current_started",
        "last_data",
        "last_meta",
        "limits",
        "loop_depth",
        "pending",
        "resume",
        "scope",
        "sections",
        "sink",
        "trigger_response",
    )

    def __init__(self, compiled: CompiledFlow, sink: ResultSink, context: RunContext) -> None:
        self.compiled = compiled
        self.sink = sink
        self.context = context
        self.limits = context.limits
        self.resume = context.resume_results
        self.scope = Scope(context.config_vars)
        self.pending: list[LogEntry] = []
        self.sections: dict[str, LogSection] = {}
        self.current: CompiledStep | None = None
        self.current_path: str | None = None
        self.current_started: datetime | None = None
        self.last_data: Any = None
        self.last_meta: ActionResult | None = None
        self.loop_depth = 0
        self.trigger_response: HttpResponse | None = None
        self.ctx = ActionContext(
            state=RunState(context.state),
            logger=StepLogger(self._emit),
            config_vars=context.config_vars,
            execution_id=context.execution_id,
            instance=context.instance,
            customer=context.customer,
            integration=context.integration,
            flow=context.flow_info,
            webhook_urls=context.webhook_urls,
            http_transport=context.http_transport,
            invoke_flow=context.invoke_flow,
            step_results=self.scope.results,
            loops=self.scope.loops,
            platform_url=context.platform_url,
        )

    # -- logs -----------------------------------------------------------------------------

    def _emit(self, severity: LogSeverity, message: str) -> None:
        limit = self.limits.max_log_line_chars
        if len(message) > limit:
            message = message[:limit] + "…"
        path = self.current_path
        self.pending.append(
            LogEntry(_now(), severity, message, path, self.section(path, self.current))
        )

    def log(
        self,
        severity: LogSeverity,
        message: str,
        path: str | None,
        step: CompiledStep | None = None,
    ) -> None:
        self.pending.append(LogEntry(_now(), severity, message, path, self.section(path, step)))

    def section(self, path: str | None, step: CompiledStep | None) -> LogSection | None:
        """The log section of one step run, opened by its first log line (None: the execution)."""
        if path is None:
            return None
        section = self.sections.get(path)
        if section is None:
            name = step.name if step is not None else path
            label = name if step is None or path == step.key else f"{name} ({path})"
            started = self.current_started if path == self.current_path else None
            section = LogSection(ids.new_uuid(), label, started or _now())
            self.sections[path] = section
        return section

    async def flush(self) -> None:
        if self.pending:
            entries, self.pending = self.pending, []
            for entry in entries:
                await self.sink.log(entry)

    async def finish(self, result: StepResult) -> None:
        if self.pending:
            await self.flush()
        await self.sink.step_finished(result)

    # -- messages -------------------------------------------------------------------------

    def describe(self, step: CompiledStep, path: str, error: _StepError) -> str:
        where = f"flow '{self.compiled.name}', step '{step.name}'"
        if path != step.key:
            where += f" ({path})"
        if error.input_key:
            where += f", input '{error.input_key}'"
        return f"{where}: {error.reason}"

    # -- one attempt of one step ------------------------------------------------------------

    def resolve(self, step: CompiledStep) -> dict[str, Any]:
        inputs = dict(step.constants) if step.constants else {}
        scope = self.scope
        for key, resolve in step.dynamic:
            try:
                inputs[key] = resolve(scope)
            except Exception as exc:
                raise _StepError(f"cannot resolve the input: {_cause(exc)}", key) from exc
        return inputs

    async def call(self, step: CompiledStep, path: str) -> _Outcome:
        function = step.function
        if function is None:
            raise _StepError(step.missing or "the step cannot run")
        inputs = self.resolve(step)
        ctx = self.ctx
        ctx.step_key = step.key
        ctx.step_path = path
        timer = None
        try:
            out = function(ctx, inputs)
            if type(out) is _COROUTINE:
                # Run the coroutine eagerly: most actions finish without suspending, and those
                # need no timer. One that suspends continues under the step time limit.
                try:
                    first = out.send(None)
                except StopIteration as done:
                    out = done.value
                else:
                    timer = asyncio.timeout(self.limits.step_timeout_seconds)
                    async with timer:
                        out = await _resume(out, first)
            elif inspect.isawaitable(out):
                timer = asyncio.timeout(self.limits.step_timeout_seconds)
                async with timer:
                    out = await out
        except TimeoutError as exc:
            if timer is not None and timer.expired():
                raise _StepError(
                    f"timed out after {self.limits.step_timeout_seconds:g} s (the step time limit)"
                ) from None
            raise _StepError(_cause(exc)) from exc
        except InputValueError as exc:
            raise _StepError(exc.reason, exc.input_key) from exc
        except (_Break, _Stop, _Failed):
            raise
        except Exception as exc:
            raise _StepError(_cause(exc)) from exc
        kind = type(out)
        if kind is ActionResult:
            _check_response(out.status_code, out.content_type, out.headers)
            outcome = _Outcome(out.data, out.content_type, out, out.branch)
        elif kind is TriggerResult:
            if out.response is not None:
                reply = out.response
                _check_response(reply.status_code, reply.content_type, reply.headers)
            self.trigger_response = out.response
            outcome = _Outcome(out.payload, None, None, out.branch)
        else:
            outcome = _Outcome(out, None, None, None)
        limit = self.limits.max_result_bytes
        outcome.recorded = recorded_form(outcome.data, outcome.content_type)
        # a trigger's result holds the request (its body twice: parsed and raw), which the
        # payload limit already bounds: a payload that was accepted must be able to run
        if step.kind != "trigger" and recorded_size(outcome.recorded[0]) > limit:
            raise _StepError(f"its result is larger than the {limit} byte limit on step results")
        return outcome

    async def attempt(
        self,
        step: CompiledStep,
        path: str,
        body: Callable[[CompiledStep, str], Awaitable[_T]],
    ) -> _T | None:
        """Run a step's ``body`` (``call``, or a loop's input) under its error policy: what it
        returns, or None when its error is ignored."""
        attempt = 0
        while True:
            started = _now()
            self.current, self.current_path, self.current_started = step, path, started
            try:
                outcome = await body(step, path)
            except _StepError as error:
                if attempt < step.retries:
                    delay = step.delay_seconds * (2**attempt if step.backoff else 1)
                    attempt += 1
                    self.log(
                        "warn",
                        f"attempt {attempt} of {step.retries + 1} failed: "
                        f"{self.describe(step, path, error)}; retrying in {delay:g} s",
                        path,
                        step,
                    )
                    await self.context.sleep(delay)
                    continue
                await self.give_up(step, path, started, error)
                return None
            self.current = None
            return outcome

    async def give_up(
        self, step: CompiledStep, path: str, started: datetime, error: _StepError
    ) -> None:
        """Record a step's final error; returns when its policy ignores errors, else raises."""
        self.current = None
        message = self.describe(step, path, error)
        ignore = step.handler == "ignore" or (step.handler == "retry" and step.ignore_final_error)
        status: StepStatus = "ignored" if ignore else "failed"
        self.log("warn" if ignore else "error", message, path, step)
        self.scope.results[step.key] = None
        self.last_data, self.last_meta = None, None
        await self.finish(
            StepResult(path, step.key, step.name, status, started, _now(), None, None, message)
        )
        if not ignore:
            raise _Failed(path, message) from error

    # -- step kinds -----------------------------------------------------------------------

    async def sequence(self, steps: tuple[CompiledStep, ...], prefix: str) -> None:
        for step in steps:
            await self.step(step, prefix + step.key if prefix else step.key)

    async def step(self, step: CompiledStep, path: str) -> None:
        kind = step.kind
        if kind == "loop_items" or kind == "loop_n":
            await self.loop(step, path)
            return
        if kind == "break":
            await self.break_loop(step, path)
            return
        resumed = self.resume.get(path, _MISSING) if self.resume and kind != "trigger" else _MISSING
        if resumed is not _MISSING:
            await self.reuse(step, path, resumed)
            if step.branches is not None:
                name = resumed if isinstance(resumed, str) else None
                await self.branch(step, path, name)
            return
        started = _now()
        outcome = await self.attempt(step, path, self.call)
        if outcome is None:
            return
        data = outcome.data
        self.scope.results[step.key] = data
        self.last_data, self.last_meta = data, outcome.meta
        await self.finish(
            StepResult(
                path, step.key, step.name, "succeeded", started, _now(), data,
                outcome.content_type, None, outcome.recorded,
            )
        )  # fmt: skip
        if kind == "stop":
            raise _Stop(data, outcome.meta)
        if step.branches is not None:
            await self.branch(step, path, outcome.branch)

    async def reuse(self, step: CompiledStep, path: str, data: Any) -> None:
        """A step that succeeded in the execution being resumed: its data again, recorded in this
        execution too, so the new execution holds every step's result."""
        self.scope.results[step.key] = data
        self.last_data, self.last_meta = data, None
        now = _now()
        recorded = recorded_form(data, None)
        await self.finish(
            StepResult(path, step.key, step.name, "succeeded", now, now, data, None, None, recorded)
        )

    async def trigger(self, step: CompiledStep, payload: dict[str, Any]) -> None:
        self.ctx.trigger_payload = payload
        await self.step(step, step.key)

    async def branch(self, step: CompiledStep, path: str, name: str | None) -> None:
        branches = step.branches or {}
        if not branches:
            return
        body = branches.get(name) if name is not None else None
        if body is None:
            if "Else" in branches:
                name, body = "Else", branches["Else"]
            elif name == "Else":
                return  # the implicit Else: nothing to run
            else:
                chosen = (
                    f"chose branch '{name}', which the step does not have"
                    if name
                    else "chose no branch and the step has no Else branch"
                )
                error = _StepError(f"{chosen} (branches: {', '.join(branches)})")
                message = self.describe(step, path, error)
                self.log("error", message, path, step)
                raise _Failed(path, message)
        await self.sequence(body, f"{path}.{name}.")

    async def break_loop(self, step: CompiledStep, path: str) -> None:
        started = _now()
        if self.loop_depth == 0:
            self.current, self.current_path = step, path
            error = _StepError("Break Loop can only run inside a loop")
            message = self.describe(step, path, error)
            self.log("error", message, path, step)
            await self.finish(
                StepResult(
                    path, step.key, step.name, "failed", started, _now(), None, None, message
                )
            )
            raise _Failed(path, message)
        self.scope.results[step.key] = None
        await self.finish(
            StepResult(path, step.key, step.name, "succeeded", started, _now(), None, None, None)
        )
        raise _Break

    async def loop(self, step: CompiledStep, path: str) -> None:
        resumed = self.resume.get(path, _MISSING) if self.resume else _MISSING
        if resumed is not _MISSING:
            await self.reuse(step, path, resumed)
            return
        started = _now()
        items = await self.attempt(step, path, self.loop_input)
        if items is None:
            return  # the loop's input failed and its error policy ignores that
        collected: list[Any] = []
        loops = self.scope.loops
        outer = loops.get(step.key)
        self.loop_depth += 1
        try:
            for index, item in enumerate(items):
                loops[step.key] = (item, index)
                self.last_data, self.last_meta = None, None
                try:
                    await self.sequence(step.children, f"{path}[{index}].")
                except _Break:
                    break
                collected.append(self.last_data)
        finally:
            self.loop_depth -= 1
            if outer is None:
                loops.pop(step.key, None)
            else:
                loops[step.key] = outer
        recorded = recorded_form(collected, None)
        limit = self.limits.max_result_bytes
        if recorded_size(recorded[0]) > limit:
            error = _StepError(
                f"its result (the list of its iterations' results) is larger than the {limit} "
                "byte limit on step results"
            )
            await self.give_up(step, path, started, error)
            return
        self.scope.results[step.key] = collected
        self.last_data, self.last_meta = collected, None
        await self.finish(
            StepResult(
                path, step.key, step.name, "succeeded", started, _now(), collected, None, None,
                recorded,
            )
        )  # fmt: skip

    async def loop_input(self, step: CompiledStep, path: str) -> list[Any] | range:
        """What a loop step iterates over, from its resolved inputs."""
        return self.loop_items(step, self.resolve(step))

    def loop_items(self, step: CompiledStep, inputs: Mapping[str, Any]) -> list[Any] | range:
        limit = self.limits.max_loop_iterations
        if step.kind == "loop_n":
            try:
                count = as_int(inputs.get("iterationCount"), 1000, key="iterationCount")
            except InputValueError as exc:
                raise _StepError(exc.reason, "iterationCount") from exc
            if count > limit:
                raise _StepError(
                    f"{count} iterations exceed the limit of {limit} loop iterations",
                    "iterationCount",
                )
            return range(max(count, 0))
        raw = maybe_json(inputs.get("items"))
        items: list[Any]
        if isinstance(raw, list | tuple):
            items = list(raw)
        elif isinstance(raw, dict):
            items = [{"key": k, "value": v} for k, v in raw.items()]
        else:
            shown = "nothing" if raw is None else type(raw).__name__
            raise _StepError(f"expects a list or an object to loop over, got {shown}", "items")
        if len(items) > limit:
            raise _StepError(
                f"{len(items)} items exceed the limit of {limit} loop iterations", "items"
            )
        return items


def _check_response(status: Any, content_type: Any, headers: Mapping[str, Any] | None) -> None:
    """The response fields an action returned must be ones HTTP can carry."""
    problem = response_problem(status, content_type, headers)
    if problem is not None:
        raise _StepError(f"it returned a response that cannot be sent: {problem}")


def _cause(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, ActionError) and text:
        return text
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _synchronous(compiled: CompiledFlow, payload: Mapping[str, Any]) -> bool:
    if compiled.is_synchronous:
        return True
    headers = payload.get("headers") if isinstance(payload, Mapping) else None
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() == "prismatic-synchronous":
                return str(value).strip().lower() == "true"
    return False


async def run_flow(
    flow: Flow,
    trigger_payload: dict[str, Any],
    *,
    registry: Registry,
    sink: ResultSink,
    context: RunContext,
) -> ExecutionResult:
    """Run ``flow`` once for ``trigger_payload``; results and logs go to ``sink`` as they happen.

    Never raises for a failing component, timeout or limit: those end in a failed result that
    names the flow, the step and (for input errors) the input. Errors of the sink propagate.
    """
    compiled = compile_flow(flow, registry)
    run = _Run(compiled, sink, context)
    status: Any = "succeeded"
    error: str | None = None
    failed_step: str | None = None
    stop: _Stop | None = None
    deadline = asyncio.timeout(context.limits.execution_timeout_seconds)
    try:
        async with deadline:
            if compiled.trigger is not None:
                await run.trigger(compiled.trigger, trigger_payload)
            await run.sequence(compiled.steps, "")
    except _Stop as stopped:
        status, stop = "stopped", stopped
    except _Failed as failed:
        status, error, failed_step = "failed", failed.message, failed.path
    except _Break:  # unreachable: break_loop checks the depth
        status, error = "failed", f"flow '{compiled.name}': Break Loop outside a loop"
    except TimeoutError:
        if not deadline.expired():
            raise
        limit = context.limits.execution_timeout_seconds
        step = run.current
        status = "failed"
        error = f"flow '{compiled.name}': the execution exceeded its {limit:g} s time limit"
        if step is not None and run.current_path is not None:
            failed_step = run.current_path
            error += f" while running step '{step.name}'"
            await run.finish(
                StepResult(
                    run.current_path, step.key, step.name, "failed",
                    run.current_started or _now(), _now(), None, None, error,
                )
            )  # fmt: skip
        run.log("error", error, failed_step, step)
    await run.flush()
    trigger_response = (
        http_response(run.trigger_response, context.execution_id)
        if run.trigger_response is not None
        else None
    )
    response: WebhookResponse | None
    if stop is not None:
        response = step_response(stop.data, stop.meta)
        data = stop.data
    else:
        data = run.last_data
        if status == "failed":
            response = None
        elif trigger_response is not None and not _synchronous(compiled, trigger_payload):
            response = trigger_response
        else:
            response = step_response(run.last_data, run.last_meta)
    return ExecutionResult(status, data, response, error, failed_step, trigger_response)
