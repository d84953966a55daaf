"""An in-process API client: the real ASGI app over httpx, authenticated as the owner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from splice.api.app import create_app
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.graphql_calls import graphql_body


@dataclass
class Api:
    """Posts GraphQL with the owner's token and returns the decoded answer."""

    http: httpx.AsyncClient
    token: str

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql_body(self.http, self.token, query, **variables)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://splice.test") as http:
        yield Api(http, pair.access_token)
    await services.db.dispose()
