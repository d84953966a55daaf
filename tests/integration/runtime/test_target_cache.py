"""The webhook target cache: hits while nothing changed, reloads after any configuration commit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from splice import ids
from splice.services.execution_run import PAUSED
from splice.services.executions import WebhookRequest
from splice.services.target_cache import TargetCache
from splice.store.tables import Execution, Instance
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.flows import definition
from tests.integration.runtime.test_webhooks import import_flow, wait_until_ended


async def test_disabling_the_instance_is_seen_by_the_next_webhook_call(app: Running) -> None:
    url = await import_flow(app, synchronous=True)
    assert (await app.http.post(url, json={"name": "Grace"})).status_code == 201
    flow_config_id = ids.decode(url.rstrip("/").rsplit("/", 1)[1], "InstanceFlowConfig")
    target = await app.services.instances.webhook_target(
        ids.encode("InstanceFlowConfig", flow_config_id)
    )
    async with app.services.db.session() as session:
        await session.execute(
            update(Instance).where(Instance.id == target.instance_id).values(enabled=False)
        )
        await session.commit()
    response = await app.http.post(url, json={"name": "Grace"})
    assert response.status_code == 409, response.text
    assert "disabled" in response.text


async def test_runs_and_their_records_leave_the_cache_valid(app: Running) -> None:
    url = await import_flow(app)
    first = await app.http.post(url, json={"name": "Ada"})
    await wait_until_ended(app, first.json()["executionId"])
    generation = app.services.db.generation
    for name in ("Ada", "Grace"):
        response = await app.http.post(url, json={"name": name})
        await wait_until_ended(app, response.json()["executionId"])
    async with app.services.db.session() as session:
        await session.execute(
            update(Execution).where(Execution.id == uuid.uuid4()).values(error="none")
        )
        await session.commit()
    assert app.services.db.generation == generation


async def test_cache_reloads_on_a_new_generation_and_after_its_ttl(app: Running) -> None:
    calls: list[str] = []

    async def lookup(key: str) -> Any:
        calls.append(key)
        return {"key": key, "call": len(calls)}

    cache = TargetCache(lookup, app.services.db, ttl=60)
    assert await cache.get("a") == {"key": "a", "call": 1}
    assert await cache.get("a") == {"key": "a", "call": 1}
    await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) { errors { field } } }",
        d=definition(f"Bump {uuid.uuid4().hex[:6]}"),
    )
    assert await cache.get("a") == {"key": "a", "call": 2}
    expiring = TargetCache(lookup, app.services.db, ttl=0)
    await expiring.get("b")
    await expiring.get("b")
    assert calls == ["a", "a", "b", "b"]


MUTATING_FLOW = """
definitionVersion: 7
name: Mutating {suffix}
requiredConfigVars:
  - key: Items
    dataType: string
    collectionType: valuelist
    defaultValue: '["a"]'
flows:
  - name: Mutate
    isSynchronous: true
    endpointSecurityType: unsecured
    steps:
      - name: Trigger
        isTrigger: true
        action: {{key: webhook, component: {{key: webhook-triggers, version: LATEST, isPublic: true}}}}
        inputs: {{}}
      - name: Bump
        action: {{key: runCode, component: {{key: python-code, version: LATEST, isPublic: true}}}}
        inputs:
          code:
            type: value
            value: |
              def run(context, step_results):
                  items = context.config_vars["Items"]
                  items.append("b")
                  return {{"seen": len(items) - 1}}
"""


async def test_a_run_that_changes_its_config_in_place_does_not_change_the_next_run(
    app: Running,
) -> None:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { flows { nodes { testUrl } } } errors { field messages } } }",
        d=MUTATING_FLOW.format(suffix=uuid.uuid4().hex[:6]),
    )
    assert data["importIntegration"]["errors"] == []
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    url = url.replace("http://splice.test", "")
    answers = [(await app.http.post(url, json={})).json() for _ in range(3)]
    assert answers == [{"seen": 1}] * 3


async def _set_enabled(app: Running, instance_id: uuid.UUID, enabled: bool) -> None:
    async with app.services.db.session() as session:
        await session.execute(
            update(Instance).where(Instance.id == instance_id).values(enabled=enabled)
        )
        await session.commit()


async def test_an_execution_accepted_before_the_instance_was_paused_does_not_start(
    app: Running,
) -> None:
    url = await import_flow(app)
    flow_config = url.rstrip("/").rsplit("/", 1)[1]
    request = WebhookRequest(
        method="POST",
        url=url,
        headers={"content-type": "application/json"},
        query={},
        body=b'{"name": "Ada"}',
        path_fragment="",
    )
    # accepted while enabled, not handed to a worker yet (as in a backlog)
    accepted = await app.services.executions.accept_webhook(flow_config, request)
    target = await app.services.instances.webhook_target(flow_config)
    await _set_enabled(app, target.instance_id, False)
    finished = await app.services.executions.run(accepted.execution_id, worker="test")
    assert finished is not None and finished.status == "failed"
    assert finished.error == PAUSED
    await _set_enabled(app, target.instance_id, True)
    data = await app.gql(
        "mutation($id: ID!) { replayExecution(input: {id: $id}) "
        "{ instanceExecutionResult { id } errors { messages } } }",
        id=accepted.global_id,
    )
    replayed = data["replayExecution"]["instanceExecutionResult"]["id"]
    assert (await wait_until_ended(app, replayed))["status"] in ("succeeded", "stopped")
