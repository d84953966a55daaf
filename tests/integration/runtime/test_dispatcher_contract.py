"""One contract for every Dispatcher: inline asyncio workers and Celery workers on real Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis

from splice import ids
from splice.runtime.celery_app import (
    CeleryDispatcher,
    create_celery_app,
    shutdown_worker_state,
)
from splice.runtime.dispatch import Dispatcher
from splice.runtime.inline import InlineDispatcher
from splice.services import Services
from splice.services.auth import actor_for
from splice.services.executions import WebhookRequest
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from splice.store.tables import Execution, User
from tests.integration.runtime.flows import definition

REDIS_URL = os.environ.get("SPLICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    bundle = build_services(settings)
    await prepare(bundle)
    yield bundle
    await bundle.db.dispose()


async def accept_one(services: Services) -> uuid.UUID:
    """Import a flow and commit one webhook execution for its test instance."""
    from sqlalchemy import select

    async with services.db.session() as session:
        owner = actor_for((await session.execute(select(User))).scalars().first())  # type: ignore[arg-type]
    record = await services.integrations.import_definition(
        owner, definition(f"Contract {uuid.uuid4().hex[:6]}")
    )
    configs = await services.integrations.test_flow_configs(owner, record)
    accepted = await services.executions.accept_webhook(
        ids.encode("InstanceFlowConfig", configs["Echo"]),
        WebhookRequest(
            "POST", "http://t/", {"content-type": "application/json"}, {}, b'{"name": "contract"}'
        ),
    )
    return accepted.execution_id


async def wait_until_ended(services: Services, execution_id: uuid.UUID) -> Execution:
    for _ in range(600):
        execution = await services.executions.get_unchecked(execution_id)
        if execution.ended_at is not None:
            return execution
        await asyncio.sleep(0.05)
    raise AssertionError(f"execution {execution_id} never ended")


async def step_count(services: Services, execution_id: uuid.UUID) -> int:
    from sqlalchemy import func, select

    from splice.store.tables import ExecutionStep

    async with services.db.session() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).where(ExecutionStep.execution_id == execution_id)
                )
            ).scalar_one()
        )


class DispatcherContract:
    """What every dispatcher guarantees; subclasses provide the ``dispatcher`` fixture."""

    __test__ = False

    async def test_a_submitted_execution_runs_to_its_end(
        self, services: Services, dispatcher: Dispatcher
    ) -> None:
        execution_id = await accept_one(services)
        await dispatcher.submit(execution_id)
        execution = await wait_until_ended(services, execution_id)
        assert execution.status in ("succeeded", "stopped")
        assert await step_count(services, execution_id) == 3

    async def test_submitting_twice_runs_once(
        self, services: Services, dispatcher: Dispatcher
    ) -> None:
        execution_id = await accept_one(services)
        await dispatcher.submit(execution_id)
        await dispatcher.submit(execution_id)
        await wait_until_ended(services, execution_id)
        await dispatcher.submit(execution_id)
        first_end = (await services.executions.get_unchecked(execution_id)).ended_at
        other = await accept_one(services)
        await dispatcher.submit(other)
        await wait_until_ended(services, other)
        assert await step_count(services, execution_id) == 3
        assert (await services.executions.get_unchecked(execution_id)).ended_at == first_end


class TestInlineDispatcher(DispatcherContract):
    __test__ = True

    @pytest.fixture
    async def dispatcher(self, services: Services) -> AsyncIterator[Dispatcher]:
        pool = InlineDispatcher(services.executions, workers=2)
        await pool.start()
        yield pool
        await pool.stop()


@pytest.fixture
def redis_broker() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (CI needs it)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


class TestCeleryDispatcher(DispatcherContract):
    __test__ = True

    @pytest.fixture
    async def dispatcher(
        self, settings: Settings, services: Services, redis_broker: str
    ) -> AsyncIterator[Dispatcher]:
        from celery.contrib.testing.worker import start_worker

        settings.runtime.broker_url = redis_broker
        app = create_celery_app(settings)
        context: Any = start_worker(app, perform_ping_check=False, pool="solo", concurrency=1)
        await asyncio.to_thread(context.__enter__)
        try:
            yield CeleryDispatcher(app)
        finally:
            await asyncio.to_thread(context.__exit__, None, None, None)
            await asyncio.to_thread(shutdown_worker_state)
