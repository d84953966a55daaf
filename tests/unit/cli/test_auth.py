"""``login``, ``logout``, ``me``, ``me:token`` and ``me:token:revoke``."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import yaml

from splice.cli import auth
from splice.cli.config import ConfigFile, Profile, load_config, save_config
from tests.unit.cli.fakes import BASE, NOW, FakeServer, Invoker, json_route, make_jwt

USER = {
    "name": "Owner",
    "email": "o@example.com",
    "tenantId": None,
    "org": {"id": "T3Jn", "name": "Rockets"},
    "customer": None,
}


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "splice.yml"


@pytest.fixture
def profile_run(server: FakeServer, config_path: Path) -> Invoker:
    return Invoker(server, {"SPLICE_CONFIG_FILE": str(config_path)})


def saved_profile(config_path: Path, name: str = "default", access: str | None = None) -> None:
    profile = Profile(BASE, access or make_jwt(), "ref", 3600, "openid", "Bearer")
    save_config(ConfigFile(config_path, name, {name: profile}))


def test_me_in_env_mode(run: Invoker, server: FakeServer) -> None:
    server.answer({"authenticatedUser": USER})
    result = run(["me"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Name: Owner",
        "Email: o@example.com",
        "Organization: Rockets",
        "Organization ID: T3Jn",
        f"Endpoint URL: {BASE}",
        "Authentication: Environment",
    ]
    assert server.graphql[0] == {"query": auth.WHOAMI, "variables": {}}


def test_me_in_profile_mode_for_a_customer_user(
    profile_run: Invoker, server: FakeServer, config_path: Path
) -> None:
    saved_profile(config_path, "work")
    user = {**USER, "org": None, "customer": {"id": "C", "name": "Acme"}, "tenantId": "t1"}
    server.answer({"authenticatedUser": user})
    lines = profile_run(["me"]).stdout.splitlines()
    assert lines[2:] == [
        "Customer: Acme",
        "Tenant ID: t1",
        f"Endpoint URL: {BASE}",
        "Authentication: Profile",
        "Profile: work",
    ]


def test_me_token_makes_no_request_when_not_due(run: Invoker, server: FakeServer) -> None:
    run.env = {"PRISM_ACCESS_TOKEN": "opaque123"}
    assert run(["me:token"]).stdout == "opaque123\n"
    assert server.requests == []


def test_me_token_refresh_type(run: Invoker, server: FakeServer) -> None:
    run.env = {"SPLICE_REFRESH_TOKEN": "r1", "SPLICE_ACCESS_TOKEN": make_jwt()}
    assert run(["me:token", "-t", "refresh"]).stdout == "r1\n"
    run.env = {"SPLICE_ACCESS_TOKEN": "a"}
    assert run(["me:token", "--type", "refresh"]).stdout == "\n"
    assert server.requests == []


def test_me_token_refreshes_an_expiring_token(run: Invoker, server: FakeServer) -> None:
    fresh = make_jwt(NOW + 3600)
    server.routes["/auth/meta"] = json_route({"clientId": "cid", "domain": "splice.test"})
    server.routes["/oauth/token"] = json_route({"access_token": fresh, "expires_in": 3600})
    run.env = {
        "SPLICE_ACCESS_TOKEN": make_jwt(NOW - 1),
        "SPLICE_REFRESH_TOKEN": "r1",
        "SPLICE_URL": BASE,
    }
    assert run(["me:token"]).stdout == f"{fresh}\n"


def test_login_with_password_on_stdin_saves_a_profile(
    profile_run: Invoker, server: FakeServer, config_path: Path
) -> None:
    token = make_jwt()
    server.routes["/auth/meta"] = json_route({"clientId": "splice-cli", "domain": "x"})
    server.routes["/oauth/token"] = json_route(
        {
            "access_token": token,
            "refresh_token": "ref",
            "expires_in": 3600,
            "scope": "openid",
            "token_type": "Bearer",
        }
    )
    result = profile_run(
        ["login", "--url", BASE + "/", "--email", "o@example.com"], input="s3cret\n"
    )
    assert result.exit_code == 0, result.stderr
    form = parse_qs(server.requests[1].content.decode())
    assert form == {
        "grant_type": ["password"],
        "username": ["o@example.com"],
        "password": ["s3cret"],
        "client_id": ["splice-cli"],
    }
    data = yaml.safe_load(config_path.read_text())
    assert data["version"] == 1 and data["defaultProfile"] == "default"
    assert data["profiles"]["default"] == {
        "accessToken": token,
        "expiresIn": 3600,
        "refreshToken": "ref",
        "scope": "openid",
        "tokenType": "Bearer",
        "prismaticUrl": BASE,
    }


def test_login_prompts_for_email_and_hidden_password_on_a_tty(
    profile_run: Invoker, server: FakeServer, config_path: Path
) -> None:
    server.routes["/auth/meta"] = json_route({"clientId": "c"})
    server.routes["/oauth/token"] = json_route({"access_token": "t", "refresh_token": "r"})
    profile_run.tty = True
    result = profile_run(["login", "--url", BASE, "--profile", "p2"], input="me@x.test\npw\n")
    assert result.exit_code == 0, result.stderr
    assert "pw" not in result.output
    assert load_config(config_path).profiles["p2"].access_token == "t"


def test_login_failure_is_one_clear_line(profile_run: Invoker, server: FakeServer) -> None:
    server.routes["/auth/meta"] = json_route({"clientId": "c"})
    server.routes["/oauth/token"] = json_route(
        {"error": "access_denied", "error_description": "Wrong email or password"}, status=400
    )
    result = profile_run(["login", "--url", BASE, "--email", "a@b.c"], input="bad\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: Login to http://splice.test failed: Wrong email or password"
    )
    assert len(result.stderr.splitlines()) == 1


def test_login_to_an_unreachable_server(profile_run: Invoker) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    profile_run.server.routes["/auth/meta"] = refuse
    result = profile_run(["login", "--url", "http://127.0.0.1:9", "--email", "a@b.c"], input="pw\n")
    assert result.exit_code == 2
    assert "http://127.0.0.1:9/auth/meta" in result.stderr and "splice server" in result.stderr


def test_logout_removes_the_profile(profile_run: Invoker, config_path: Path) -> None:
    saved_profile(config_path)
    assert profile_run(["logout"]).exit_code == 0
    assert load_config(config_path).profiles == {}
    assert "Not logged in" in profile_run(["logout"]).stdout


def test_revoke_in_profile_mode(
    profile_run: Invoker, server: FakeServer, config_path: Path
) -> None:
    saved_profile(config_path)
    server.answer({"authenticatedUser": {"id": "U"}})
    server.routes["/auth/revoke"] = lambda _r: httpx.Response(200, json={"revoked": 1})
    result = profile_run(["me:token:revoke", "--no-confirm"])
    assert result.stdout == "All refresh tokens for your user have been revoked.\n"
    assert server.graphql[0]["query"] == auth.PROBE
    revoke = server.requests[-1]
    assert json.loads(revoke.content) == {"refresh_token": "ref"}
    assert "Authorization" not in revoke.headers
    assert load_config(config_path).profiles == {}


def test_revoke_in_env_mode_warns(run: Invoker, server: FakeServer) -> None:
    run.env = {**run.env, "SPLICE_REFRESH_TOKEN": "r1"}
    server.answer({"authenticatedUser": {"id": "U"}})
    server.routes["/auth/revoke"] = lambda _r: httpx.Response(204)
    result = run(["me:token:revoke"], input="y\n")
    assert "All refresh tokens for your user have been revoked." in result.stdout
    assert "still hold the revoked token" in result.stderr


def test_revoke_when_not_logged_in(run: Invoker, server: FakeServer) -> None:
    server.answer(status=401, body={"errors": [{"message": "Invalid token"}]})
    result = run(["me:token:revoke", "--no-confirm"])
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: You are not currently logged in. (run 'splice login')\n",
    )


def test_not_authenticated_message(run: Invoker, server: FakeServer) -> None:
    server.answer(status=401, body={"errors": [{"message": "Invalid token"}]})
    result = run(["me"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(
        "Error: Not authenticated. Run 'splice login' or select another profile."
    )


def test_login_url_without_scheme_gets_http(
    profile_run: Invoker, server: FakeServer, config_path: Path
) -> None:
    server.routes["/auth/meta"] = json_route({"clientId": "c"})
    server.routes["/oauth/token"] = json_route({"access_token": "t", "refresh_token": "r"})
    assert (
        profile_run(["login", "--url", "splice.test", "--email", "a@b.c"], input="pw\n").exit_code
        == 0
    )
    assert load_config(config_path).profiles["default"].prismatic_url == BASE
