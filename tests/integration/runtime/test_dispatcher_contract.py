"""One contract for every Dispatcher: inline asyncio workers, and Celery workers on real Redis and
on real RabbitMQ (both brokers the design names)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

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
from tests.integration.runtime.gate import Gate, eventually, gate_server, gated_definition


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


async def accept_fifo(services: Services, gate: Gate, count: int) -> list[uuid.UUID]:
    """Import a FIFO flow that waits at the gate and commit ``count`` executions of it."""
    from sqlalchemy import select

    async with services.db.session() as session:
        owner = actor_for((await session.execute(select(User))).scalars().first())  # type: ignore[arg-type]
    record = await services.integrations.import_definition(
        owner, gated_definition(f"Fifo {uuid.uuid4().hex[:6]}", gate.url, {"usesFifoQueue": True})
    )
    configs = await services.integrations.test_flow_configs(owner, record)
    flow_config = ids.encode("InstanceFlowConfig", configs["Gated"])
    accepted = []
    for n in range(count):
        body = b'{"n": "%d"}' % n
        request = WebhookRequest(
            "POST", "http://t/", {"content-type": "application/json"}, {}, body
        )
        accepted.append(
            (await services.executions.accept_webhook(flow_config, request)).execution_id
        )
    return accepted


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

    async def test_fifo_executions_run_one_at_a_time_in_arrival_order(
        self, services: Services, dispatcher: Dispatcher
    ) -> None:
        services.executions.use_dispatcher(dispatcher.submit)
        with gate_server() as gate:
            runs = await accept_fifo(services, gate, 3)
            for execution_id in runs:  # as the webhook handler does; queued ones wait
                await dispatcher.submit(execution_id)

            async def arrived(count: int) -> bool:
                return len(gate.arrived) >= count

            await eventually(lambda: arrived(1), "the first execution reaches the gate")
            statuses = [(await services.executions.get_unchecked(r)).status for r in runs]
            assert statuses == ["running", "queued", "queued"]
            gate.release(1)
            await eventually(lambda: arrived(2), "the second starts when the first ends")
            gate.release(2)
            ended = [await wait_until_ended(services, r) for r in runs]
        assert [e.status for e in ended] == ["succeeded"] * 3
        assert gate.arrived == ["0", "1", "2"] and gate.most_inside == 1


class TestInlineDispatcher(DispatcherContract):
    __test__ = True

    @pytest.fixture
    async def dispatcher(self, services: Services) -> AsyncIterator[Dispatcher]:
        pool = InlineDispatcher(services.executions, workers=2)
        await pool.start()
        yield pool
        await pool.stop()


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest) -> str:
    """Each Celery contract test runs on both brokers."""
    url: str = request.getfixturevalue(f"{request.param}_broker")
    return url


class TestCeleryDispatcher(DispatcherContract):
    __test__ = True

    @pytest.fixture
    async def dispatcher(
        self, settings: Settings, services: Services, broker: str
    ) -> AsyncIterator[Dispatcher]:
        from celery.contrib.testing.worker import start_worker

        settings.runtime.broker_url = broker
        app = create_celery_app(settings)
        # a queue of its own: test runs in parallel on one broker never take each other's tasks
        queue = f"splice-test-{uuid.uuid4().hex[:12]}"
        app.conf.task_default_queue = queue
        # without AMQP heartbeats the solo test worker sees its stop within 2 s, not 10
        app.conf.broker_heartbeat = 0
        context: Any = start_worker(app, perform_ping_check=False, pool="solo", concurrency=1)
        await asyncio.to_thread(context.__enter__)
        try:
            yield CeleryDispatcher(app)
        finally:
            await asyncio.to_thread(context.__exit__, None, None, None)
            await asyncio.to_thread(shutdown_worker_state)
            await asyncio.to_thread(_drop_queue, app, queue)


def _drop_queue(app: Any, queue: str) -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)
