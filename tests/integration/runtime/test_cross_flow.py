"""A flow invokes a sibling flow of the same instance; the callee runs as its own execution."""

from __future__ import annotations

import asyncio

import yaml

from tests.integration.runtime.conftest import Running

TWO_FLOWS = {
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


async def test_invoke_flow_starts_the_sibling_with_the_data(app: Running) -> None:
    imported = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { flows { nodes { name testUrl } } } errors { messages } } }",
        d=yaml.safe_dump(TWO_FLOWS),
    )
    flows = imported["importIntegration"]["integration"]["flows"]["nodes"]
    caller_url = next(f["testUrl"] for f in flows if f["name"] == "Caller")
    response = await app.http.post(caller_url.replace("http://splice.test", ""), json={"x": 42})
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
