"""Access tokens are HS256 JWTs with ``exp``; refresh tokens are opaque and stored hashed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from splice import clock
from splice.errors import NotAuthenticated
from splice.services.tokens import (
    AccessClaims,
    decode_access_token,
    encode_access_token,
    hash_refresh_token,
    new_refresh_token,
)

SECRET = "unit-test-secret-key-that-is-long-enough-for-hs256"
USER = uuid.UUID("11111111-1111-4111-8111-111111111111")
ORG = uuid.UUID("22222222-2222-4222-8222-222222222222")


def issued_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Make ``clock.now()`` return ``moment`` while a token is encoded."""
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_round_trip_gives_back_user_and_organization() -> None:
    token = encode_access_token(SECRET, USER, ORG, 3600)
    assert decode_access_token(SECRET, token) == AccessClaims(USER, ORG)


def test_exp_is_issue_time_plus_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
    issued_at(monkeypatch, moment)
    token = encode_access_token(SECRET, USER, ORG, 900)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iat"] == int(moment.timestamp())
    assert claims["exp"] == int(moment.timestamp()) + 900
    assert claims["sub"] == str(USER)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_an_expired_token_says_it_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    issued_at(monkeypatch, clock.now() - timedelta(hours=2))
    token = encode_access_token(SECRET, USER, ORG, 3600)
    with pytest.raises(NotAuthenticated, match="expired"):
        decode_access_token(SECRET, token)


def test_a_token_just_past_exp_is_accepted_within_the_leeway(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issued_at(monkeypatch, clock.now() - timedelta(seconds=62))
    token = encode_access_token(SECRET, USER, ORG, 60)
    assert decode_access_token(SECRET, token).user_id == USER


def test_a_token_signed_with_another_secret_is_invalid() -> None:
    token = encode_access_token("another-secret-key-that-is-long-enough-for-hs256", USER, ORG, 60)
    with pytest.raises(NotAuthenticated, match="invalid access token"):
        decode_access_token(SECRET, token)


@pytest.mark.parametrize("token", ["", "opaque123", "a.b.c", "undefined"])
def test_malformed_tokens_are_invalid(token: str) -> None:
    with pytest.raises(NotAuthenticated, match="invalid access token"):
        decode_access_token(SECRET, token)


def test_a_token_without_exp_is_invalid() -> None:
    token = jwt.encode({"sub": str(USER), "org": str(ORG), "typ": "access"}, SECRET, "HS256")
    with pytest.raises(NotAuthenticated):
        decode_access_token(SECRET, token)


def test_an_unsigned_token_is_invalid() -> None:
    claims = {"sub": str(USER), "org": str(ORG), "typ": "access", "exp": 4_000_000_000}
    token = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(NotAuthenticated):
        decode_access_token(SECRET, token)


def test_a_token_of_another_type_is_refused() -> None:
    claims = {"sub": str(USER), "org": str(ORG), "typ": "refresh", "exp": 4_000_000_000}
    token = jwt.encode(claims, SECRET, "HS256")
    with pytest.raises(NotAuthenticated, match="not an access token"):
        decode_access_token(SECRET, token)


def test_a_token_with_a_malformed_subject_is_invalid() -> None:
    claims = {"sub": "not-a-uuid", "org": str(ORG), "typ": "access", "exp": 4_000_000_000}
    with pytest.raises(NotAuthenticated, match="invalid access token"):
        decode_access_token(SECRET, jwt.encode(claims, SECRET, "HS256"))


def test_refresh_tokens_are_prefixed_and_unique() -> None:
    tokens = {new_refresh_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(token.startswith("splr_") and len(token) > 40 for token in tokens)


def test_refresh_token_hash_is_stable_and_hides_the_token() -> None:
    token = new_refresh_token()
    digest = hash_refresh_token(token)
    assert digest == hash_refresh_token(token)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert token not in digest
    assert digest != hash_refresh_token(token + "x")
