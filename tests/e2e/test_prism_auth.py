"""prism's authentication against a real server: contract §6 scenarios 1 to 5."""

from __future__ import annotations

import base64
import time
import uuid

import httpx
import jwt
import yaml

from splice.services.tokens import encode_access_token
from tests.e2e.harness import SECRET_KEY, SpliceServer
from tests.e2e.prism import Prism

NOT_AUTHENTICATED = "Not authenticated. Run 'prism login' or select another profile."


def owner_claims(server: SpliceServer) -> dict[str, str]:
    """The claims of the owner's access token (not verified; the test only needs the IDs)."""
    claims: dict[str, str] = jwt.decode(
        server.tokens.access_token, options={"verify_signature": False}
    )
    return claims


def expired_token(server: SpliceServer) -> str:
    """An owner access token, signed by the server's key, that expired an hour ago."""
    claims = owner_claims(server)
    return encode_access_token(
        SECRET_KEY, uuid.UUID(claims["sub"]), uuid.UUID(claims["org"]), -3600
    )


def profile_file(server: SpliceServer, access_token: str, url: str | None = None) -> str:
    """A prism config file (version 1) whose default profile holds the owner's tokens."""
    profile = {
        "accessToken": access_token,
        "expiresIn": 86400,
        "refreshToken": server.tokens.refresh_token,
        "scope": "openid profile email offline_access",
        "tokenType": "Bearer",
        "prismaticUrl": url or server.base_url,
    }
    return yaml.safe_dump(
        {"version": 1, "defaultProfile": "default", "profiles": {"default": profile}}
    )


def test_1_me_prints_the_owner_and_the_organization(
    prism: Prism, splice_server: SpliceServer
) -> None:
    result = prism.ok("me")
    lines = result.lines
    assert [line.split(":", 1)[0] for line in lines] == [
        "Name",
        "Email",
        "Organization",
        "Organization ID",
        "Endpoint URL",
        "Authentication",
    ], str(result)
    assert lines[1] == f"Email: {splice_server.owner_email}"
    org_id = lines[3].removeprefix("Organization ID: ")
    type_name, _, pk = base64.b64decode(org_id, validate=True).decode().partition(":")
    assert type_name == "Organization"
    assert str(uuid.UUID(pk)) == owner_claims(splice_server)["org"]
    assert lines[4] == f"Endpoint URL: {splice_server.base_url}"
    assert lines[5] == "Authentication: Environment"


def test_2_an_opaque_access_token_is_printed_without_any_request(
    prism: Prism, splice_server: SpliceServer
) -> None:
    mark = splice_server.request_mark()
    result = prism.ok("me:token", env={"PRISM_ACCESS_TOKEN": "opaque123"})
    assert result.stdout == "opaque123\n"
    assert splice_server.requests_since(mark) == []


def test_3_the_refresh_token_is_printed_from_the_environment(
    prism: Prism, splice_server: SpliceServer
) -> None:
    mark = splice_server.request_mark()
    result = prism.ok("me:token", "-t", "refresh", env={"PRISM_REFRESH_TOKEN": "r1"})
    assert result.stdout == "r1\n"
    assert splice_server.requests_since(mark) == []


def test_4_an_expired_token_is_refreshed_over_tls_with_the_tenant(
    prism: Prism, splice_server: SpliceServer
) -> None:
    claims = owner_claims(splice_server)
    expired = expired_token(splice_server)
    refresh = splice_server.tokens.refresh_token
    mark = splice_server.request_mark()

    result = prism.ok(
        "me:token",
        env={
            "PRISM_ACCESS_TOKEN": expired,
            "PRISM_REFRESH_TOKEN": refresh,
            "PRISMATIC_TENANT_ID": "t1",
        },
    )

    new_token = result.stdout.strip()
    assert result.lines == [new_token]
    verified = jwt.decode(new_token, SECRET_KEY, algorithms=["HS256"])
    assert verified["exp"] > time.time() + 300
    assert verified["sub"] == claims["sub"]
    seen = splice_server.requests_since(mark)
    assert [(r.scheme, r.method, r.path) for r in seen] == [
        ("http", "GET", "/auth/meta"),
        ("https", "POST", "/oauth/token"),
    ]
    assert "authorization" not in seen[1].headers
    assert seen[1].form() == {
        "grant_type": "refresh_token",
        "client_id": "splice-cli",
        "refresh_token": refresh,
        "tenant_id": "t1",
    }
    with splice_server.client() as http:
        answer = http.post(
            "/api",
            json={"query": "{ authenticatedUser { email } }"},
            headers={"Authorization": f"Bearer {new_token}"},
        )
    assert answer.json() == {"data": {"authenticatedUser": {"email": splice_server.owner_email}}}


