"""``/oauth2/callback`` answers a person with a short page, also for forged or missing state."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from splice.api.app import create_app
from splice.services.startup import build_services, prepare
from splice.settings import Settings


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://splice.test"
    ) as client:
        yield client
    await services.db.dispose()


async def test_forged_state_is_refused_with_a_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/oauth2/callback", params={"state": "forged", "code": "c"})
    assert response.status_code == 400
    assert "Authorization failed" in response.text
    assert "invalid or expired" in response.text


async def test_a_provider_error_is_shown(http: httpx.AsyncClient) -> None:
    response = await http.get("/oauth2/callback", params={"error": "access_denied"})
    assert response.status_code == 400
    assert "access_denied" in response.text
