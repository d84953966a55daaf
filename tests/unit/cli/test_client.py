"""The GraphQL client: request shape, response rules of contract §2.2, refresh, pagination."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from splice.cli.client import NOT_AUTHENTICATED, SpliceClient, payload_error_lines
from splice.cli.config import ConfigFile, Profile, load_config, save_config
from splice.cli.credentials import Credentials
from splice.cli.errors import CLIError, GraphQLError, NotLoggedIn
from tests.unit.cli.fakes import BASE, NOW, FakeServer, json_route, make_jwt


def client_for(server: FakeServer, creds: Credentials | None = None) -> SpliceClient:
    creds = creds or Credentials(BASE, make_jwt(), "")
    return SpliceClient(creds, transport=httpx.MockTransport(server), now=lambda: NOW)


def test_request_shape(server: FakeServer) -> None:
    server.answer({"ok": True})
    token = make_jwt()
    assert client_for(server, Credentials(BASE + "/", token, "")).graphql("query { ok }") == {
        "ok": True
    }
    request = server.requests[0]
    assert str(request.url) == f"{BASE}/api" and request.method == "POST"
    assert request.headers["Authorization"] == f"Bearer {token}"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"query": "query { ok }", "variables": {}}


@pytest.mark.parametrize(
    ("status", "body", "lines"),
    [
        (401, {"errors": [{"message": "Invalid token"}]}, [NOT_AUTHENTICATED, "Invalid token"]),
        (401, "<html>", [NOT_AUTHENTICATED, "Failed to parse response: Unauthorized"]),
        (
            500,
            "<html>",
            ["Internal Server Error", "Failed to parse response: Internal Server Error"],
        ),
        (200, {"data": None, "errors": [{"message": "X"}, {"message": "Y"}]}, ["X", "Y"]),
        (400, {"errors": [{"message": "Syntax"}]}, ["Bad Request", "Syntax"]),
        (200, {"data": None}, ["GraphQL Error (Code: 200)"]),
    ],
)
def test_failed_responses(server: FakeServer, status: int, body: object, lines: list[str]) -> None:
    server.answer(status=status, body=body)
    with pytest.raises(GraphQLError) as caught:
        client_for(server).graphql("query { x }")
    assert caught.value.lines == lines


def test_partial_data_is_success_and_top_level_errors_are_ignored(server: FakeServer) -> None:
    server.answer({"a": 1}, errors=[{"message": "ignored"}])
    assert client_for(server).graphql("query { a }") == {"a": 1}


def test_mutation_payload_errors_become_field_lines(server: FakeServer) -> None:
    errors = [{"field": "name", "messages": ["a", "b"]}, {"field": "__all__", "messages": ["g"]}]
    server.answer({"createThing": {"thing": None, "errors": errors}})
    with pytest.raises(GraphQLError) as caught:
        client_for(server).graphql("mutation { x }")
    assert str(caught.value) == "name: a\nb\ng"


def test_payload_error_lines_skip_empty_and_non_payload_values() -> None:
    assert (
        payload_error_lines({"a": {"errors": []}, "b": [1], "c": None, "d": {"errors": None}}) == []
    )


def test_connection_refused_names_the_url_and_the_fix() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    client = SpliceClient(
        Credentials(BASE, "t", ""), transport=httpx.MockTransport(refuse), now=lambda: NOW
    )
    with pytest.raises(CLIError) as caught:
        client.graphql("query { a }")
    assert f"{BASE}/api" in caught.value.text and "splice server" in caught.value.text


def test_timeouts_are_clear_errors() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = SpliceClient(
        Credentials(BASE, "t", ""), transport=httpx.MockTransport(slow), now=lambda: NOW
    )
    with pytest.raises(CLIError, match=f"Request to {BASE}/api failed"):
        client.graphql("query { a }")


def refresh_routes(server: FakeServer, token: str) -> None:
    server.routes["/auth/meta"] = json_route(
        {"domain": "splice.test", "clientId": "cid", "audience": "a"}
    )
    server.routes["/oauth/token"] = json_route(
        {"access_token": token, "expires_in": 3600, "scope": "openid", "token_type": "Bearer"}
    )


def test_refresh_when_due_in_env_mode_uses_the_base_url(server: FakeServer) -> None:
    fresh = make_jwt(NOW + 3600, sub="u")
    refresh_routes(server, fresh)
    server.answer({"a": 1})
    server.answer({"a": 2})
    client = client_for(server, Credentials(BASE, make_jwt(NOW + 10), "r1"))
    client.graphql("query { a }")
    client.graphql("query { a }")
    paths = [r.url.path for r in server.requests]
    assert paths == ["/auth/meta", "/oauth/token", "/api", "/api"]  # refreshed once, then reused
    form = parse_qs(server.requests[1].content.decode())
    assert form == {"grant_type": ["refresh_token"], "client_id": ["cid"], "refresh_token": ["r1"]}
    assert "Authorization" not in server.requests[1].headers
    assert server.requests[2].headers["Authorization"] == f"Bearer {fresh}"


def test_no_refresh_when_not_due(server: FakeServer) -> None:
    server.answer({"a": 1})
    client_for(server, Credentials(BASE, make_jwt(NOW + 301), "r1")).graphql("query { a }")
    assert [r.url.path for r in server.requests] == ["/api"]


def test_refresh_in_profile_mode_saves_the_new_token(server: FakeServer, tmp_path: Path) -> None:
    path = tmp_path / "config.yml"
    config = ConfigFile(path, "p", {"p": Profile(BASE, make_jwt(NOW - 1), "r1", 1, "", "Bearer")})
    save_config(config)
    fresh = make_jwt(NOW + 3600)
    refresh_routes(server, fresh)
    creds = Credentials(BASE, config.profiles["p"].access_token, "r1", profile="p", config=config)
    assert client_for(server, creds).access_token() == fresh
    saved = load_config(path).profiles["p"]
    assert (saved.access_token, saved.refresh_token, saved.expires_in, saved.scope) == (
        fresh,
        "r1",
        3600,
        "openid",
    )


def test_refresh_denied_says_to_log_in_again(server: FakeServer) -> None:
    server.routes["/auth/meta"] = json_route({"clientId": "cid"})
    server.routes["/oauth/token"] = json_route(
        {"error": "access_denied", "error_description": "Refresh token revoked"}, status=400
    )
    with pytest.raises(NotLoggedIn, match=r"Refresh token revoked.*splice login"):
        client_for(server, Credentials(BASE, "", "r1")).access_token()


def test_auth_meta_that_is_not_splice_is_a_clear_error(server: FakeServer) -> None:
    server.routes["/auth/meta"] = lambda _r: httpx.Response(404, text="nope")
    with pytest.raises(CLIError, match=f"{BASE}/auth/meta answered 404 Not Found"):
        client_for(server, Credentials(BASE, "", "r1")).access_token()


def test_no_token_at_all_is_not_logged_in(server: FakeServer) -> None:
    with pytest.raises(NotLoggedIn, match="splice login"):
        client_for(server, Credentials(BASE, "", "")).graphql("query { a }")
    assert server.requests == []


def test_paginate_follows_cursors_from_an_empty_after(server: FakeServer) -> None:
    server.answer(
        {"things": {"nodes": [{"n": 1}], "pageInfo": {"hasNextPage": True, "endCursor": "c1"}}}
    )
    server.answer(
        {"things": {"nodes": [{"n": 2}], "pageInfo": {"hasNextPage": False, "endCursor": "c2"}}}
    )
    nodes = client_for(server).paginate("q", {"x": 1}, lambda d: d["things"])
    assert nodes == [{"n": 1}, {"n": 2}]
    assert server.variables == [{"x": 1, "after": ""}, {"x": 1, "after": "c1"}]


def test_paginate_can_omit_after_on_the_first_page(server: FakeServer) -> None:
    server.answer({"things": {"nodes": [1], "pageInfo": {"hasNextPage": False}}})
    client_for(server).paginate("q", {}, lambda d: d["things"], first_after=None)
    assert server.variables == [{}]


def test_paginate_refuses_a_cursor_that_does_not_advance(server: FakeServer) -> None:
    page = {"things": {"nodes": [1], "pageInfo": {"hasNextPage": True, "endCursor": None}}}
    server.answer(page)
    with pytest.raises(CLIError, match="no new endCursor"):
        client_for(server).paginate("q", {}, lambda d: d["things"])


def test_mutation_id_requires_the_object(server: FakeServer) -> None:
    server.answer({"createThing": {"thing": {"id": "T1"}, "errors": []}})
    server.answer({"createThing": {"thing": None, "errors": []}})
    client = client_for(server)
    assert client.mutation_id("m", {}, "createThing", "thing") == "T1"
    with pytest.raises(CLIError, match="createThing returned no thing"):
        client.mutation_id("m", {}, "createThing", "thing")
