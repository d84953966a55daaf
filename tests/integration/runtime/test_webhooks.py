"""Webhooks end to end through the inline dispatcher: async, sync, failures, recovery."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import msgpack

from splice import clock, ids
from splice.store.tables import Execution
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.flows import definition

IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) "
    "{ integration { id flows { nodes { id name testUrl } } } errors { field messages } } }"
)
EXECUTION = (
    "query($id: ID!) { executionResult(id: $id) { id status error endedAt "
    "stepResults { nodes { stepName displayStepName resultsUrl } } } }"
)
LOGS = (
    "query($id: ID!, $after: String) { logs(executionResult: $id, after: $after) "
    "{ edges { cursor node { severity message } } } }"
)


async def import_flow(app: Running, **kwargs: Any) -> str:
    data = await app.gql(IMPORT, d=definition(f"Echo {uuid.uuid4().hex[:6]}", **kwargs))
    payload = data["importIntegration"]
    assert payload["errors"] == []
    test_url: str = payload["integration"]["flows"]["nodes"][0]["testUrl"]
    return test_url.replace("http://splice.test", "")


async def wait_until_ended(app: Running, execution_id: str) -> dict[str, object]:
    for _ in range(400):
        result = (await app.gql(EXECUTION, id=execution_id))["executionResult"]
        if result["endedAt"] is not None:
            return dict(result)
        await asyncio.sleep(0.05)
    raise AssertionError(f"execution {execution_id} did not end")


async def test_async_webhook_answers_with_the_committed_execution_id(app: Running) -> None:
    url = await import_flow(app)
    response = await app.http.post(url, json={"name": "Ada"})
    assert response.status_code == 200
    execution_id = response.json()["executionId"]
    assert response.headers["prismatic-executionid"] == execution_id
    assert ids.decode_any(execution_id)[0] == "InstanceExecutionResult"
    result = await wait_until_ended(app, execution_id)
    assert result["status"] in ("succeeded", "stopped"), result
    logs = (await app.gql(LOGS, id=execution_id))["logs"]["edges"]
    messages = [edge["node"]["message"] for edge in logs]
    assert "hello Ada" in messages
    assert messages[-1] == "Ending Instance Execution"
    after_last = await app.gql(LOGS, id=execution_id, after=logs[-1]["cursor"])
    assert after_last["logs"]["edges"] == []
    steps = result["stepResults"]["nodes"]  # type: ignore[index]
    trigger = next(s for s in steps if s["stepName"] == "echoTrigger")
    blob = await app.http.get(trigger["resultsUrl"].replace("http://splice.test", ""))
    decoded = msgpack.unpackb(blob.content)
    assert decoded["contentType"] == "application/json"
    assert '"name": "Ada"' in decoded["data"]


async def test_sync_webhook_answers_with_the_last_steps_response(app: Running) -> None:
    url = await import_flow(app, synchronous=True)
    response = await app.http.post(url, json={"name": "Grace"})
    assert response.status_code == 201
    assert response.json() == {"hello": "Grace"}
    assert "prismatic-executionid" in response.headers


async def test_sync_header_makes_an_async_flow_answer_synchronously(app: Running) -> None:
    url = await import_flow(app)
    response = await app.http.post(
        url, json={"name": "Linus"}, headers={"prismatic-synchronous": "true"}
    )
    assert response.status_code == 201
    assert response.json() == {"hello": "Linus"}


async def test_a_failing_step_fails_the_execution_naming_the_step(app: Running) -> None:
    url = await import_flow(app, fail=True)
    response = await app.http.post(url, json={}, headers={"prismatic-synchronous": "true"})
    assert response.status_code == 500
    assert "Say Hello" in response.json()["error"]
    result = await wait_until_ended(app, response.json()["executionId"])
    assert result["status"] == "failed"


async def test_unknown_flow_config_is_404_and_oversized_payload_is_413(app: Running) -> None:
    missing = await app.http.post(f"/trigger/{ids.encode('InstanceFlowConfig', uuid.uuid4())}")
    assert missing.status_code == 404
    url = await import_flow(app)
    limit = app.services.settings.limits.webhook_payload_bytes
    too_big = await app.http.post(url, content=b"x" * (limit + 1))
    assert too_big.status_code == 413
    assert "limit" in too_big.json()["message"]


async def test_committed_but_undispatched_execution_is_recovered_by_the_sweeper(
    app: Running,
) -> None:
    """A crash between commit and hand-off: the row waits as pending; the sweep runs it."""
    from splice.runtime.sweeper import Sweeper
    from splice.services.executions import WebhookRequest

    url = await import_flow(app)
    accepted = await app.services.executions.accept_webhook(
        url.rsplit("/", 1)[1],
        WebhookRequest("POST", url, {"content-type": "application/json"}, {}, b'{"name": "Tim"}'),
    )
    async with app.services.db.session() as session:
        row = await session.get(Execution, accepted.execution_id)
        assert row is not None and row.status == "pending"
        row.created_at = clock.now() - timedelta(minutes=1)
        await session.commit()
    swept = await Sweeper(app.services.executions, app.dispatcher).sweep_once()
    assert swept == 1
    result = await wait_until_ended(app, accepted.global_id)
    assert result["status"] in ("succeeded", "stopped")


async def test_a_dead_workers_expired_lease_is_reclaimed_and_finished_runs_are_not(
    app: Running,
) -> None:
    url = await import_flow(app)
    response = await app.http.post(url, json={"name": "Ken"})
    execution_id = response.json()["executionId"]
    await wait_until_ended(app, execution_id)
    pk = ids.decode(execution_id, "InstanceExecutionResult")
    assert not await app.services.executions.claim(pk, "late-worker")
    async with app.services.db.session() as session:
        row = await session.get(Execution, pk)
        assert row is not None
        row.status = "running"
        row.ended_at = None
        row.lease_owner = "dead-worker"
        row.lease_expires_at = clock.now() - timedelta(seconds=1)
        await session.commit()
    assert pk in await app.services.executions.reclaimable()
    finished = await app.services.executions.run(pk, worker="rescuer")
    assert finished is not None and finished.ended_at is not None


def _value(text: str) -> dict[str, str]:
    return {"type": "value", "value": text}


async def test_the_triggers_response_inputs_answer_an_async_caller(app: Running) -> None:
    url = await import_flow(
        app,
        trigger_inputs={
            "statusCode": _value("202"),
            "contentType": _value("text/plain"),
            "body": _value("accepted!"),
            "headers": {
                "type": "complex",
                "value": [{"name": _value("X-Splice"), "type": "value", "value": "yes"}],
            },
        },
    )
    response = await app.http.post(url, json={"name": "Ada"})
    assert response.status_code == 202
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "accepted!"
    assert response.headers["x-splice"] == "yes"
    execution_id = response.headers["prismatic-executionid"]
    result = await wait_until_ended(app, execution_id)
    assert result["status"] in ("succeeded", "stopped"), result


async def test_a_trigger_response_without_a_body_answers_the_execution_id(app: Running) -> None:
    url = await import_flow(app, trigger_inputs={"statusCode": _value("202")})
    response = await app.http.post(url, json={"name": "Ada"})
    assert response.status_code == 202
    assert response.json() == {"executionId": response.headers["prismatic-executionid"]}


async def test_a_trigger_response_that_cannot_be_sent_falls_back_to_the_default(
    app: Running,
) -> None:
    url = await import_flow(app, trigger_inputs={"statusCode": _value("1000")})
    response = await app.http.post(url, json={"name": "Ada"})
    assert response.status_code == 200
    execution_id = response.json()["executionId"]
    result = await wait_until_ended(app, execution_id)
    assert result["status"] == "failed"
    assert "the status code 1000 is not an HTTP status code" in str(result["error"])


def _header(name: str, value: str) -> dict[str, object]:
    return {"name": _value(name), "type": "value", "value": value}


async def test_a_steps_framing_headers_are_left_to_the_server(app: Running) -> None:
    url = await import_flow(
        app, synchronous=True, answer_headers=[_header("Content-Length", "5"), _header("X-A", "b")]
    )
    response = await app.http.post(url, json={"name": "Grace"})
    assert response.status_code == 201
    assert response.json() == {"hello": "Grace"}  # not cut to 5 bytes
    assert response.headers["x-a"] == "b"


async def test_a_step_header_that_cannot_be_sent_fails_the_step(app: Running) -> None:
    url = await import_flow(app, synchronous=True, answer_headers=[_header("Bad Name", "x")])
    response = await app.http.post(url, json={"name": "Grace"})
    assert response.status_code == 500
    assert "the header name 'Bad Name' is not a valid HTTP field name" in response.json()["error"]


RESUMABLE = """
definitionVersion: 7
name: Resumable {suffix}
flows:
  - name: Resumable
    endpointSecurityType: unsecured
    steps:
      - name: Trigger
        isTrigger: true
        action: {{key: webhook, component: {{key: webhook-triggers, version: LATEST}}}}
        inputs: {{}}
      - name: Shout
        action: {{key: upperCase, component: {{key: text-manipulation, version: LATEST}}}}
        inputs: {{text: {{type: reference, value: trigger.results.body.data.name}}}}
      - name: Fetch
        action: {{key: httpGet, component: {{key: http, version: LATEST}}}}
        inputs: {{url: {{type: value, value: "http://127.0.0.1:9/closed-port"}}}}
