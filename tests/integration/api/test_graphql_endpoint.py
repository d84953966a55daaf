"""``POST /api`` and the prism error policy (contract §2.3), plus the size limits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import jwt
import pytest

from splice import clock
from splice.services.tokens import encode_access_token
from tests.integration.api.conftest import graphql

SECRET = "test-secret-key-that-is-long-enough-for-hs256"
WHOAMI = "{ authenticatedUser { email } }"


def assert_unauthorized(response: httpx.Response) -> None:
    """401, a message in ``errors``, and no ``data`` key at all (prism treats data as success)."""
    assert response.status_code == 401
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]


async def test_no_authorization_header_is_401(client: httpx.AsyncClient) -> None:
    assert_unauthorized(await graphql(client, WHOAMI, token=None))


@pytest.mark.parametrize("token", ["undefined", "null", "garbage", "a.b.c"])
async def test_unusable_bearer_tokens_are_401(client: httpx.AsyncClient, token: str) -> None:
    assert_unauthorized(await graphql(client, WHOAMI, token=token))


async def test_an_expired_token_is_401_saying_so(
    client: httpx.AsyncClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    issued = clock.now() - timedelta(hours=2)
    monkeypatch.setattr(clock, "now", lambda: issued)
    expired = encode_access_token(SECRET, uuid.UUID(claims["sub"]), uuid.UUID(claims["org"]), 3600)
    monkeypatch.undo()

    response = await graphql(client, WHOAMI, token=expired)

    assert_unauthorized(response)
    assert "expired" in response.json()["errors"][0]["message"]


async def test_a_token_signed_with_another_key_is_401(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = encode_access_token(
        "another-secret-key-that-is-long-enough-for-hs256",
        uuid.UUID(claims["sub"]),
        uuid.UUID(claims["org"]),
        3600,
    )
    assert_unauthorized(await graphql(client, WHOAMI, token=forged))


async def test_a_token_of_an_unknown_user_is_401(client: httpx.AsyncClient) -> None:
    stranger = encode_access_token(SECRET, uuid.uuid4(), uuid.uuid4(), 3600)
    assert_unauthorized(await graphql(client, WHOAMI, token=stranger))


async def test_a_query_error_makes_data_null(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await graphql(
        client,
        'query { authenticatedUser { email } integration(id: "bm8tc3VjaA==") { id } }',
        token=tokens["access_token"],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"]
    assert "Traceback" not in response.text


async def test_a_mutation_user_error_is_reported_in_the_payload(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    mutation = """
        mutation($name: String!) {
          createIntegration(input: {name: $name, description: "d"}) {
            integration { id }
            errors { field messages }
          }
        }
    """
    first = await graphql(client, mutation, {"name": "Orders"}, token=tokens["access_token"])
    assert first.json()["data"]["createIntegration"]["errors"] == []
    assert first.json()["data"]["createIntegration"]["integration"]["id"]

    second = await graphql(client, mutation, {"name": "Orders"}, token=tokens["access_token"])

    assert second.status_code == 200
    payload = second.json()["data"]["createIntegration"]
    assert payload["integration"] is None
    assert [error["field"] for error in payload["errors"]] == ["name"]
    assert payload["errors"][0]["messages"]


async def test_a_syntax_error_is_200_without_data(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await graphql(client, "query { authenticatedUser {", token=tokens["access_token"])
    assert response.status_code == 200
    body = response.json()
    assert not body.get("data")
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_a_body_that_is_not_json_is_400_with_errors(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await client.post(
        "/api",
        content=b"not json",
        headers={
            "Authorization": f"Bearer {tokens['access_token']}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


async def test_a_request_body_over_the_limit_is_413(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    padding = "x" * (65 * 1024)
    response = await graphql(client, WHOAMI, {"padding": padding}, token=tokens["access_token"])
    assert response.status_code == 413
    assert "65536" in response.json()["message"]


async def test_a_streamed_body_over_the_limit_is_413(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(80):
            yield b"x" * 1024

    response = await client.post(
        "/api",
        content=chunks(),
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.status_code == 413


async def test_a_query_deeper_than_the_limit_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    deep = "{ authenticatedUser { org { users { nodes { org { users { nodes { email } } } } } } } }"
    response = await graphql(client, deep, token=tokens["access_token"])
    assert response.status_code == 200
    body = response.json()
    assert not body.get("data")
    assert "levels deep" in body["errors"][0]["message"]


async def test_a_query_at_the_depth_limit_runs(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    at_limit = "{ authenticatedUser { org { users { nodes { org { name } } } } } }"
    response = await graphql(client, at_limit, token=tokens["access_token"])
    assert response.json()["data"]["authenticatedUser"]["org"]["users"]["nodes"]
