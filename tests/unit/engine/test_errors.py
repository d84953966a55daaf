"""Error policies, limits, timeouts, failure messages and resuming from a failed step."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from splice.components import ActionContext, ActionError, ActionResult, InputValueError, component
from splice.engine import Limits
from splice.engine.response import recorded_form, recorded_size
from tests.unit.engine.helpers import ECHO, FakeSleep, flow, run


class Flaky:
    """A component whose ``work`` action fails ``failures`` times, then returns ``"ok"``."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        spec = component("flaky", label="Flaky")

        @spec.action("work", label="Work")
        async def work(ctx: ActionContext, inputs: dict[str, Any]) -> str:
            self.calls += 1
            if self.calls <= self.failures:
                raise RuntimeError(f"boom {self.calls}")
            return "ok"

        @spec.action("hang", label="Hang")
        async def hang(ctx: ActionContext, inputs: dict[str, Any]) -> None:
            await asyncio.Event().wait()

        @spec.action("big", label="Big")
        def big(ctx: ActionContext, inputs: dict[str, Any]) -> str:
            return "x" * 1000

        @spec.action("odd", label="Odd")
        def odd(ctx: ActionContext, inputs: dict[str, Any]) -> ActionResult:
            return ActionResult(data=1, status_code=1000)

        @spec.action("polite", label="Polite")
        def polite(ctx: ActionContext, inputs: dict[str, Any]) -> None:
            raise ActionError("the record was locked by another user")

        @spec.action("picky", label="Picky")
        def picky(ctx: ActionContext, inputs: dict[str, Any]) -> None:
            raise InputValueError("expects a number, got 'abc'", "amount")

        self.spec = spec.build()


def work_step(error_config: str = "", action: str = "work", name: str = "Work") -> str:
    step = f"""
    - name: {name}
      action: {{key: {action}, component: {{key: flaky, version: LATEST}}}}
      inputs: {{}}
    """
    if error_config:
        step += f"  errorConfig: {error_config}\n"
    return step


AFTER = """
    - name: After
      action: {key: echo, component: {key: echo, version: LATEST}}
      inputs: {prev: {type: reference, value: work.results}}
"""


@pytest.mark.parametrize(
    ("config", "failures", "status", "calls", "sleeps"),
    [
        ("", 1, "failed", 1, []),
        ("{errorHandlerType: fail, maxAttempts: 3, delaySeconds: 10}", 1, "failed", 1, []),
        ("{errorHandlerType: ignore}", 5, "succeeded", 1, []),
        ("{errorHandlerType: retry, maxAttempts: 3, delaySeconds: 2}", 2, "succeeded", 3, [2.0, 2.0]),
        ("{errorHandlerType: retry, maxAttempts: 2, delaySeconds: 2}", 5, "failed", 3, [2.0, 2.0]),
        (
            "{errorHandlerType: retry, maxAttempts: 3, delaySeconds: 1, usesExponentialBackoff: true}",
            9, "failed", 4, [1.0, 2.0, 4.0],
        ),
        (
            "{errorHandlerType: retry, maxAttempts: 1, delaySeconds: 0, ignoreFinalError: true}",
            9, "succeeded", 2, [0.0],
        ),
    ],
)  # fmt: skip
async def test_error_config(
    config: str, failures: int, status: str, calls: int, sleeps: list[float]
) -> None:
    flaky = Flaky(failures)
    sleep = FakeSleep()
    result, sink = await run(flow(work_step(config) + AFTER), extra=[flaky.spec, ECHO], sleep=sleep)
    assert result.status == status
    assert flaky.calls == calls
    assert sleep.calls == sleeps
    work = sink.by_path()["work"]
    if status == "failed":
        assert work.status == "failed"
        assert result.failed_step == "work"
        assert result.error == f"flow 'Test', step 'Work': RuntimeError: boom {calls}"
        assert "after" not in sink.by_path()
    elif flaky.calls > failures:
        assert work.status == "succeeded" and work.data == "ok"
    else:
        assert work.status == "ignored"
        assert work.error is not None and "boom" in work.error
        assert sink.by_path()["after"].data["prev"] is None
    retries = [e for e in sink.logs if e.severity == "warn" and "retrying" in e.message]
    assert len(retries) == len(sleeps)


