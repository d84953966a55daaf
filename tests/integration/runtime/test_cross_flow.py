"""A flow invokes a sibling flow of the same instance; the callee runs as its own execution."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import yaml
from sqlalchemy import select

from splice.components import ActionContext, ComponentSpec, component
from splice.store.tables import Execution
from tests.integration.runtime.conftest import Running

TWO_FLOWS: dict[str, Any] = {
    "definitionVersion": 7,
    "name": "Caller And Callee",
    "flows": [
        {
            "name": "Caller",
            "endpointSecurityType": "unsecured",
            "steps": [
                {
                    "name": "Caller Trigger",
                    "isTrigger": True,
                    "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
                    "inputs": {},
                },
                {
                    "name": "Invoke Callee",
                    "action": {"key": "invokeFlow", "component": {"key": "cross-flow"}},
                    "inputs": {
                        "flowName": {"type": "value", "value": "Callee"},
                        "data": {"type": "reference", "value": "callerTrigger.results.body.data"},
                    },
                },
            ],
        },
        {
            "name": "Callee",
            "steps": [
                {
                    "name": "Callee Trigger",
                    "isTrigger": True,
                    "action": {"key": "crossFlow", "component": {"key": "cross-flow"}},
                    "inputs": {},
                },
                {
                    "name": "Report",
                    "action": {"key": "writeLog", "component": {"key": "log"}},
                    "inputs": {
                        "message": {
                            "type": "template",
                            "value": "callee got {{$calleeTrigger.results.body.data.x}}",
                        }
                    },
                },
            ],
        },
    ],
}
LIST = "query { executionResults { nodes { id flowName status endedAt } } }"
LOGS = "query($id: ID!) { logs(executionResult: $id) { nodes { message } } }"


async def call_the_caller(app: Running, definition: dict[str, Any], body: Any) -> httpx.Response:
    """Import ``definition`` and call its flow ``Caller`` at its test URL."""
    imported = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { flows { nodes { name testUrl } } } errors { messages } } }",
        d=yaml.safe_dump(definition),
    )
    flows = imported["importIntegration"]["integration"]["flows"]["nodes"]
    caller_url = next(f["testUrl"] for f in flows if f["name"] == "Caller")
    return await app.http.post(caller_url.replace("http://splice.test", ""), json=body)


async def test_invoke_flow_starts_the_sibling_with_the_data(app: Running) -> None:
    response = await call_the_caller(app, TWO_FLOWS, {"x": 42})
    assert response.status_code == 200
    for _ in range(400):
        nodes = (await app.gql(LIST))["executionResults"]["nodes"]
        if len(nodes) == 2 and all(n["endedAt"] for n in nodes):
            break
        await asyncio.sleep(0.05)
    by_flow = {n["flowName"]: n for n in nodes}
    assert set(by_flow) == {"Caller", "Callee"}
    assert by_flow["Caller"]["status"] == "succeeded"
    assert by_flow["Callee"]["status"] == "succeeded"
    messages = [
        n["message"] for n in (await app.gql(LOGS, id=by_flow["Callee"]["id"]))["logs"]["nodes"]
    ]
    assert "callee got 42" in messages


def _waiting_invoker() -> ComponentSpec:
    spec = component("wait-invoker", label="Wait Invoker")

    @spec.action("invokeAndWait", label="Invoke And Wait")
    async def invoke_and_wait(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        assert ctx.invoke_flow is not None
        return await ctx.invoke_flow("Callee", {"x": 1}, synchronous=True)

    return spec.build()


async def test_a_waiting_call_to_a_fifo_flow_is_queued_as_a_webhook_call_would_be(
    app: Running,
) -> None:
    # queued flows are asynchronous (spec 2.7): the call queues it and answers with its ID
    app.services.registry.add(_waiting_invoker())
    waiting = copy.deepcopy(TWO_FLOWS)
    caller, callee = waiting["flows"]
    caller["steps"][1] = {
        "name": "Call",
        "action": {"key": "invokeAndWait", "component": {"key": "wait-invoker"}},
        "inputs": {},
    }
    callee["queueConfig"] = {"usesFifoQueue": True}
    response = await call_the_caller(app, waiting, {})
    assert response.status_code == 200
    rows: list[Execution] = []
    for _ in range(400):  # bounded wait for both runs to end
        async with app.services.db.session() as session:
            rows = list((await session.execute(select(Execution))).scalars())
        if len(rows) == 2 and all(row.ended_at is not None for row in rows):
            break
        await asyncio.sleep(0.05)
    by_flow = {row.flow_name: row for row in rows}
    assert by_flow["Callee"].queue_limit == 1  # it went through the flow's FIFO queue
    assert by_flow["Callee"].status == "succeeded"
    assert by_flow["Caller"].status == "succeeded", by_flow["Caller"].error
