"""Loops, branches, stop and the responses a run produces."""

from __future__ import annotations

import json
from typing import Any

from splice.components import ActionContext, ActionResult, TriggerResult, component
from splice.components.sdk import HttpResponse
from tests.unit.engine.helpers import ECHO, flow, run

LOG = "{key: writeLog, component: {key: log, version: LATEST}}"
ECHO_ACTION = "{key: echo, component: {key: echo, version: LATEST}}"


async def test_nested_loops_with_break_collect_last_results() -> None:
    steps = f"""
    - name: Outer
      action: {{key: loopOverItems, component: {{key: loop, version: LATEST}}}}
      inputs: {{items: {{type: reference, value: trigger.results.body.data}}}}
      steps:
        - name: Inner
          action: {{key: loopNTimes, component: {{key: loop, version: LATEST}}}}
          inputs: {{iterationCount: {{type: value, value: "5"}}}}
          steps:
            - name: Show
              action: {ECHO_ACTION}
              inputs:
                outer: {{type: reference, value: outer.currentItem}}
                inner: {{type: reference, value: inner.index}}
                item: {{type: reference, value: inner.currentItem}}
            - name: Stop Early
              action: {{key: branchOnExpression, component: {{key: branch, version: LATEST}}}}
              inputs:
                conditions:
                  type: complex
                  value:
                    - name: Done
                      type: complex
                      value:
                        - and
                        - - greaterThanOrEqual
                          - {{type: reference, value: inner.index}}
                          - {{type: reference, value: outer.currentItem}}
              branches:
                - name: Done
                  steps:
                    - name: Break Loop
                      action: {{key: breakLoop, component: {{key: loop, version: LATEST}}}}
                      inputs: {{}}
                - {{name: Else, steps: []}}
    """
    result, sink = await run(flow(steps), [1, 2], extra=[ECHO])
    assert result.status == "succeeded", result.error
    paths = sink.paths()
    assert "outer[0].inner[0].show" in paths
    assert "outer[0].inner[1].stopEarly.Done.breakLoop" in paths
    assert "outer[0].inner[2].show" not in paths
    assert "outer[1].inner[2].stopEarly.Done.breakLoop" in paths
    by_path = sink.by_path()
    assert by_path["outer[1].inner[1].show"].data == {
        "outer": 2, "inner": 1, "item": 1, "values": None, "pairs": None, "withDefault": "dflt"
    }  # fmt: skip
    # each completed inner iteration ends with the branch step, whose result is "Else"
    assert by_path["outer[0].inner"].data == ["Else"]
    assert by_path["outer[1].inner"].data == ["Else", "Else"]
    assert by_path["outer"].data == [["Else"], ["Else", "Else"]]
    assert paths[-1] == "outer"


async def test_loop_over_object_items_and_json_text() -> None:
    steps = f"""
    - name: Loop
      action: {{key: loopOverItems, component: {{key: loop, version: LATEST}}}}
      inputs: {{items: {{type: reference, value: trigger.results.body.data.obj}}}}
      steps:
        - name: Show
          action: {ECHO_ACTION}
          inputs: {{entry: {{type: reference, value: loop.currentItem}}}}
    - name: Loop Text
      action: {{key: loopOverItems, component: {{key: loop, version: LATEST}}}}
      inputs: {{items: {{type: value, value: "[10, 20]"}}}}
      steps:
        - name: Show Text
          action: {ECHO_ACTION}
          inputs: {{entry: {{type: reference, value: loopText.currentItem}}}}
    """
    result, sink = await run(flow(steps), {"obj": {"a": 1, "b": 2}}, extra=[ECHO])
    assert result.status == "succeeded", result.error
    entries = [r["entry"] for r in sink.by_path()["loop"].data]
    assert entries == [{"key": "a", "value": 1}, {"key": "b", "value": 2}]
    assert [r["entry"] for r in sink.by_path()["loopText"].data] == [10, 20]


async def test_loop_over_nothing_fails_naming_the_input() -> None:
    steps = """
    - name: Loop
      action: {key: loopOverItems, component: {key: loop, version: LATEST}}
      inputs: {items: {type: reference, value: trigger.results.body.data.missing}}
      steps: []
    """
    result, _ = await run(flow(steps, name="Orders"), {})
    assert result.status == "failed"
    assert result.error == (
        "flow 'Orders', step 'Loop', input 'items': expects a list or an object to loop over, "
        "got nothing"
    )
    assert result.failed_step == "loop"


