"""Flow queues through the real app: FIFO, throttled and deduplicated webhook executions.

Flows POST to a gate (a loopback HTTP server standing in for a third party) that holds each
request until the test releases it, so "at most N at once, in arrival order" is observed at the
gate and in the execution rows, without sleeping. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from splice import ids
from splice.runtime.inline import InlineDispatcher
from splice.services.auth import actor_for
from splice.services.executions import WebhookRequest
from splice.services.startup import build_services
from splice.settings import Settings
from splice.store.tables import Execution, ExecutionLog, User
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.gate import Gate, eventually, gate_server, gated_definition


@pytest.fixture
def gate() -> Iterator[Gate]:
    with gate_server() as server:
        yield server


async def gated_flow(app: Running, gate: Gate, queue_config: dict[str, Any] | None) -> str:
    """Import the gated flow; return its test instance's webhook path."""
    async with app.services.db.session() as session:
        user = (await session.execute(select(User))).scalars().first()
    assert user is not None
    owner = actor_for(user)
    record = await app.services.integrations.import_definition(
        owner, gated_definition(f"Queue {uuid.uuid4().hex[:6]}", gate.url, queue_config)
    )
    configs = await app.services.integrations.test_flow_configs(owner, record)
    return f"/trigger/{ids.encode('InstanceFlowConfig', configs['Gated'])}"


async def post(app: Running, path: str, n: object, **extra: object) -> uuid.UUID:
    response = await app.http.post(path, json={"n": n, **extra})
    assert response.status_code == 200, response.text
    return ids.decode(response.headers["prismatic-executionid"], "InstanceExecutionResult")


async def statuses(app: Running, execution_ids: list[uuid.UUID]) -> list[str]:
    async with app.services.db.session() as session:
        rows = await session.execute(
            select(Execution.id, Execution.status).where(Execution.id.in_(execution_ids))
        )
        found = {row[0]: row[1] for row in rows}
    return [found[execution_id] for execution_id in execution_ids]


async def all_ended(app: Running, execution_ids: list[uuid.UUID]) -> bool:
    async with app.services.db.session() as session:
        rows = await session.execute(
            select(Execution.ended_at).where(Execution.id.in_(execution_ids))
        )
        return all(ended is not None for ended in rows.scalars())


def arrived(gate: Gate, count: int) -> Any:
    async def check() -> bool:
        return len(gate.arrived) >= count

    return check


async def test_fifo_runs_one_at_a_time_in_arrival_order(app: Running, gate: Gate) -> None:
    path = await gated_flow(app, gate, {"usesFifoQueue": True})
    runs = [await post(app, path, n) for n in range(4)]
    await eventually(arrived(gate, 1), "the first execution reaches the gate")
    assert await statuses(app, runs) == ["running", "queued", "queued", "queued"]
    listed = await app.gql(
        'query { executionResults(status: "queued") { nodes { id status resultType } } }'
    )
    assert {n["id"] for n in listed["executionResults"]["nodes"]} == {
        ids.encode("InstanceExecutionResult", r) for r in runs[1:]
    }
    gate.release(1, status=500)  # the first fails: its successor still starts
    await eventually(arrived(gate, 2), "the second execution reaches the gate")
    assert (await statuses(app, runs))[0] == "failed"
    assert await statuses(app, runs[1:]) == ["running", "queued", "queued"]
    gate.release(3)

    async def done() -> bool:
        return await all_ended(app, runs)

    await eventually(done, "every execution has ended")
    assert gate.arrived == ["0", "1", "2", "3"]
    assert gate.most_inside == 1
    assert await statuses(app, runs) == ["failed", "succeeded", "succeeded", "succeeded"]
    async with app.services.db.session() as session:
        rows = (await session.execute(select(Execution).where(Execution.id.in_(runs)))).scalars()
        by_id = {row.id: row for row in rows}
    for earlier, later in itertools.pairwise(runs):
        assert by_id[earlier].ended_at is not None and by_id[later].started_at is not None
        assert by_id[later].started_at >= by_id[earlier].ended_at


