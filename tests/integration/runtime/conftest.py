"""A running app (services, dispatcher, sweeper) over ASGI for execution tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from splice.api.app import create_app
from splice.components.builtin import prismatic
from splice.runtime.dispatch import Dispatcher
from splice.services import Services
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.graphql_calls import graphql_data
from tests.integration.runtime.brokers import rabbitmq_broker, redis_broker
from tests.integration.runtime.prismatic_platform import Platform, running_platform

__all__ = ["rabbitmq_broker", "redis_broker"]  # fixtures of the Celery tests


@dataclass
class Running:
    """The app, its services and an authenticated GraphQL helper."""

    http: httpx.AsyncClient
    services: Services
    dispatcher: Dispatcher
    token: str

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql_data(self.http, self.token, query, **variables)


async def running_app(settings: Settings) -> AsyncIterator[Running]:
    """Start the app's dispatcher and sweeper without uvicorn (ASGI transport)."""
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    dispatcher: Dispatcher = app.state.dispatcher
    await dispatcher.start()
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://splice.test") as http:
        yield Running(http, services, dispatcher, pair.access_token)
    await dispatcher.stop()
    await services.db.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Running]:
    async for running in running_app(settings):
        yield running


@pytest.fixture
def fresh_tokens() -> Iterator[None]:
    """No access token cached by the prismatic connection leaks from one test into the next."""
    prismatic.clear_token_cache()
    yield
    prismatic.clear_token_cache()


@pytest.fixture
async def platform(settings: Settings, fresh_tokens: None) -> AsyncIterator[Platform]:
    """A live app with the prismatic component's token cache cleared around the test."""
    async with running_platform(settings) as running:
        yield running
