"""Asynchronous webhooks handed to an idle in-process worker are committed already claimed for it,
so the worker runs them without writing a claim first; without an idle worker they are pending."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from splice import clock, ids
from splice.runtime.inline import InlineDispatcher
from splice.services.executions import WebhookRequest
from splice.store.tables import Execution
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.test_webhooks import import_flow, wait_until_ended


def _request() -> WebhookRequest:
    return WebhookRequest("POST", "http://splice.test/", {}, {}, b'{"name": "Ada"}')


async def _row(app: Running, execution_id: object) -> Execution:
    async with app.services.db.session() as session:
        row = await session.scalar(select(Execution).where(Execution.id == execution_id))
    assert row is not None
    return row


async def test_an_async_webhook_is_committed_claimed_for_an_idle_worker(app: Running) -> None:
    url = await import_flow(app)
    response = await app.http.post(url, json={"name": "Ada"})
    assert response.status_code == 200
    execution_id = response.json()["executionId"]
    assert (await wait_until_ended(app, execution_id))["status"] in ("succeeded", "stopped")
    row = await _row(app, ids.decode(execution_id, "InstanceExecutionResult"))
    # claimed in the accepting transaction: started when created, no later claim
    assert row.started_at == row.created_at
    assert row.lease_owner is None and row.ended_at is not None


async def test_reservations_stop_at_the_idle_workers(app: Running) -> None:
    dispatcher = app.dispatcher
    assert isinstance(dispatcher, InlineDispatcher)
    owners = []
    while (owner := dispatcher.reserve()) is not None:
        owners.append(owner)
    assert len(owners) == app.services.settings.runtime.workers
    url = await import_flow(app)
    response = await app.http.post(url, json={"name": "Ada"})  # no idle worker left: pending
    execution_id = response.json()["executionId"]
    for owner in owners:
        dispatcher.release(owner)
    assert (await wait_until_ended(app, execution_id))["status"] in ("succeeded", "stopped")
    row = await _row(app, ids.decode(execution_id, "InstanceExecutionResult"))
    assert row.started_at is not None and row.started_at > row.created_at  # claimed by its run


class _OneOwner:
    def reserve(self) -> str:
        return "reserved-worker"

    def release(self, owner: str) -> None:
        raise AssertionError("nothing failed, nothing to release")


async def test_a_claimed_row_that_waited_too_long_is_claimed_again_not_run_twice(
    app: Running,
) -> None:
    url = await import_flow(app)
    flow_config_id = url.rstrip("/").rsplit("/", 1)[1]
    executions = app.services.executions
    accepted = await executions.accept_webhook(flow_config_id, _request(), workers=_OneOwner())
    assert accepted.claimed_by == "reserved-worker"
    # as if it had sat in the queue for most of its lease
    row = executions._accepted_rows.take(accepted.execution_id)
    assert row is not None
    row.lease_expires_at = clock.now() + timedelta(seconds=1)
    executions._accepted_rows.put(row, written=True)
    # the lease in the database has not lapsed: the run must not start, the sweeper will
    assert (
        await executions.run(accepted.execution_id, worker="reserved-worker", claimed=True) is None
    )
    row = await _row(app, accepted.execution_id)
    assert row.status == "running" and row.ended_at is None