async def test_throttled_runs_at_most_the_limit_at_once(app: Running, gate: Gate) -> None:
    path = await gated_flow(app, gate, {"usesFifoQueue": True, "concurrencyLimit": 2})
    runs = [await post(app, path, n) for n in range(5)]
    await eventually(arrived(gate, 2), "two executions reach the gate")
    assert sorted(gate.arrived) == ["0", "1"]
    assert (await statuses(app, runs))[2:] == ["queued", "queued", "queued"]
    gate.release(1)
    await eventually(arrived(gate, 3), "a third execution reaches the gate")
    assert gate.arrived[2] == "2"
    assert (await statuses(app, runs))[3:] == ["queued", "queued"]
    gate.release(4)

    async def done() -> bool:
        return await all_ended(app, runs)

    await eventually(done, "every execution has ended")
    assert gate.most_inside == 2
    assert sorted(gate.arrived) == ["0", "1", "2", "3", "4"]
    assert set(await statuses(app, runs)) == {"succeeded"}


async def test_a_flow_without_queue_config_runs_in_parallel(app: Running, gate: Gate) -> None:
    path = await gated_flow(app, gate, None)
    runs = [await post(app, path, n) for n in range(3)]
    await eventually(arrived(gate, 3), "all three executions reach the gate together")
    async with app.services.db.session() as session:
        limits = (
            await session.execute(select(Execution.queue_limit).where(Execution.id.in_(runs)))
        ).scalars()
        assert set(limits) == {None}
    gate.release(3)

    async def done() -> bool:
        return await all_ended(app, runs)

    await eventually(done, "every execution has ended")
    assert gate.most_inside == 3


async def test_a_duplicate_of_a_queued_or_running_execution_is_canceled(
    app: Running, gate: Gate
) -> None:
    dedupe = {"type": "reference", "value": "gateTrigger.results.body.data.orderId"}
    path = await gated_flow(app, gate, {"usesFifoQueue": True, "dedupeIdField": dedupe})
    first = await post(app, path, "a", orderId=7)
    await eventually(arrived(gate, 1), "the first execution reaches the gate")
    same_as_running = await post(app, path, "b", orderId=7)
    other = await post(app, path, "c", orderId=8)
    same_as_queued = await post(app, path, "d", orderId=8)
    assert await statuses(app, [first, same_as_running, other, same_as_queued]) == [
        "running",
        "canceled_as_duplicate",
        "queued",
        "canceled_as_duplicate",
    ]
    duplicate_id = ids.encode("InstanceExecutionResult", same_as_running)
    data = await app.gql(
        "query($id: ID!) { executionResult(id: $id) { status resultType endedAt } "
        "logs(executionResult: $id) { nodes { message } } }",
        id=duplicate_id,
    )
    assert data["executionResult"]["resultType"] == "CANCELED_AS_DUPLICATE"
    assert data["executionResult"]["endedAt"] is not None
    messages = [n["message"] for n in data["logs"]["nodes"]]
    assert "dedupe ID '7'" in messages[0] and messages[-1] == "Ending Instance Execution"
    gate.release(2)

    async def settled() -> bool:
        return await all_ended(app, [first, other])

    await eventually(settled, "the two kept executions have ended")
    again = await post(app, path, "e", orderId=7)  # the first one has ended: not a duplicate
    await eventually(arrived(gate, 3), "the new execution with an old dedupe ID runs")
    gate.release(1)

    async def last_done() -> bool:
        return await all_ended(app, [again])

    await eventually(last_done, "the last execution has ended")
    assert gate.arrived == ["a", "c", "e"]
    assert await statuses(app, [first, other, again]) == ["succeeded"] * 3
    async with app.services.db.session() as session:
        kept = await session.execute(
            select(Execution.dedupe_id).where(Execution.id.in_([first, other, again]))
        )
        assert sorted(kept.scalars()) == ["7", "7", "8"]