async def test_step_timeout_fails_the_step_with_the_limit() -> None:
    limits = Limits(step_timeout_seconds=0.01)
    result, sink = await run(
        flow(work_step(action="hang", name="Hang")), extra=[Flaky(0).spec], limits=limits
    )
    assert result.status == "failed"
    assert result.error == "flow 'Test', step 'Hang': timed out after 0.01 s (the step time limit)"
    assert sink.by_path()["hang"].status == "failed"


async def test_execution_timeout_names_the_running_step() -> None:
    limits = Limits(execution_timeout_seconds=0.01)
    result, sink = await run(
        flow(work_step(action="hang", name="Hang")), extra=[Flaky(0).spec], limits=limits
    )
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test': the execution exceeded its 0.01 s time limit while running step 'Hang'"
    )
    assert result.failed_step == "hang"
    assert sink.by_path()["hang"].status == "failed"


async def test_result_size_limit() -> None:
    limits = Limits(max_result_bytes=500)
    result, _ = await run(
        flow(work_step(action="big", name="Big")), extra=[Flaky(0).spec], limits=limits
    )
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test', step 'Big': its result is larger than the 500 byte limit on step results"
    )


async def test_loop_iteration_limit() -> None:
    steps = """
    - name: Many
      action: {key: loopNTimes, component: {key: loop, version: LATEST}}
      inputs: {iterationCount: {type: value, value: "11"}}
      steps: []
    """
    result, _ = await run(flow(steps), limits=Limits(max_loop_iterations=10))
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test', step 'Many', input 'iterationCount': 11 iterations exceed the limit of "
        "10 loop iterations"
    )


async def test_a_loops_input_error_follows_its_error_policy() -> None:
    steps = """
    - name: Many
      action: {key: loopNTimes, component: {key: loop, version: LATEST}}
      inputs: {iterationCount: {type: value, value: "abc"}}
      errorConfig: {errorHandlerType: ignore}
      steps: []
    - name: After
      action: {key: echo, component: {key: echo, version: LATEST}}
      inputs: {prev: {type: reference, value: many.results}}
    """
    result, sink = await run(flow(steps), extra=[ECHO])
    assert result.status == "succeeded"
    assert sink.by_path()["many"].status == "ignored"
    assert "input 'iterationCount'" in (sink.by_path()["many"].error or "")
    assert result.data["prev"] is None


async def test_a_loops_input_error_is_retried() -> None:
    steps = """
    - name: Items
      action: {key: loopOverItems, component: {key: loop, version: LATEST}}
      inputs: {items: {type: reference, value: work.results}}
      errorConfig: {errorHandlerType: retry, maxAttempts: 2, delaySeconds: 1}
      steps: []
    """
    sleep = FakeSleep()
    result, sink = await run(flow(steps), sleep=sleep)
    assert result.status == "failed"
    assert sleep.calls == [1, 1]  # two retries of the loop's input before it fails
    assert sink.by_path()["items"].status == "failed"


async def test_a_loops_result_is_held_to_the_result_size_limit() -> None:
    steps = """
    - name: Loop
      action: {key: loopNTimes, component: {key: loop, version: LATEST}}
      inputs: {iterationCount: {type: value, value: "3"}}
      steps:
        - name: Big
          action: {key: big, component: {key: flaky, version: LATEST}}
          inputs: {}
    """
    limits = Limits(max_result_bytes=2500)  # each iteration's 1000 bytes fit; the list does not
    result, sink = await run(flow(steps), extra=[Flaky(0).spec], limits=limits)
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test', step 'Loop': its result (the list of its iterations' results) is larger "
        "than the 2500 byte limit on step results"
    )
    assert sink.by_path()["loop"].status == "failed"


