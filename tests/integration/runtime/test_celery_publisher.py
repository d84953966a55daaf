"""The Celery dispatcher's publisher: IDs reach the real broker in order, and a broker that is down
never fails the submit of an execution whose row is already committed."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
import redis

from splice.runtime.celery_app import CeleryDispatcher, create_celery_app
from splice.settings import Settings
from tests.integration.runtime.brokers import REDIS_URL


@pytest.fixture
def redis_queue(redis_broker: str) -> Iterator[str]:
    name = f"splice-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name)
    client.close()


def _published_ids(queue: str) -> list[str]:
    """Execution IDs of the task messages waiting in a Redis queue, oldest first."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        raw = client.lrange(queue, 0, -1)
    finally:
        client.close()
    ids = []
    for message in reversed(raw):  # kombu pushes on the left and pops on the right
        args, _kwargs, _embed = json.loads(base64.b64decode(json.loads(message)["body"]))
        ids.append(args[0])
    return ids


async def test_ids_are_published_in_the_order_they_were_submitted(
    settings: Settings, redis_queue: str
) -> None:
    settings.runtime.broker_url = REDIS_URL
    app = create_celery_app(settings)
    app.conf.task_default_queue = redis_queue
    dispatcher = CeleryDispatcher(app)
    submitted = [uuid.uuid4() for _ in range(200)]
    for execution_id in submitted:
        await dispatcher.submit(execution_id)
    await dispatcher.stop()
    assert _published_ids(redis_queue) == [str(execution_id) for execution_id in submitted]
    # a submit after a stop starts the publisher again
    late = uuid.uuid4()
    await dispatcher.submit(late)
    await dispatcher.stop()
    assert _published_ids(redis_queue)[-1] == str(late)


async def test_a_broker_that_is_down_does_not_fail_the_submit(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.runtime.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app = create_celery_app(settings)
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0}
    dispatcher = CeleryDispatcher(app, stop_timeout=30)
    with caplog.at_level(logging.ERROR, logger="splice.runtime.celery_app"):
        await dispatcher.submit(uuid.uuid4())  # returns although nothing can take the ID
        await dispatcher.stop()
    assert "the broker took 0 of 1 execution(s); the sweeper dispatches the rest" in caplog.text