async def test_break_outside_a_loop_fails() -> None:
    steps = """
    - name: Break Loop
      action: {key: breakLoop, component: {key: loop, version: LATEST}}
      inputs: {}
    """
    result, _ = await run(flow(steps))
    assert result.status == "failed"
    assert result.error is not None and "only run inside a loop" in result.error


async def test_branch_on_value_and_else() -> None:
    steps = f"""
    - name: Branch on Value
      action: {{key: branchOnValue, component: {{key: branch, version: LATEST}}}}
      inputs:
        inputValue: {{type: reference, value: trigger.results.body.data.event}}
        branchValueMappings:
          type: complex
          value:
            - {{name: Register, type: value, value: register}}
            - {{name: Count, type: value, value: "5"}}
      branches:
        - name: Register
          steps:
            - name: Registered
              action: {LOG}
              inputs: {{message: {{type: value, value: reg}}}}
        - name: Count
          steps:
            - name: Counted
              action: {LOG}
              inputs: {{message: {{type: value, value: count}}}}
        - name: Else
          steps:
            - name: Otherwise
              action: {LOG}
              inputs: {{message: {{type: value, value: other}}}}
    - name: After
      action: {LOG}
      inputs: {{message: {{type: reference, value: branchOnValue.results}}}}
    """
    target = flow(steps)
    for event, expected in (("register", "Register"), (5, "Count"), ("nope", "Else")):
        result, sink = await run(target, {"event": event})
        assert result.status == "succeeded", result.error
        assert sink.by_path()["branchOnValue"].data == expected
        logs = [(entry.message, entry.step_path) for entry in sink.logs]
        assert logs[-1] == (expected, "after")
    result, sink = await run(target, {"event": "register"})
    assert "branchOnValue.Register.registered" in sink.paths()


async def test_branching_trigger_and_missing_branch() -> None:
    hooks = component("hooks", label="Hooks")

    @hooks.trigger("webhook", label="Webhook")
    def hook(ctx: ActionContext, inputs: dict[str, Any]) -> TriggerResult:
        assert ctx.trigger_payload is not None
        kind = ctx.trigger_payload["body"]["data"]["kind"]
        return TriggerResult(payload={"kind": kind}, branch=kind)

    trigger = f"""
    - name: Hook
      isTrigger: true
      action: {{key: webhook, component: {{key: hooks, version: LATEST}}}}
      inputs: {{}}
      branches:
        - name: Notification
          steps:
            - name: Notified
              action: {ECHO_ACTION}
              inputs: {{kind: {{type: reference, value: hook.results.kind}}}}
        - name: URL Verify
          steps: []
    """
    target = flow("", trigger=trigger)
    result, sink = await run(target, {"kind": "Notification"}, extra=[ECHO, hooks.build()])
    assert result.status == "succeeded", result.error
    assert sink.by_path()["hook.Notification.notified"].data["kind"] == "Notification"
    result, sink = await run(target, {"kind": "Other"}, extra=[ECHO, hooks.build()])
    assert result.status == "failed"
    assert result.error == (
        "flow 'Test', step 'Hook': chose branch 'Other', which the step does not have "
        "(branches: Notification, URL Verify)"
    )
    assert result.failed_step == "hook"


async def test_stop_execution_sets_the_response_and_skips_the_rest() -> None:
    steps = f"""
    - name: Stop Execution
      action: {{key: stopExecution, component: {{key: stop-execution, version: LATEST}}}}
      inputs:
        statusCode: {{type: value, value: "202"}}
        jsonBody: {{type: template, value: '{{"got": "{{{{$trigger.results.body.data.x}}}}"}}'}}
        headers:
          type: complex
          value:
            - {{name: X-Reason, type: value, value: early}}
    - name: Never
      action: {LOG}
      inputs: {{message: {{type: value, value: never}}}}
    """
    result, sink = await run(flow(steps), {"x": "y"})
    assert result.status == "stopped"
    assert result.error is None
    assert result.response is not None
    assert result.response.status_code == 202
    assert result.response.content_type == "application/json"
    assert result.response.headers == {"X-Reason": "early"}
    assert json.loads(result.response.body) == {"got": "y"}
    assert "never" not in sink.paths()