async def test_clearing_the_working_set_and_all_fifo_data(app: Running, gate: Gate) -> None:
    path = await gated_flow(app, gate, {"usesFifoQueue": True})
    flow_config = path.rsplit("/", 1)[1]
    stuck, waiting, dropped = [await post(app, path, n) for n in ("stuck", "next", "dropped")]
    await eventually(arrived(gate, 1), "the first execution reaches the gate")
    cleared = await app.gql(
        "mutation($id: ID!) { clearFifoWorkingSet(input: {id: $id}) "
        "{ instanceFlowConfig { id } errors { field messages } } }",
        id=flow_config,
    )
    assert cleared["clearFifoWorkingSet"] == {
        "instanceFlowConfig": {"id": flow_config},
        "errors": [],
    }
    await eventually(arrived(gate, 2), "the next execution starts beside the stuck one")
    assert gate.arrived == ["stuck", "next"]
    assert (await statuses(app, [dropped])) == ["queued"]
    data = await app.gql(
        "mutation($id: ID!) { clearAllFifoData(input: {id: $id}) { errors { messages } } }",
        id=flow_config,
    )
    assert data["clearAllFifoData"]["errors"] == []
    assert await statuses(app, [dropped]) == ["canceled"]
    async with app.services.db.session() as session:
        lines = (
            await session.execute(
                select(ExecutionLog.message).where(ExecutionLog.execution_id == dropped)
            )
        ).scalars()
        assert "Ending Instance Execution" in list(lines)
    gate.release(2)

    async def done() -> bool:
        return await all_ended(app, [stuck, waiting])

    await eventually(done, "the two running executions have ended")
    assert await statuses(app, [stuck, waiting, dropped]) == ["succeeded", "succeeded", "canceled"]
    unknown = ids.encode("InstanceFlowConfig", uuid.uuid4())
    missing = await app.gql(
        "mutation($id: ID!) { clearFifoWorkingSet(input: {id: $id}) "
        "{ errors { field messages } } }",
        id=unknown,
    )
    assert missing["clearFifoWorkingSet"]["errors"], "an unknown flow config is an error"


async def test_two_servers_accepting_at_once_never_exceed_the_limit(
    app: Running, gate: Gate, settings: Settings
) -> None:
    """Two service bundles (as two ``splice server`` processes) on one database race to accept
    and start executions of one throttled flow; the flow-config lock keeps them at the limit."""
    path = await gated_flow(app, gate, {"usesFifoQueue": True, "concurrencyLimit": 2})
    other = build_services(settings)
    pool = InlineDispatcher(other.executions, workers=4)
    other.executions.use_dispatcher(pool.submit)
    await pool.start()
    flow_config = path.rsplit("/", 1)[1]

    async def via_other(n: int) -> uuid.UUID:
        body = json.dumps({"n": f"b{n}"}).encode()
        request = WebhookRequest(
            "POST", "http://t/", {"content-type": "application/json"}, {}, body
        )
        accepted = await other.executions.accept_webhook(flow_config, request)
        await pool.submit(accepted.execution_id)
        return accepted.execution_id

    try:
        runs = await asyncio.gather(
            *[post(app, path, f"a{n}") for n in range(6)], *[via_other(n) for n in range(6)]
        )
        await eventually(arrived(gate, 2), "two executions reach the gate")
        assert sorted(await statuses(app, list(runs))).count("queued") == 10
        gate.release(12)

        async def done() -> bool:
            return await all_ended(app, list(runs))

        await eventually(done, "every execution has ended")
    finally:
        await pool.stop()
        await other.db.dispose()
    assert gate.most_inside == 2
    assert len(gate.arrived) == 12
    assert set(await statuses(app, list(runs))) == {"succeeded"}


async def test_a_fifo_flow_answers_asynchronously_even_when_asked_to_wait(
    app: Running, gate: Gate
) -> None:
    path = await gated_flow(app, gate, {"usesFifoQueue": True})
    first = await post(app, path, "held")
    await eventually(arrived(gate, 1), "the first execution reaches the gate")
    response = await app.http.post(
        path, json={"n": "waiting"}, headers={"prismatic-synchronous": "true"}
    )
    assert response.status_code == 200
    execution_id = response.headers["prismatic-executionid"]
    assert response.json() == {"executionId": execution_id}
    second = ids.decode(execution_id, "InstanceExecutionResult")
    assert await statuses(app, [first, second]) == ["running", "queued"]
    gate.release(2)

    async def done() -> bool:
        return await all_ended(app, [first, second])

    await eventually(done, "both executions have ended")
    assert gate.arrived == ["held", "waiting"]
