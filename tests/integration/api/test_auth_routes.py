"""``/auth/meta``, ``/oauth/token`` and ``/auth/revoke`` as prism uses them (contract §1.3-1.8)."""

from __future__ import annotations

import time

import httpx
import jwt

from tests.conftest import ADMIN_EMAIL
from tests.integration.api.conftest import TLS_PORT, password_grant, refresh_grant

SECRET = "test-secret-key-that-is-long-enough-for-hs256"


async def test_auth_meta_names_the_tls_listener_without_a_scheme(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/meta")
    assert response.status_code == 200
    assert response.json() == {
        "domain": f"127.0.0.1:{TLS_PORT}",
        "clientId": "splice-cli",
        "audience": "splice",
    }


async def test_password_grant_returns_a_jwt_with_exp_and_a_refresh_token(
    client: httpx.AsyncClient,
) -> None:
    response = await password_grant(client)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["scope"], str)
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 300
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["exp"] > time.time() + 300
    assert body["refresh_token"]


async def test_password_grant_with_a_wrong_password_is_access_denied(
    client: httpx.AsyncClient,
) -> None:
    response = await password_grant(client, password="wrong")
    assert response.status_code == 400
    assert response.json()["error"] == "access_denied"
    assert "access_token" not in response.json()


async def test_password_grant_for_an_unknown_user_is_access_denied(
    client: httpx.AsyncClient,
) -> None:
    response = await password_grant(client, email="nobody@example.com")
    assert response.status_code == 400
    assert response.json()["error"] == "access_denied"


async def test_refresh_returns_a_new_access_token_and_keeps_the_refresh_token(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await refresh_grant(client, tokens["refresh_token"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"access_token", "expires_in", "scope", "token_type"}
    assert "refresh_token" not in body
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["exp"] > time.time() + 300
    again = await refresh_grant(client, tokens["refresh_token"])
    assert again.status_code == 200


async def test_refresh_with_an_unknown_token_is_access_denied(client: httpx.AsyncClient) -> None:
    response = await refresh_grant(client, "splr_not-a-real-token")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "access_denied"
    assert body["error_description"]


async def test_refresh_without_a_token_is_an_invalid_request(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth/token", data={"grant_type": "refresh_token"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_unknown_grant_type_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_revoke_revokes_every_refresh_token_of_the_user(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    second = (await password_grant(client)).json()["refresh_token"]

    response = await client.post("/auth/revoke", json={"refresh_token": tokens["refresh_token"]})

    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    for token in (tokens["refresh_token"], second):
        denied = await refresh_grant(client, token)
        assert denied.status_code == 400
        assert denied.json()["error"] == "access_denied"
    fresh = await password_grant(client)
    assert (await refresh_grant(client, fresh.json()["refresh_token"])).status_code == 200


async def test_revoke_with_an_unknown_or_missing_token_revokes_nothing(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    unknown = await client.post("/auth/revoke", json={"refresh_token": "splr_unknown"})
    assert unknown.status_code == 200
    assert unknown.json() == {"revoked": 0}
    empty = await client.post("/auth/revoke", json={})
    assert empty.status_code == 200
    assert empty.json() == {"revoked": 0}
    assert (await refresh_grant(client, tokens["refresh_token"])).status_code == 200


async def test_access_token_authenticates_the_owner(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await client.post(
        "/api",
        json={"query": "{ authenticatedUser { email role { name } } }"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.json() == {
        "data": {"authenticatedUser": {"email": ADMIN_EMAIL, "role": {"name": "owner"}}}
    }
