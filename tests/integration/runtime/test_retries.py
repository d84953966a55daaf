"""Flow-level retryConfig: failed async runs are retried after the delay, up to maxAttempts."""

from __future__ import annotations

import yaml
from sqlalchemy import select, update

from splice import ids
from splice.services.execution_run import PAUSED
from splice.services.executions import WebhookRequest
from splice.store.tables import Execution, Instance
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.test_webhooks import wait_until_ended


def failing_flow(delay_minutes: int) -> str:
    return yaml.safe_dump(
        {
            "definitionVersion": 7,
            "name": f"Retry {delay_minutes}",
            "flows": [
                {
                    "name": "Flaky",
                    "endpointSecurityType": "unsecured",
                    "retryConfig": {
                        "maxAttempts": 2,
                        "delayMinutes": delay_minutes,
                        "usesExponentialBackoff": False,
                    },
                    "steps": [
                        {
                            "name": "Flaky Trigger",
                            "isTrigger": True,
                            "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
                            "inputs": {},
                        },
                        {
                            "name": "Call Down Service",
                            "action": {"key": "httpGet", "component": {"key": "http"}},
                            "inputs": {
                                "url": {"type": "value", "value": "http://127.0.0.1:9/down"}
                            },
                        },
                    ],
                }
            ],
        }
    )


async def trigger(app: Running, delay_minutes: int) -> str:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { flows { nodes { testUrl } } } errors { messages } } }",
        d=failing_flow(delay_minutes),
    )
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    response = await app.http.post(url.replace("http://splice.test", ""), json={})
    execution_id: str = response.json()["executionId"]
    return execution_id


async def attempts(app: Running) -> list[Execution]:
    async with app.services.db.session() as session:
        rows = await session.execute(select(Execution).order_by(Execution.attempt))
        return list(rows.scalars())


async def test_failed_runs_are_retried_up_to_max_attempts(app: Running) -> None:
    first = await trigger(app, 0)
    await wait_until_ended(app, first)
    for _ in range(2):
        pending = [e for e in await attempts(app) if e.status == "pending"]
        assert len(pending) == 1
        await app.services.executions.run(pending[0].id, worker="test")
    rows = await attempts(app)
    assert [(e.attempt, e.status) for e in rows] == [(1, "failed"), (2, "failed"), (3, "failed")]
    original = ids.decode(first, "InstanceExecutionResult")
    assert all(e.retry_of_id == original for e in rows[1:])
    assert rows[1].payload == rows[0].payload


async def test_a_retry_does_not_start_before_its_delay(app: Running) -> None:
    first = await trigger(app, 5)
    await wait_until_ended(app, first)
    [retry] = [e for e in await attempts(app) if e.status == "pending"]
    assert not await app.services.executions.claim(retry.id, "too-early")
    assert retry.id not in await app.services.executions.reclaimable()


async def test_a_run_stopped_by_a_paused_instance_is_not_retried(app: Running) -> None:
    data = await app.gql(
        "mutation($d: String!) { importIntegration(input: {definition: $d}) "
        "{ integration { flows { nodes { testUrl } } } errors { messages } } }",
        d=failing_flow(0),
    )
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    flow_config = url.rstrip("/").rsplit("/", 1)[1]
    request = WebhookRequest("POST", url, {}, {}, b"{}", "")
    accepted = await app.services.executions.accept_webhook(flow_config, request)  # not run yet
    target = await app.services.instances.webhook_target(flow_config)
    async with app.services.db.session() as session:
        await session.execute(
            update(Instance).where(Instance.id == target.instance_id).values(enabled=False)
        )
        await session.commit()
    finished = await app.services.executions.run(accepted.execution_id, worker="test")
    assert finished is not None and finished.error == PAUSED
    assert [(e.attempt, e.status) for e in await attempts(app)] == [(1, "failed")]
