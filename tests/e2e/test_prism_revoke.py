"""``prism me:token:revoke`` (contract §1.8); its own module because it revokes the owner's tokens."""

from __future__ import annotations

import uuid

import jwt

from splice.services.tokens import encode_access_token
from tests.e2e.harness import SECRET_KEY, SpliceServer
from tests.e2e.prism import Prism


def test_revoke_revokes_every_refresh_token_of_the_user(
    prism: Prism, splice_server: SpliceServer
) -> None:
    refresh = splice_server.tokens.refresh_token
    mark = splice_server.request_mark()

    result = prism.ok("me:token:revoke", "--no-confirm", env={"PRISM_REFRESH_TOKEN": refresh})

    assert "All refresh tokens for your user have been revoked." in result.stdout
    revokes = [r for r in splice_server.requests_since(mark) if r.path == "/auth/revoke"]
    assert len(revokes) == 1
    assert revokes[0].method == "POST"
    assert "authorization" not in revokes[0].headers
    assert revokes[0].json() == {"refresh_token": refresh}

    claims = jwt.decode(splice_server.tokens.access_token, options={"verify_signature": False})
    expired = encode_access_token(
        SECRET_KEY, uuid.UUID(claims["sub"]), uuid.UUID(claims["org"]), -3600
    )
    again = prism(
        "me:token",
        env={
            "PRISM_ACCESS_TOKEN": expired,
            "PRISM_REFRESH_TOKEN": refresh,
            "PRISMATIC_TENANT_ID": "t1",
        },
    )
    assert again.code == 1, str(again)
    assert "Access denied for tenant ID 't1'." in again.message
    assert again.stdout == ""


def test_revoke_without_a_session_says_not_logged_in(prism: Prism) -> None:
    result = prism("me:token:revoke", "--no-confirm", env={"PRISM_ACCESS_TOKEN": "bogus"})
    assert result.code == 1, str(result)
    assert "You are not currently logged in." in result.message
