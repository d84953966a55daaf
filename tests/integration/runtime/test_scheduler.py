"""Schedules fire once per tick on deployed, enabled instances, however many schedulers run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
import yaml
from sqlalchemy import func, select

from splice import clock, ids
from splice.services import Services
from splice.services.auth import actor_for
from splice.services.authz import Actor
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from splice.store.tables import Execution, Instance, User

EVERY_MINUTE = {
    "definitionVersion": 7,
    "name": "Every Minute",
    "flows": [
        {
            "name": "Tick",
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


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    bundle = build_services(settings)
    await prepare(bundle)
    yield bundle
    await bundle.db.dispose()


async def owner_of(services: Services) -> Actor:
    async with services.db.session() as session:
        user = (await session.execute(select(User))).scalars().first()
    assert user is not None
    return actor_for(user)


async def deployed_instance(services: Services, owner: Actor) -> str:
    record = await services.integrations.import_definition(owner, yaml.safe_dump(EVERY_MINUTE))
    version = await services.versions.publish(owner, record.global_id, "v1")
    customer = await services.customers.create(owner, "Ticker Co")
    instance = await services.instances.create(
        owner,
        name="Ticker",
        integration=version.global_id,
        customer=ids.encode("Customer", customer.id),
    )
    instance_id = ids.encode("Instance", instance.id)
    await services.instances.deploy(owner, instance_id)
    return instance_id


def upcoming_minute() -> datetime:
    """Five seconds into the next minute: its tick comes after a deploy made now."""
    return (clock.now() + timedelta(minutes=1)).replace(second=5, microsecond=0)


async def count_executions(services: Services) -> int:
    async with services.db.session() as session:
        return int((await session.execute(select(func.count(Execution.id)))).scalar_one())


async def test_two_schedulers_claim_each_tick_once(services: Services) -> None:
    owner = await owner_of(services)
    await deployed_instance(services, owner)
    now = upcoming_minute()
    window = timedelta(seconds=60)
    first, second = await asyncio.gather(
        services.schedules.claim_due(now, window), services.schedules.claim_due(now, window)
    )
    assert len(first) + len(second) == 1
    again = await services.schedules.claim_due(now + timedelta(seconds=20), window)
    assert again == []
    next_minute = await services.schedules.claim_due(now + timedelta(minutes=1), window)
    assert len(next_minute) == 1
    assert await count_executions(services) == 2
    async with services.db.session() as session:
        ticks = list((await session.execute(select(Execution.scheduled_for))).scalars())
    assert sorted(t.second for t in ticks if t is not None) == [0, 0]


async def test_disabled_and_test_instances_do_not_fire(services: Services) -> None:
    owner = await owner_of(services)
    instance_id = await deployed_instance(services, owner)
    await services.instances.update(owner, instance_id, enabled=False)
    now = upcoming_minute()
    assert await services.schedules.claim_due(now, timedelta(seconds=60)) == []
    assert await count_executions(services) == 0


async def test_a_claimed_tick_runs_the_flow(services: Services) -> None:
    owner = await owner_of(services)
    await deployed_instance(services, owner)
    now = upcoming_minute()
    [execution_id] = await services.schedules.claim_due(now, timedelta(seconds=60))
    finished = await services.executions.run(execution_id, worker="test")
    assert finished is not None and finished.status == "succeeded", finished and finished.error


async def test_ticks_from_before_the_deploy_or_during_a_pause_are_dropped(
    services: Services,
) -> None:
    owner = await owner_of(services)
    instance_id = await deployed_instance(services, owner)
    window = timedelta(seconds=60)
    # the tick at the start of this minute came before the deploy: it is not caught up
    this_minute = clock.now().replace(second=0, microsecond=0) + timedelta(seconds=59)
    assert await services.schedules.claim_due(this_minute, window) == []
    await services.instances.update(owner, instance_id, enabled=False)
    await services.instances.update(owner, instance_id, enabled=True)
    async with services.db.session() as session:
        paused = await session.get(Instance, ids.decode(instance_id, "Instance"))
        assert paused is not None and paused.enabled_at is not None  # enabling is recorded
    # paused over the next tick and enabled again 10 s after it: that tick stays missed
    tick = upcoming_minute().replace(second=0)
    async with services.db.session() as session:
        instance = await session.get(Instance, ids.decode(instance_id, "Instance"))
        assert instance is not None
        instance.enabled_at = tick + timedelta(seconds=10)
        await session.commit()
    assert await services.schedules.claim_due(tick + timedelta(seconds=20), window) == []
    # the ticks after it fire
    assert len(await services.schedules.claim_due(tick + timedelta(minutes=1), window)) == 1
