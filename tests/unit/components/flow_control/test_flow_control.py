"""Flow-control and platform components called on their own, through ``testing.invoke``."""

from __future__ import annotations

from typing import Any

import pytest

from splice.components import ActionResult, InputValueError, TriggerResult
from splice.components.builtin import (
    branch,
    cross_flow,
    log,
    loop,
    management_triggers,
    persist_data,
    recursive_flow,
    schedule_triggers,
    stop_execution,
    webhook_triggers,
)
from splice.components.sdk import HttpResponse
from splice.components.testing import MemoryState, invoke
from splice.engine.state import RunState

PAYLOAD = {"body": {"data": {"a": 1}}, "headers": {}}


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        (webhook_triggers.COMPONENT, "webhook"),
        (schedule_triggers.COMPONENT, "schedule"),
        (management_triggers.COMPONENT, "instanceDeploy"),
        (management_triggers.COMPONENT, "instanceRemove"),
        (cross_flow.COMPONENT, "crossFlow"),
    ],
)
async def test_triggers_pass_the_payload_through(spec: Any, key: str) -> None:
    assert await invoke(spec, key, {}, trigger_payload=PAYLOAD) is PAYLOAD


async def test_webhook_response_inputs() -> None:
    got = await invoke(
        webhook_triggers.COMPONENT,
        "webhook",
        {"statusCode": "202", "headers": [{"key": "X-A", "value": 1}], "body": "queued"},
        trigger_payload=PAYLOAD,
    )
    assert got == TriggerResult(
        payload=PAYLOAD,
        response=HttpResponse(202, "application/json", {"X-A": "1"}, "queued"),
    )
    with pytest.raises(InputValueError, match="statusCode"):
        await invoke(webhook_triggers.COMPONENT, "webhook", {"statusCode": "soon"})


async def test_log_levels() -> None:
    logs: list[tuple[str, str]] = []
    await invoke(log.COMPONENT, "writeLog", {"message": "m"}, logs=logs)
    await invoke(log.COMPONENT, "writeLog", {"message": {"a": 1}, "level": "WARN"}, logs=logs)
    await invoke(log.COMPONENT, "writeLog", {"message": "d", "level": "debug"}, logs=logs)
    assert logs == [("info", "m"), ("warn", '{"a": 1}'), ("debug", "d")]


async def test_stop_execution_result() -> None:
    got = await invoke(
        stop_execution.COMPONENT,
        "stopExecution",
        {"jsonBody": '{"ok": true}', "headers": [{"key": "X", "value": "y"}]},
    )
    assert got == ActionResult(
        data='{"ok": true}', content_type="application/json", status_code=200, headers={"X": "y"}
    )


@pytest.mark.parametrize("status", ["99", "600", "99999"])
async def test_stop_execution_takes_only_http_status_codes(status: str) -> None:
    with pytest.raises(InputValueError, match="must be an HTTP status code from 100 to 599") as e:
        await invoke(stop_execution.COMPONENT, "stopExecution", {"statusCode": status})
    assert e.value.input_key == "statusCode"


async def test_loop_markers() -> None:
    assert await invoke(loop.COMPONENT, "loopOverItems", {"items": '{"a": 1}'}) == [
        {"key": "a", "value": 1}
    ]
    assert await invoke(loop.COMPONENT, "loopNTimes", {"iterationCount": "3"}) == [0, 1, 2]
    assert await invoke(loop.COMPONENT, "breakLoop") is None


async def test_branch_actions() -> None:
    conditions = [
        {"key": "No", "value": ["and", ["isTrue", "false"]]},
        {"key": "Yes", "value": ["or", ["in", "b", "abc"]]},
    ]
    got = await invoke(branch.COMPONENT, "branchOnExpression", {"conditions": conditions})
    assert got == ActionResult(data="Yes", branch="Yes")
    got = await invoke(
        branch.COMPONENT,
        "branchOnValue",
        {"inputValue": 5, "branchValueMappings": [{"key": "Five", "value": "5"}]},
    )
    assert got.branch == "Five"
    got = await invoke(
        branch.COMPONENT,
        "selectExecutedStepResult",
        {"stepResults": [None, {"ran": True}, "other"]},
    )
    assert got == {"ran": True}


