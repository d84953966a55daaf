"""Flow queues when things go wrong or are scheduled: lease expiry, lost hand-offs, singleton
ticks, and the publish-time rules of queueConfig. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update

from splice import clock, ids
from splice.runtime.inline import InlineDispatcher
from splice.runtime.sweeper import Sweeper
from splice.services import Services
from splice.services.auth import actor_for
from splice.services.authz import Actor
from splice.services.executions import WebhookRequest
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from splice.store.tables import Execution, ExecutionLog, User
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.gate import Gate, eventually, gate_server, gated_definition


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    bundle = build_services(settings)
    await prepare(bundle)
    yield bundle
    await bundle.db.dispose()


@pytest.fixture
def gate() -> Iterator[Gate]:
    with gate_server() as server:
        yield server


async def owner_of(services: Services) -> Actor:
    async with services.db.session() as session:
        user = (await session.execute(select(User))).scalars().first()
    assert user is not None
    return actor_for(user)


async def accept(services: Services, flow_config: str, n: str) -> uuid.UUID:
    accepted = await services.executions.accept_webhook(
        flow_config,
        WebhookRequest(
            "POST",
            "http://t/",
            {"content-type": "application/json"},
            {},
            b'{"n": "%s"}' % n.encode(),
        ),
    )
    return accepted.execution_id


async def row(services: Services, execution_id: uuid.UUID) -> Execution:
    return await services.executions.get_unchecked(execution_id)


async def test_a_queued_execution_starts_when_its_predecessor_lease_expires(
    services: Services, gate: Gate
) -> None:
    """A worker dies holding the FIFO slot: the sweeper re-runs that execution, and its end
    starts the next one at once (no second sweep)."""
    owner = await owner_of(services)
    record = await services.integrations.import_definition(
        owner, gated_definition("Recover", gate.url, {"usesFifoQueue": True})
    )
    configs = await services.integrations.test_flow_configs(owner, record)
    flow_config = ids.encode("InstanceFlowConfig", configs["Gated"])
    first = await accept(services, flow_config, "first")  # no dispatcher yet: nobody runs it
    assert (await row(services, first)).status == "pending"
    assert await services.executions.claim(first, "worker-that-dies")
    second = await accept(services, flow_config, "second")
    assert (await row(services, second)).status == "queued"
    async with services.db.session() as session:  # the dead worker's lease runs out
        await session.execute(
            update(Execution)
            .where(Execution.id == first)
            .values(lease_expires_at=clock.now() - timedelta(seconds=1))
        )
        await session.commit()
    pool = InlineDispatcher(services.executions, workers=2)
    services.executions.use_dispatcher(pool.submit)
    await pool.start()
    try:
        gate.release(2)
        assert await Sweeper(services.executions, pool).sweep_once() == 1  # only the expired one
        await pool.join()
        await pool.join()  # the first run's end submitted the second
    finally:
        await pool.stop()
    done_first, done_second = await row(services, first), await row(services, second)
    assert (done_first.status, done_second.status) == ("succeeded", "succeeded")
    assert gate.arrived == ["first", "second"] and gate.most_inside == 1
    assert done_first.ended_at is not None and done_second.started_at is not None
    assert done_second.started_at >= done_first.ended_at


async def test_the_sweeper_starts_a_queue_whose_hand_off_was_lost(
    services: Services, gate: Gate
) -> None:
    owner = await owner_of(services)
    record = await services.integrations.import_definition(
        owner, gated_definition("Lost", gate.url, {"usesFifoQueue": True, "concurrencyLimit": 2})
    )
    configs = await services.integrations.test_flow_configs(owner, record)
    flow_config = ids.encode("InstanceFlowConfig", configs["Gated"])
    runs = [await accept(services, flow_config, str(n)) for n in range(3)]
    async with services.db.session() as session:  # as if a server died after committing
        await session.execute(
            update(Execution).where(Execution.id.in_(runs)).values(status="queued")
        )
        await session.commit()
    pool = InlineDispatcher(services.executions, workers=3)
    services.executions.use_dispatcher(pool.submit)
    await pool.start()
    try:
        gate.release(3)
        assert await Sweeper(services.executions, pool).sweep_once() == 2  # the limit
        for _ in runs:
            await pool.join()
    finally:
        await pool.stop()
    assert [(await row(services, r)).status for r in runs] == ["succeeded"] * 3
    assert gate.most_inside <= 2


SINGLETON = {
    "definitionVersion": 7,
    "name": "Singleton Ticks",
    "flows": [
        {
            "name": "Tick",
            "queueConfig": {"singletonExecutions": True},
            "steps": [
                {
                    "name": "Tick Trigger",
                    "isTrigger": True,
                    "action": {"key": "schedule", "component": {"key": "schedule-triggers"}},
                    "inputs": {},
                    "schedule": {
                        "type": "value",
                        "value": "* * * * *",
                        "meta": {"scheduleType": "minute", "timeZone": ""},
                    },
                },
                {
                    "name": "Note",
                    "action": {"key": "writeLog", "component": {"key": "log"}},
                    "inputs": {"message": {"type": "value", "value": "tick"}},
                },
            ],
        }
    ],
}


async def deploy(app: Running, definition: dict[str, Any]) -> str:
    owner = await owner_of(app.services)
    services = app.services
    record = await services.integrations.import_definition(owner, yaml.safe_dump(definition))
    version = await services.versions.publish(owner, record.global_id, "v1")
    customer = await services.customers.create(owner, f"Ticker {uuid.uuid4().hex[:4]}")
    instance = await services.instances.create(
        owner,
        name="Ticker",
        integration=version.global_id,
        customer=ids.encode("Customer", customer.id),
    )
    instance_id = ids.encode("Instance", instance.id)
    await services.instances.deploy(owner, instance_id)
    return instance_id


async def test_singleton_skips_a_tick_while_the_previous_run_is_going(app: Running) -> None:
    instance = await deploy(app, SINGLETON)
    schedules = app.services.schedules
    now = (clock.now() + timedelta(minutes=1)).replace(second=5, microsecond=0)  # after deploy
    window = timedelta(seconds=60)
    [running] = await schedules.claim_due(now, window)  # not dispatched: still pending
    assert await schedules.claim_due(now + timedelta(minutes=1), window) == []
    listed = await app.gql(
        "query($i: ID!) { executionResults(instance: $i) { nodes { id status endedAt } } }",
        i=instance,
    )
    by_status = {n["status"]: n for n in listed["executionResults"]["nodes"]}
    assert set(by_status) == {"pending", "skipped"}
    assert by_status["skipped"]["endedAt"] is not None
    logs = await app.gql(
        "query($id: ID!) { logs(executionResult: $id) { nodes { message } } }",
        id=by_status["skipped"]["id"],
    )
    messages = [n["message"] for n in logs["logs"]["nodes"]]
    assert "singletonExecutions" in messages[0] and "still running" in messages[0]
    assert messages[-1] == "Ending Instance Execution"
    finished = await app.services.executions.run(running, worker="test")
    assert finished is not None and finished.status == "succeeded"
    assert len(await schedules.claim_due(now + timedelta(minutes=2), window)) == 1


async def test_without_singleton_ticks_overlap(app: Running) -> None:
    overlapping = yaml.safe_load(yaml.safe_dump(SINGLETON))
    del overlapping["flows"][0]["queueConfig"]
    await deploy(app, overlapping)
    now = (clock.now() + timedelta(minutes=1)).replace(second=5, microsecond=0)  # after deploy
    window = timedelta(seconds=60)
    assert len(await app.services.schedules.claim_due(now, window)) == 1
    assert len(await app.services.schedules.claim_due(now + timedelta(minutes=1), window)) == 1
    async with app.services.db.session() as session:
        skipped = await session.execute(
            select(ExecutionLog).where(ExecutionLog.message.like("Skipped%"))
        )
        assert skipped.scalars().first() is None


def flow_with(queue: dict[str, Any], **flow: Any) -> dict[str, Any]:
    trigger: dict[str, Any] = {
        "name": "Trigger",
        "isTrigger": True,
        "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
        "inputs": {},
    }
    if flow.pop("scheduled", False):
        trigger["action"] = {"key": "schedule", "component": {"key": "schedule-triggers"}}
        trigger["schedule"] = {"type": "value", "value": "* * * * *"}
    if flow.pop("management", False):
        trigger["action"] = {"key": "instanceDeploy", "component": {"key": "management-triggers"}}
    name = flow.pop("name")
    return {"name": name, "queueConfig": queue, "steps": [trigger], **flow}


PUBLISH = (
    "mutation($id: ID!) { publishIntegration(input: {id: $id}) "
    "{ integration { id } errors { field messages } } }"
)
IMPORT = (
    "mutation($d: String!) { importIntegration(input: {definition: $d}) "
    "{ integration { id } errors { field messages } } }"
)


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        (
            flow_with({"usesFifoQueue": True}, name="Nightly", scheduled=True),
            "Flow 'Nightly', input 'queueConfig.usesFifoQueue': a scheduled flow cannot use a "
            "FIFO queue",
        ),
        (
            flow_with({"usesFifoQueue": True}, name="Answer", isSynchronous=True),
            "Flow 'Answer', input 'queueConfig.usesFifoQueue': a synchronous flow cannot use",
        ),
        (
            flow_with({"usesFifoQueue": True}, name="On Deploy", management=True),
            "Flow 'On Deploy', input 'queueConfig.usesFifoQueue': a management (lifecycle) flow",
        ),
        (
            flow_with({"singletonExecutions": True}, name="Hook"),
            "Flow 'Hook', input 'queueConfig.singletonExecutions': singletonExecutions only "
            "applies to scheduled flows",
        ),
        (
            flow_with({"usesFifoQueue": True, "singletonExecutions": True}, name="Both"),
            "Flow 'Both', input 'queueConfig.usesFifoQueue': queueConfig cannot use both",
        ),
        (
            flow_with({"usesFifoQueue": True, "concurrencyLimit": 16}, name="Wide"),
            "Flow 'Wide', input 'queueConfig.concurrencyLimit': queueConfig.concurrencyLimit 16 "
            "is outside 2-15",
        ),
        (
            flow_with({"concurrencyLimit": 3}, name="Parallel"),
            "Flow 'Parallel', input 'queueConfig.concurrencyLimit': queueConfig.concurrencyLimit "
            "needs usesFifoQueue: true",
        ),
    ],
    ids=["scheduled", "synchronous", "management", "singleton", "both", "limit", "no-fifo"],
)
async def test_queue_config_rules_name_flow_and_field(
    app: Running, flow: dict[str, Any], expected: str
) -> None:
    """Import already refuses these (as publish does for a draft edited later)."""
    document = {"definitionVersion": 7, "name": f"Rules {uuid.uuid4().hex[:6]}", "flows": [flow]}
    imported = await app.gql(IMPORT, d=yaml.safe_dump(document))
    errors = imported["importIntegration"]["errors"]
    if imported["importIntegration"]["integration"] is not None:
        published = await app.gql(PUBLISH, id=imported["importIntegration"]["integration"]["id"])
        errors = published["publishIntegration"]["errors"]
    assert errors, f"{flow['name']} should be refused"
    assert any(expected in message for e in errors for message in e["messages"]), errors


async def test_a_valid_throttled_flow_publishes(app: Running) -> None:
    flow = flow_with({"usesFifoQueue": True, "concurrencyLimit": 15}, name="Throttled")
    document = {"definitionVersion": 7, "name": f"Ok {uuid.uuid4().hex[:6]}", "flows": [flow]}
    imported = await app.gql(IMPORT, d=yaml.safe_dump(document))
    published = await app.gql(PUBLISH, id=imported["importIntegration"]["integration"]["id"])
    assert published["publishIntegration"]["errors"] == []


async def test_concurrent_advances_start_no_more_than_the_limit(
    services: Services, settings: Settings, gate: Gate
) -> None:
    """Many advances of one queue at once, from two service bundles (two servers): the flow
    config lock lets exactly ``limit`` executions leave the queue."""
    owner = await owner_of(services)
    record = await services.integrations.import_definition(
        owner, gated_definition("Race", gate.url, {"usesFifoQueue": True, "concurrencyLimit": 3})
    )
    configs = await services.integrations.test_flow_configs(owner, record)
    flow_config = configs["Gated"]
    runs = [
        await accept(services, ids.encode("InstanceFlowConfig", flow_config), str(n))
        for n in range(12)
    ]
    async with services.db.session() as session:  # all waiting, none started yet
        await session.execute(
            update(Execution).where(Execution.id.in_(runs)).values(status="queued")
        )
        await session.commit()
    other = build_services(settings)
    try:
        for _ in range(3):
            await asyncio.gather(
                *[
                    bundle.executions.queue.advance(flow_config)
                    for bundle in (services, other)
                    for _ in range(8)
                ]
            )
        async with services.db.session() as session:
            found = await session.execute(select(Execution.status).where(Execution.id.in_(runs)))
            counted = sorted(found.scalars())
    finally:
        await other.db.dispose()
    assert counted.count("pending") == 3 and counted.count("queued") == 9


async def test_a_retry_of_a_fifo_flow_waits_its_turn(app: Running, gate: Gate) -> None:
    document = yaml.safe_load(gated_definition("Retry Queue", gate.url, {"usesFifoQueue": True}))
    document["flows"][0]["retryConfig"] = {"maxAttempts": 1, "delayMinutes": 0}
    owner = await owner_of(app.services)
    record = await app.services.integrations.import_definition(owner, yaml.safe_dump(document))
    configs = await app.services.integrations.test_flow_configs(owner, record)
    path = f"/trigger/{ids.encode('InstanceFlowConfig', configs['Gated'])}"
    first = await app.http.post(path, json={"n": "a"})
    await app.http.post(path, json={"n": "b"})

    async def arrived(count: int) -> bool:
        return len(gate.arrived) >= count

    await eventually(lambda: arrived(1), "the first execution reaches the gate")
    gate.release(1, status=500)  # the first attempt fails: its retry queues behind "b"
    await eventually(lambda: arrived(2), "the second execution starts")
    gate.release(2)
    await eventually(lambda: arrived(3), "the retry runs after the second")
    first_id = ids.decode(first.headers["prismatic-executionid"], "InstanceExecutionResult")

    async def retried() -> bool:
        async with app.services.db.session() as session:
            rows = await session.execute(
                select(Execution.status).where(Execution.retry_of_id == first_id)
            )
            return list(rows.scalars()) == ["succeeded"]

    await eventually(retried, "the retry has succeeded")
    assert gate.arrived == ["a", "b", "a"] and gate.most_inside == 1


async def test_queued_executions_of_a_removed_flow_are_canceled_by_the_sweeper(
    services: Services, gate: Gate
) -> None:
    owner = await owner_of(services)
    record = await services.integrations.import_definition(
        owner, gated_definition("Orphans", gate.url, {"usesFifoQueue": True})
    )
    configs = await services.integrations.test_flow_configs(owner, record)
    flow_config = ids.encode("InstanceFlowConfig", configs["Gated"])
    first = await accept(services, flow_config, "first")
    second = await accept(services, flow_config, "second")
    assert (await row(services, second)).status == "queued"
    async with services.db.session() as session:  # as a redeploy without the flow leaves them
        await session.execute(
            update(Execution)
            .where(Execution.id.in_([first, second]))
            .values(flow_config_id=None, status="queued")
        )
        await session.commit()
    pool = InlineDispatcher(services.executions, workers=1)
    assert await Sweeper(services.executions, pool).sweep_once() == 0
    for execution_id in (first, second):
        ended = await row(services, execution_id)
        assert ended.status == "canceled" and ended.ended_at is not None
        assert "removed from the instance" in (ended.error or "")
    assert gate.arrived == []