"""
RESUME = (
    "mutation($id: ID!) { resumeExecution(input: {id: $id}) "
    "{ instanceExecutionResult { id } errors { messages } } }"
)


async def test_a_resumed_execution_holds_the_reused_step_results(app: Running) -> None:
    data = await app.gql(IMPORT, d=RESUMABLE.format(suffix=uuid.uuid4().hex[:6]))
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    response = await app.http.post(url.replace("http://splice.test", ""), json={"name": "ada"})
    first = await wait_until_ended(app, response.json()["executionId"])
    assert first["status"] == "failed"
    resumed = (await app.gql(RESUME, id=response.json()["executionId"]))["resumeExecution"]
    second = await wait_until_ended(app, resumed["instanceExecutionResult"]["id"])
    assert second["status"] == "failed"  # the port is still closed
    steps = {s["stepName"]: s for s in second["stepResults"]["nodes"]}  # type: ignore[index]
    assert {"trigger", "shout", "fetch"} <= set(steps)  # shout was reused, and is recorded
    blob = await app.http.get(steps["shout"]["resultsUrl"].replace("http://splice.test", ""))
    assert msgpack.unpackb(blob.content)["data"] == '"ADA"'


RETRIED = """
definitionVersion: 7
name: Retried {suffix}
flows:
  - name: Retried
    endpointSecurityType: unsecured
    retryConfig: {{maxAttempts: 1, delayMinutes: 0, usesExponentialBackoff: false}}
    steps:
      - name: Trigger
        isTrigger: true
        action: {{key: webhook, component: {{key: webhook-triggers, version: LATEST}}}}
        inputs: {{}}
