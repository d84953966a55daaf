"""Fixtures for the HTTP API: the real app over ``httpx.ASGITransport`` on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from splice.api.app import create_app
from splice.services import Services
from splice.services.startup import build_services, prepare
from splice.settings import LimitSettings, ServerSettings, Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

TLS_PORT = 8443


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    """The parametrised settings with a TLS port and small limits the tests can exceed."""
    settings.server = ServerSettings(host="127.0.0.1", port=8000, tls_port=TLS_PORT)
    settings.limits = LimitSettings(request_bytes=64 * 1024, graphql_depth=6)
    return settings


@pytest.fixture
async def services(api_settings: Settings) -> AsyncIterator[Services]:
    """Services on a migrated database with the owner created (what the lifespan does)."""
    bundle = build_services(api_settings)
    await prepare(bundle)
    yield bundle
    await bundle.db.dispose()


@pytest.fixture
async def client(api_settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process."""
    app = create_app(api_settings, services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def password_grant(
    client: httpx.AsyncClient, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD
) -> httpx.Response:
    """POST the password grant to /oauth/token."""
    return await client.post(
        "/oauth/token", data={"grant_type": "password", "username": email, "password": password}
    )


async def refresh_grant(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    """POST the refresh grant to /oauth/token the way prism does."""
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "splice-cli",
            "refresh_token": refresh_token,
            "tenant_id": "t1",
        },
    )


@pytest.fixture
async def tokens(client: httpx.AsyncClient) -> dict[str, str]:
    """The owner's access and refresh tokens."""
    response = await password_grant(client)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, object] | None = None,
    *,
    token: str | None,
) -> httpx.Response:
    """POST a GraphQL operation, with ``Authorization: Bearer <token>`` when a token is given."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return await client.post(
        "/api", json={"query": query, "variables": variables or {}}, headers=headers
    )
