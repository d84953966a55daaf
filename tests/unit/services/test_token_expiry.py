"""When Splice renews an OAuth token: one expiry reading, two policies for an unknown expiry."""

from __future__ import annotations

from datetime import timedelta

from splice import clock
from splice.services.client_credentials import expires_soon, needs_token
from splice.services.oauth_code import expiring


def token(age: timedelta, lifetime: int | None, **extra: object) -> dict[str, object]:
    obtained = (clock.now() - age).isoformat().replace("+00:00", "Z")
    return {"obtained_at": obtained, "expires_in": lifetime, **extra}


def test_a_token_inside_the_refresh_margin_expires_soon() -> None:
    assert expires_soon(token(timedelta(minutes=56), 3600)) is True
    assert expires_soon(token(timedelta(minutes=50), 3600)) is False
    assert expires_soon(token(timedelta(0), None)) is False  # no lifetime: never expires
    assert expires_soon({"obtained_at": "yesterday", "expires_in": 60}) is None


def test_client_credentials_renew_when_missing_expiring_or_unreadable() -> None:
    assert needs_token(None)
    assert needs_token(token(timedelta(minutes=56), 3600))
    assert needs_token({"obtained_at": "yesterday", "expires_in": 60})
    assert not needs_token(token(timedelta(minutes=1), 3600))


def test_authorization_code_refreshes_only_with_a_refresh_token_and_a_known_expiry() -> None:
    assert expiring(token(timedelta(minutes=56), 3600, refresh_token="r"))
    assert not expiring(token(timedelta(minutes=56), 3600))
    assert not expiring({"obtained_at": "yesterday", "expires_in": 60, "refresh_token": "r"})
    assert not expiring(token(timedelta(minutes=1), 3600, refresh_token="r"))
