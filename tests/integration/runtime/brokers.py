"""The real brokers the Celery tests run on: Redis and RabbitMQ, by URL (skipped when missing,
failed in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from kombu import Connection

REDIS_URL = os.environ.get("SPLICE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RABBITMQ_URL = os.environ.get("SPLICE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _unreachable(what: str, url: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not reachable at {url} (CI needs it)")
    pytest.skip(f"{what} is not reachable at {url}")


@pytest.fixture
def redis_broker() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        _unreachable("Redis", REDIS_URL)
    client.close()
    yield REDIS_URL


@pytest.fixture
def rabbitmq_broker() -> Iterator[str]:
    with Connection(RABBITMQ_URL, connect_timeout=3) as connection:
        try:
            connection.ensure_connection(max_retries=1)
        except OSError:
            _unreachable("RabbitMQ", RABBITMQ_URL)
    yield RABBITMQ_URL