async def test_input_errors_name_the_input_and_nested_path() -> None:
    steps = """
    - name: Loop
      action: {key: loopNTimes, component: {key: loop, version: LATEST}}
      inputs: {iterationCount: {type: value, value: "2"}}
      steps:
        - name: Picky
          action: {key: picky, component: {key: flaky, version: LATEST}}
          inputs: {}
    """
    result, _ = await run(flow(steps, name="Orders"), extra=[Flaky(0).spec])
    assert result.error == (
        "flow 'Orders', step 'Picky' (loop[0].picky), input 'amount': expects a number, got 'abc'"
    )
    assert result.failed_step == "loop[0].picky"
    steps = """
    - name: Log
      action: {key: writeLog, component: {key: log, version: LATEST}}
      inputs: {level: {type: value, value: loud}, message: {type: value, value: hi}}
    """
    result, _ = await run(flow(steps))
    assert result.error == (
        "flow 'Test', step 'Log', input 'level': must be debug, info, warn or error, got 'loud'"
    )


async def test_unknown_and_unimplemented_actions_fail_clearly() -> None:
    from splice.components.manifest import ActionManifest, ComponentManifest
    from splice.components.sdk import ComponentSpec

    bare = ComponentSpec(
        ComponentManifest(key="bare", version=1, label="Bare", actions=(ActionManifest("x", "X"),))
    )
    steps = """
    - name: Bare
      action: {key: x, component: {key: bare, version: LATEST}}
      inputs: {}
    """
    result, _ = await run(flow(steps), extra=[bare])
    assert result.error == (
        "flow 'Test', step 'Bare': action 'x' of component 'bare' has no implementation in this "
        "Splice version"
    )
    result, _ = await run(flow(steps))
    assert (
        result.error == "flow 'Test', step 'Bare': component 'bare' is not installed in this Splice"
    )


async def test_resume_skips_steps_that_already_succeeded() -> None:
    flaky = Flaky(0)
    steps = """
    - name: Work
      action: {key: work, component: {key: flaky, version: LATEST}}
      inputs: {}
    - name: Loop
      action: {key: loopNTimes, component: {key: loop, version: LATEST}}
      inputs: {iterationCount: {type: value, value: "2"}}
      steps:
        - name: Inner
          action: {key: work, component: {key: flaky, version: LATEST}}
          inputs: {}
    - name: After
      action: {key: echo, component: {key: echo, version: LATEST}}
      inputs: {prev: {type: reference, value: work.results}}
    """
    resume = {"trigger": {"ignored": True}, "work": "earlier", "loop[0].inner": "earlier inner"}
    result, sink = await run(flow(steps), extra=[flaky.spec, ECHO], resume_results=resume)
    assert result.status == "succeeded", result.error
    assert flaky.calls == 1  # only loop[1].inner ran
    # the reused results are recorded in the new execution too, in run order
    assert sink.paths() == ["trigger", "work", "loop[0].inner", "loop[1].inner", "loop", "after"]
    assert sink.by_path()["work"].data == "earlier"
    assert sink.by_path()["loop"].data == ["earlier inner", "ok"]
    assert sink.by_path()["after"].data["prev"] == "earlier"


async def test_resume_follows_a_recorded_branch() -> None:
    steps = """
    - name: Pick
      action: {key: branchOnValue, component: {key: branch, version: LATEST}}
      inputs:
        inputValue: {type: value, value: a}
        branchValueMappings: {type: complex, value: [{name: A, type: value, value: a}]}
      branches:
        - name: A
          steps:
            - name: Work
              action: {key: work, component: {key: flaky, version: LATEST}}
              inputs: {}
        - name: Else
          steps: []
    """
    flaky = Flaky(0)
    result, sink = await run(flow(steps), extra=[flaky.spec], resume_results={"pick": "A"})
    assert result.status == "succeeded"
    assert sink.paths() == ["trigger", "pick", "pick.A.work"]


