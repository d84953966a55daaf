"""The executions API over real runs: lineage and failure filters, flow, invoke type, payloads."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

import msgpack
import yaml

from splice import clock, ids
from splice.store.tables import Execution
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.flows import definition
from tests.integration.runtime.test_webhooks import IMPORT, import_flow, wait_until_ended

FIELDS = (
    "id status error flow { id name } invokeType retryCount retryForExecution { id } "
    "replayForExecution { id } requestPayloadUrl responsePayloadUrl"
)
EXECUTION = f"query($id: ID!) {{ executionResult(id: $id) {{ {FIELDS} }} }}"
SEARCH = (
    "query($err: Boolean, $replay: Boolean, $retry: Boolean, $flow: ID, $from: DateTime) {"
    " executionResults(error_Isnull: $err, replayForExecution_Isnull: $replay,"
    " retryForExecution_Isnull: $retry, flowConfig_Flow: $flow, startedAt_Gte: $from)"
    " { nodes { id } } }"
)
FLOWS = "query { integrations { nodes { flows { nodes { id name testUrl } } } } }"


async def run(app: Running, url: str, body: Any, **headers: str) -> dict[str, Any]:
    response = await app.http.post(url, json=body, headers=headers)
    execution_id = response.headers["prismatic-executionid"]
    await wait_until_ended(app, execution_id)
    data = await app.gql(EXECUTION, id=execution_id)
    return dict(data["executionResult"])


async def search(app: Running, **variables: Any) -> set[str]:
    data = await app.gql(SEARCH, **variables)
    return {node["id"] for node in data["executionResults"]["nodes"]}


async def flow_id_of(app: Running, url: str) -> str:
    data = await app.gql(FLOWS)
    for integration in data["integrations"]["nodes"]:
        for flow in integration["flows"]["nodes"]:
            if flow["testUrl"].endswith(url):
                return str(flow["id"])
    raise AssertionError(url)


async def test_failed_replayed_and_retried_executions_can_be_told_apart(app: Running) -> None:
    ok = await run(app, await import_flow(app), {"name": "Ada"})
    failed = await run(app, await import_flow(app, fail=True), {})
    assert failed["error"] and not ok["error"]
    replay = await app.gql(
        "mutation($id: ID!) { replayExecution(input: {id: $id}) "
        "{ instanceExecutionResult { id } errors { messages } } }",
        id=failed["id"],
    )
    replay_id = replay["replayExecution"]["instanceExecutionResult"]["id"]
    await wait_until_ended(app, replay_id)
    async with app.services.db.session() as session:  # a retryConfig attempt of the failed run
        original = await session.get(Execution, ids.decode(failed["id"], "InstanceExecutionResult"))
        assert original is not None
        retry = Execution(
            organization_id=original.organization_id,
            instance_id=original.instance_id,
            flow_config_id=original.flow_config_id,
            flow_id=original.flow_id,
            flow_name=original.flow_name,
            status="failed",
            error="still down",
            attempt=2,
            retry_of_id=original.id,
            ended_at=clock.now(),
        )
        session.add(retry)
        await session.commit()
        retry_id = ids.encode("InstanceExecutionResult", retry.id)

    assert await search(app, err=False) == {failed["id"], replay_id, retry_id}
    assert await search(app, err=True) == {ok["id"]}
    assert await search(app, replay=False) == {replay_id}
    assert await search(app, replay=True) == {ok["id"], failed["id"], retry_id}
    assert await search(app, retry=False) == {retry_id}
    assert await search(app, err=False, replay=True, retry=True) == {failed["id"]}

    retried = (await app.gql(EXECUTION, id=retry_id))["executionResult"]
    assert retried["retryCount"] == 1
    assert retried["invokeType"] == "WEBHOOK"
    assert retried["retryForExecution"] == {"id": failed["id"]}
    replayed = (await app.gql(EXECUTION, id=replay_id))["executionResult"]
    assert replayed["replayForExecution"] == {"id": failed["id"]}
    assert replayed["retryCount"] == 0 and replayed["retryForExecution"] is None


async def test_an_execution_names_its_flow_and_how_it_was_invoked(app: Running) -> None:
    url = await import_flow(app)
    result = await run(app, url, {"name": "Ada"})
    flow_id = await flow_id_of(app, url)
    assert result["flow"] == {"id": flow_id, "name": "Echo"}
    assert result["invokeType"] == "INTEGRATION_FLOW_TEST"
    other = await run(app, await import_flow(app), {"name": "Grace"})
    assert await search(app, flow=flow_id) == {result["id"]}
    assert await search(app, flow=ids.encode("IntegrationFlow", ids.new_uuid())) == set()
    assert await search(app, **{"from": clock.to_iso(clock.now() + timedelta(minutes=1))}) == set()
    earlier = clock.to_iso(clock.now() - timedelta(minutes=1))
    assert await search(app, **{"from": earlier}) == {result["id"], other["id"]}


async def test_payload_urls_serve_the_request_and_the_response(app: Running) -> None:
    result = await run(app, await import_flow(app), {"name": "Ada"}, **{"x-trace": "t1"})
    request = await app.http.get(result["requestPayloadUrl"].replace("http://splice.test", ""))
    assert request.status_code == 200
    document = request.json()
    assert json.loads(base64.b64decode(document["body"])) == {"name": "Ada"}
    assert document["contentType"] == "application/json"
    assert document["headers"]["x-trace"] == "t1"

    answered = await run(app, await import_flow(app, synchronous=True), {"name": "Grace"})
    response = await app.http.get(answered["responsePayloadUrl"].replace("http://splice.test", ""))
    document = response.json()
    assert document["statusCode"] == 201
    assert json.loads(base64.b64decode(document["body"])) == {"hello": "Grace"}

    forged = await app.http.get("/payloads/not-a-token")
    assert forged.status_code == 401


async def test_the_trigger_payload_names_the_flows_stable_id(app: Running) -> None:
    document = yaml.safe_load(definition(f"Stable {uuid.uuid4().hex[:6]}"))
    document["flows"][0]["stableKey"] = "echo-stable-key"
    data = await app.gql(IMPORT, d=yaml.safe_dump(document))
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    execution_id = (await app.http.post(url.replace("http://splice.test", ""), json={})).json()[
        "executionId"
    ]
    result = await wait_until_ended(app, execution_id)
    steps = result["stepResults"]["nodes"]  # type: ignore[index]
    trigger = next(s for s in steps if s["stepName"] == "echoTrigger")
    blob = await app.http.get(trigger["resultsUrl"].replace("http://splice.test", ""))
    payload = json.loads(msgpack.unpackb(blob.content)["data"])
    assert payload["flow"]["stableId"] == "echo-stable-key"
    assert payload["flow"]["name"] == "Echo"