"""


async def _lapse(app: Running, pk: uuid.UUID) -> None:
    """Make the row look like a run whose worker died."""
    async with app.services.db.session() as session:
        row = await session.get(Execution, pk)
        assert row is not None
        row.status, row.ended_at, row.lease_owner = "running", None, "dead-worker"
        row.lease_expires_at = clock.now() - timedelta(seconds=1)
        await session.commit()


async def test_a_run_whose_worker_keeps_dying_ends_failed_and_retries_per_the_flow(
    app: Running,
) -> None:
    from sqlalchemy import func, select

    from splice.services.execution_run import MAX_RECOVERIES
    from splice.store.tables import ExecutionStep

    data = await app.gql(IMPORT, d=RETRIED.format(suffix=uuid.uuid4().hex[:6]))
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    response = await app.http.post(url.replace("http://splice.test", ""), json={})
    execution_id = response.json()["executionId"]
    await wait_until_ended(app, execution_id)
    pk = ids.decode(execution_id, "InstanceExecutionResult")
    async with app.services.db.session() as session:
        steps = select(func.count()).where(ExecutionStep.execution_id == pk)
        assert (await session.execute(steps)).scalar_one() == 1  # the trigger's result
    for _ in range(MAX_RECOVERIES):  # started again in place while recoveries last
        await _lapse(app, pk)
        assert await app.services.executions.recover([pk]) == [pk]
        async with app.services.db.session() as session:
            # the stopped run's results are cleared: the new run records its own, once each
            assert (await session.execute(steps)).scalar_one() == 0
    await _lapse(app, pk)
    assert await app.services.executions.recover([pk]) == []
    async with app.services.db.session() as session:
        row = await session.get(Execution, pk)
        assert row is not None and row.status == "failed"
        assert row.recoveries == MAX_RECOVERIES
        assert "stopped before it ended, 3 times" in (row.error or "")
        retries = (
            (await session.execute(select(Execution).where(Execution.retry_of_id == pk)))
            .scalars()
            .all()
        )
    assert [r.attempt for r in retries] == [2]  # the flow's retryConfig: one more attempt


UNIQUE = """
definitionVersion: 7
name: Unique {suffix}
flows:
  - name: Unique
    endpointSecurityType: unsecured
    retryConfig:
      maxAttempts: 2
      delayMinutes: 1
      uniqueRequestIdField: {{type: reference, value: trigger.results.body.data.id}}
    steps:
      - name: Trigger
        isTrigger: true
        action: {{key: webhook, component: {{key: webhook-triggers, version: LATEST}}}}
        inputs: {{}}
      - name: Fetch
        action: {{key: httpGet, component: {{key: http, version: LATEST}}}}
        inputs: {{url: {{type: value, value: "http://127.0.0.1:9/closed-port"}}}}
"""


async def test_a_newer_invocation_cancels_older_retries_with_the_same_request_id(
    app: Running,
) -> None:
    from sqlalchemy import select

    data = await app.gql(IMPORT, d=UNIQUE.format(suffix=uuid.uuid4().hex[:6]))
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    path = url.replace("http://splice.test", "")

    async def invoke(request_id: str) -> uuid.UUID:
        response = await app.http.post(path, json={"id": request_id})
        execution_id = response.json()["executionId"]
        assert (await wait_until_ended(app, execution_id))["status"] == "failed"
        return ids.decode(execution_id, "InstanceExecutionResult")

    async def retries_of(pk: uuid.UUID) -> list[Execution]:
        async with app.services.db.session() as session:
            query = select(Execution).where(Execution.retry_of_id == pk)
            return list((await session.execute(query)).scalars())

    first = await invoke("x")
    other = await invoke("y")
    [retry] = await retries_of(first)
    assert retry.status == "pending" and retry.unique_request_id == "x"
    second = await invoke("x")
    [canceled] = await retries_of(first)
    assert canceled.status == "canceled"
    assert "has the same unique request ID 'x'" in (canceled.error or "")
    assert [r.status for r in await retries_of(second)] == ["pending"]  # its own retry waits
    assert [r.status for r in await retries_of(other)] == ["pending"]  # another ID: untouched