def test_4b_auth_meta_points_at_the_tls_listener(splice_server: SpliceServer) -> None:
    with splice_server.client() as http:
        meta = http.get("/auth/meta").json()
    assert f"https://{meta['domain']}" == splice_server.tls_url
    with httpx.Client(verify=splice_server.tls.client_context()) as https:
        answer = https.post(
            f"https://{meta['domain']}/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": "splr_unknown"},
        )
    assert answer.status_code == 400
    assert answer.json()["error"] == "access_denied"


def test_5_a_bogus_token_is_not_authenticated(prism: Prism) -> None:
    result = prism("customers:list", env={"PRISM_ACCESS_TOKEN": "bogus"})
    assert result.code == 1, str(result)
    assert NOT_AUTHENTICATED in result.message
    assert result.stdout == ""


def test_5b_no_credentials_at_all_is_not_authenticated(prism: Prism) -> None:
    result = prism("customers:list", env={"PRISM_ACCESS_TOKEN": None})
    assert result.code == 1, str(result)
    assert NOT_AUTHENTICATED in result.message
    assert result.stdout == ""


def test_profile_mode_refreshes_and_stores_the_new_token(
    prism: Prism, splice_server: SpliceServer
) -> None:
    result = prism.ok(
        "me",
        env={"PRISM_ACCESS_TOKEN": None, "PRISMATIC_URL": None},
        home_files={"prism.yml": profile_file(splice_server, expired_token(splice_server))},
    )

    assert f"Email: {splice_server.owner_email}" in result.lines
    assert result.lines[-2:] == ["Authentication: Profile", "Profile: default"]
    saved = yaml.safe_load((result.home / "prism.yml").read_text())["profiles"]["default"]
    assert jwt.decode(saved["accessToken"], SECRET_KEY, algorithms=["HS256"])["exp"] > (
        time.time() + 300
    )
    assert saved["refreshToken"] == splice_server.tokens.refresh_token
    assert saved["tokenType"] and isinstance(saved["scope"], str)


def test_profile_url_must_match_prismatic_url(prism: Prism, splice_server: SpliceServer) -> None:
    mark = splice_server.request_mark()
    result = prism(
        "me",
        env={"PRISM_ACCESS_TOKEN": None},
        home_files={
            "prism.yml": profile_file(
                splice_server, splice_server.tokens.access_token, url="http://127.0.0.1:9"
            )
        },
    )
    assert result.code != 0, str(result)
    assert "PRISMATIC_URL does not match profile 'default'." in result.message
    assert splice_server.requests_since(mark) == []


def test_env_mode_refreshes_before_each_graphql_request(
    prism: Prism, splice_server: SpliceServer
) -> None:
    expired = expired_token(splice_server)
    mark = splice_server.request_mark()

    result = prism.ok(
        "integrations:list",
        env={
            "PRISM_ACCESS_TOKEN": expired,
            "PRISM_REFRESH_TOKEN": splice_server.tokens.refresh_token,
        },
    )

    assert result.lines[0].split() == ["Name", "Description", "Version"], str(result)
    seen = splice_server.requests_since(mark)
    assert [(r.scheme, r.path) for r in seen] == [
        ("http", "/auth/meta"),
        ("https", "/oauth/token"),
        ("http", "/api"),
    ]
    assert "tenant_id" not in seen[1].form()
    bearer = seen[2].headers["authorization"].removeprefix("Bearer ")
    assert bearer != expired
    assert jwt.decode(bearer, SECRET_KEY, algorithms=["HS256"])["exp"] > time.time() + 300