async def test_persist_data_scopes() -> None:
    store = MemoryState()
    state = RunState(store)
    spec = persist_data.COMPONENT

    async def call(key: str, **inputs: Any) -> Any:
        return await invoke(spec, key, inputs, state=state)

    assert await call("saveInstanceValue", keyInput="k", valueInput={"v": 1}) == {
        "key": "k",
        "value": {"v": 1},
    }
    assert await call("getInstanceValue", keyInput="k") == {"v": 1}
    assert await store.get("flow", "k") == {"v": 1}
    assert await call("listInstanceKeys") == ["k"]
    await call(
        "saveCrossFlowValue", dynamicValues=[{"key": "a", "value": 1}, {"key": "b", "value": 2}]
    )
    assert await store.get("crossFlow", "b") == 2
    await call("removeCrossFlowValue", keyInput="a")
    assert await call("getCrossFlowValue", keyInput="a", defaultValueInput="dflt") == "dflt"
    await call("saveExecutionValue", keyInput="e", valueInput="x")
    assert await call("getExecutionValue", keyInput="e") == "x"
    assert await store.keys("execution") == []  # the run keeps execution values itself
    assert await call("appendExecutionValueToList", keyInput="l", valueInput=1) == [1]
    assert await call("appendExecutionValueToList", keyInput="l", valueInput=2) == [1, 2]
    assert await call("incrementExecutionValue", keyInput="n") == 1
    assert await call("incrementExecutionValue", keyInput="n", amountInput="5") == 6
    with pytest.raises(InputValueError, match="not an integer"):
        await call("incrementExecutionValue", keyInput="e")
    with pytest.raises(InputValueError, match="keyInput"):
        await call("getInstanceValue", keyInput="")
    await call("removeExecutionValue", keyInput="e")
    assert await call("getExecutionValue", keyInput="e") is None


class Invoker:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, bool]] = []

    async def __call__(self, flow_name: str, data: Any, /, *, synchronous: bool) -> Any:
        self.calls.append((flow_name, data, synchronous))
        return {"executionId": "x1"}


async def test_cross_flow_invoke() -> None:
    invoker = Invoker()
    got = await invoke(
        cross_flow.COMPONENT, "invokeFlow", {"flowName": "Other", "data": {"a": 1}},
        invoke_flow=invoker,
    )  # fmt: skip
    assert got == {"executionId": "x1"}
    assert invoker.calls == [("Other", {"a": 1}, False)]
    with pytest.raises(RuntimeError, match="not available"):
        await invoke(cross_flow.COMPONENT, "invokeFlow", {"flowName": "Other"})
    with pytest.raises(InputValueError, match="flowName"):
        await invoke(cross_flow.COMPONENT, "invokeFlow", {"flowName": ""}, invoke_flow=invoker)


async def test_recursive_flow_cursor_round_trip() -> None:
    spec = recursive_flow.COMPONENT
    state = RunState(MemoryState())
    invoker = Invoker()
    common: dict[str, Any] = {"state": state, "invoke_flow": invoker, "flow": {"name": "Sync"}}
    await invoke(
        spec, "recursiveTrigger", {"defaultCursor": "0"}, trigger_payload=PAYLOAD, **common
    )
    assert await invoke(spec, "getCursor", **common) == "0"
    assert await invoke(spec, "setCursor", {"cursor": "50"}, **common) == "50"
    assert await invoke(spec, "getCursor", **common) == "50"
    await invoke(spec, "invokeRecursive", **common)
    assert invoker.calls == [("Sync", {"cursor": "50"}, False)]
    incoming = {"body": {"data": {"cursor": "100"}}}
    await invoke(
        spec, "recursiveTrigger", {"defaultCursor": "0"}, trigger_payload=incoming, **common
    )
    assert await invoke(spec, "getCursor", **common) == "100"