async def test_sync_response_from_last_step() -> None:
    shaper = component("shaper", label="Shaper")

    @shaper.action("reply", label="Reply")
    async def reply(ctx: ActionContext, inputs: dict[str, Any]) -> ActionResult:
        return ActionResult(
            data="<ok/>", content_type="application/xml", status_code=201, headers={"X-A": "1"}
        )

    steps = f"""
    - name: Echo
      action: {ECHO_ACTION}
      inputs: {{a: {{type: value, value: "1"}}}}
    """
    result, _ = await run(flow(steps, synchronous=True), extra=[ECHO])
    assert result.response is not None
    assert result.response.status_code == 200
    assert result.response.content_type == "application/json"
    assert json.loads(result.response.body)["a"] == "1"
    assert result.data["a"] == "1"

    steps = """
    - name: Reply
      action: {key: reply, component: {key: shaper, version: LATEST}}
      inputs: {}
    """
    result, _ = await run(flow(steps, synchronous=True), extra=[shaper.build()])
    assert result.response is not None
    assert (result.response.status_code, result.response.content_type) == (201, "application/xml")
    assert result.response.headers == {"X-A": "1"}
    assert result.response.body == b"<ok/>"


async def test_webhook_trigger_response_for_async_callers() -> None:
    trigger = """
    - name: Trigger
      isTrigger: true
      action: {key: webhook, component: {key: webhook-triggers, version: LATEST}}
      inputs:
        statusCode: {type: value, value: "202"}
        contentType: {type: value, value: ""}
        headers:
          type: complex
          value:
            - {name: X-Hook, type: configVar, value: Hook Header}
        body: {type: value, value: ""}
    """
    steps = f"""
    - name: Echo
      action: {ECHO_ACTION}
      inputs: {{a: {{type: value, value: "1"}}}}
    """
    target = flow(steps, trigger=trigger)
    result, _ = await run(target, extra=[ECHO], config_vars={"Hook Header": "h"})
    assert result.trigger_response is not None
    assert result.response == result.trigger_response
    assert result.response.status_code == 202
    assert result.response.headers == {"X-Hook": "h"}
    assert json.loads(result.response.body) == {"executionId": "exec-1"}
    # a synchronous caller gets the last step instead
    result, _ = await run(
        target, extra=[ECHO], config_vars={"Hook Header": "h"},
        headers={"Prismatic-Synchronous": "true"},
    )  # fmt: skip
    assert result.response is not None and json.loads(result.response.body)["a"] == "1"
    assert result.trigger_response is not None

    from splice.engine import webhook_trigger_response

    early = webhook_trigger_response(target, config_vars={"Hook Header": "h"}, execution_id="e2")
    assert early is not None and early.status_code == 202
    assert json.loads(early.body) == {"executionId": "e2"}
    assert webhook_trigger_response(flow(steps), config_vars={}, execution_id="e") is None


def test_http_response_defaults() -> None:
    from splice.engine.response import http_response

    made = http_response(HttpResponse(body="plain", content_type="text/plain"), "x")
    assert (made.status_code, made.body, made.content_type) == (200, b"plain", "text/plain")


async def test_implicit_else_runs_nothing_and_continues() -> None:
    steps = f"""
    - name: Check
      action: {{key: branchOnValue, component: {{key: branch, version: LATEST}}}}
      inputs:
        inputValue: {{type: value, value: x}}
        branchValueMappings: {{type: complex, value: [{{name: A, type: value, value: a}}]}}
      branches:
        - name: A
          steps:
            - name: In A
              action: {LOG}
              inputs: {{message: {{type: value, value: a}}}}
    - name: After
      action: {LOG}
      inputs: {{message: {{type: value, value: after}}}}
    """
    result, sink = await run(flow(steps))
    assert result.status == "succeeded", result.error
    assert sink.paths() == ["trigger", "check", "after"]
    assert sink.by_path()["check"].data == "Else"


async def test_context_exposes_results_and_active_loops() -> None:
    spy = component("spy", label="Spy")

    @spy.action("look", label="Look")
    def look(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return {"keys": sorted(ctx.step_results), "loops": dict(ctx.loops), "path": ctx.step_path}

    steps = """
    - name: Loop
      action: {key: loopOverItems, component: {key: loop, version: LATEST}}
      inputs: {items: {type: value, value: '["a"]'}}
      steps:
        - name: Look
          action: {key: look, component: {key: spy, version: LATEST}}
          inputs: {}
    """
    _, sink = await run(flow(steps), extra=[spy.build()])
    assert sink.by_path()["loop[0].look"].data == {
        "keys": ["trigger"],
        "loops": {"loop": ("a", 0)},
        "path": "loop[0].look",
    }