async def test_logs_are_tagged_with_the_step_and_truncated() -> None:
    steps = """
    - name: Write Log
      action: {key: writeLog, component: {key: log, version: LATEST}}
      inputs:
        level: {type: value, value: warn}
        message: {type: reference, value: trigger.results.body.data}
    """
    result, sink = await run(flow(steps), "x" * 50, limits=Limits(max_log_line_chars=10))
    assert result.status == "succeeded"
    assert [(e.severity, e.message, e.step_path) for e in sink.logs] == [
        ("warn", "x" * 10 + "…", "writeLog")
    ]


async def test_actions_that_suspend_return_and_fail_normally() -> None:
    spec = component("suspends", label="Suspends")

    @spec.action("later", label="Later")
    async def later(ctx: ActionContext, inputs: dict[str, Any]) -> str:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return "done"

    @spec.action("failLater", label="Fail later")
    async def fail_later(ctx: ActionContext, inputs: dict[str, Any]) -> str:
        await asyncio.sleep(0)
        raise KeyError("gone")

    @spec.action("future", label="Future")
    def future(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        done = asyncio.get_running_loop().create_future()
        done.set_result("from a future")
        return done

    steps = """
    - name: Later
      action: {key: later, component: {key: suspends, version: LATEST}}
      inputs: {}
    - name: Future
      action: {key: future, component: {key: suspends, version: LATEST}}
      inputs: {}
    - name: Fail Later
      action: {key: failLater, component: {key: suspends, version: LATEST}}
      inputs: {}
    """
    result, sink = await run(flow(steps), extra=[spec.build()])
    assert sink.by_path()["later"].data == "done"
    assert sink.by_path()["future"].data == "from a future"
    assert result.error == "flow 'Test', step 'Fail Later': KeyError: 'gone'"


def test_the_size_limit_measures_the_recorded_form_in_utf8_bytes() -> None:
    assert recorded_form({"a": [1, None]}, None) == ('{"a": [1, null]}', "application/json")
    assert recorded_form("a,b", "text/csv") == ("a,b", "text/csv")
    assert recorded_form(b"\x00", None) == (b"\x00", "application/octet-stream")
    assert recorded_size(recorded_form("ü" * 10, None)[0]) == 22  # quotes + 2 bytes each


async def test_a_succeeded_step_hands_its_recorded_form_to_the_sink() -> None:
    result, sink = await run(flow(work_step(action="big", name="Big")), extra=[Flaky(0).spec])
    assert result.status == "succeeded"
    step = sink.by_path()["big"]
    assert step.recorded is not None
    assert step.recorded == recorded_form(step.data, step.content_type)


async def test_a_returned_status_code_must_be_an_http_one() -> None:
    result, _ = await run(flow(work_step(action="odd", name="Odd")), extra=[Flaky(0).spec])
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test', step 'Odd': it returned a response that cannot be sent: the status code "
        "1000 is not an HTTP status code (an integer from 100 to 599)"
    )


async def test_an_action_error_is_shown_without_its_class_name() -> None:
    result, _ = await run(flow(work_step(action="polite", name="Polite")), extra=[Flaky(0).spec])
    assert result.error == "flow 'Test', step 'Polite': the record was locked by another user"
    result, _ = await run(flow(work_step(name="Work")), extra=[Flaky(1).spec])
    assert result.error == "flow 'Test', step 'Work': RuntimeError: boom 1"  # a bug keeps it


async def test_a_triggers_result_is_bounded_by_the_payload_limit_not_the_result_limit() -> None:
    big = {"text": "x" * 1200}  # over the result limit, as the request it is part of
    result, sink = await run(flow(""), big, limits=Limits(max_result_bytes=1000))
    assert result.status == "succeeded", result.error
    assert sink.by_path()["trigger"].status == "succeeded"
