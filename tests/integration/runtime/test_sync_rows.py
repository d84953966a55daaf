"""A synchronous webhook's row is written by its run (ADR 0007): once, with its end, for a quick
run; with its first results, while it runs, for a slow one."""

from __future__ import annotations

import asyncio

import yaml
from sqlalchemy import func, select

from splice import ids
from splice.store.tables import Execution, ExecutionStep
from tests.integration.runtime.conftest import Running
from tests.integration.runtime.test_webhooks import IMPORT, import_flow


def sleeping_flow(ms: int) -> str:
    """A synchronous flow that sleeps ``ms`` milliseconds and answers."""
    step = {"key": "webhook-triggers", "version": "LATEST", "isPublic": True}
    return yaml.safe_dump(
        {
            "definitionVersion": 7,
            "name": "Slow Sync",
            "flows": [
                {
                    "name": "Slow",
                    "isSynchronous": True,
                    "steps": [
                        {
                            "name": "Slow Trigger",
                            "isTrigger": True,
                            "action": {"key": "webhook", "component": step},
                            "inputs": {},
                        },
                        {
                            "name": "Wait",
                            "action": {
                                "key": "sleep",
                                "component": {**step, "key": "sleep"},
                            },
                            "inputs": {"ms": {"type": "value", "value": str(ms)}},
                        },
                    ],
                }
            ],
        }
    )


async def _rows(app: Running) -> list[Execution]:
    async with app.services.db.session() as session:
        return list((await session.execute(select(Execution))).scalars())


async def test_a_quick_sync_run_is_written_once_with_its_end(app: Running) -> None:
    url = await import_flow(app, synchronous=True)
    response = await app.http.post(url, json={"name": "Ada"})
    assert response.status_code == 201  # the flow's own answer (stop-execution)
    execution_id = ids.decode(response.headers["prismatic-executionid"], "InstanceExecutionResult")
    (row,) = [row for row in await _rows(app) if row.id == execution_id]
    assert row.status in ("succeeded", "stopped") and row.ended_at is not None
    assert row.lease_owner is None and row.started_at is not None
    async with app.services.db.session() as session:
        steps = await session.scalar(
            select(func.count()).where(ExecutionStep.execution_id == execution_id)
        )
    assert steps == 3


async def test_a_slow_sync_run_is_visible_while_it_runs(app: Running) -> None:
    data = await app.gql(IMPORT, d=sleeping_flow(2500))
    url = data["importIntegration"]["integration"]["flows"]["nodes"][0]["testUrl"]
    call = asyncio.create_task(app.http.post(url.replace("http://splice.test", ""), json={}))
    running: list[Execution] = []
    for _ in range(100):  # bounded wait for the run's first write (after flush_every, 0.5 s)
        running = [row for row in await _rows(app) if row.flow_name == "Slow"]
        if running or call.done():
            break
        await asyncio.sleep(0.05)
    assert not call.done(), "the flow ended before its row was seen"
    assert [row.status for row in running] == ["running"]
    assert running[0].lease_owner is not None
    response = await call
    assert response.status_code == 200
    (ended,) = [row for row in await _rows(app) if row.flow_name == "Slow"]
    assert ended.id == running[0].id and ended.ended_at is not None
