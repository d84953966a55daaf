"""Access tokens (JWT with ``exp``, HS256) and opaque refresh tokens (stored as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt

from splice import clock
from splice.errors import NotAuthenticated

__all__ = [
    "AccessClaims",
    "decode_access_token",
    "encode_access_token",
    "hash_refresh_token",
    "new_refresh_token",
]

ALGORITHM = "HS256"
REFRESH_PREFIX = "splr_"


@dataclass(frozen=True)
class AccessClaims:
    """What an access token says about its bearer."""

    user_id: uuid.UUID
    organization_id: uuid.UUID


def encode_access_token(
    secret: str, user_id: uuid.UUID, organization_id: uuid.UUID, ttl_seconds: int
) -> str:
    """A signed JWT whose ``exp`` the prism CLI reads to decide when to refresh."""
    issued = clock.now()
    claims = {
        "sub": str(user_id),
        "org": str(organization_id),
        "typ": "access",
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(secret: str, token: str) -> AccessClaims:
    """Verify signature and expiry; raise NotAuthenticated with the reason otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
            leeway=5,
        )
        if claims.get("typ") != "access":
            raise NotAuthenticated("the token is not an access token")
        return AccessClaims(uuid.UUID(claims["sub"]), uuid.UUID(claims["org"]))
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated(
            "the access token has expired", fix="get a new one with 'splice me:token'"
        ) from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise NotAuthenticated(
            "invalid access token", fix="log in again with 'splice login'"
        ) from exc


def new_refresh_token() -> str:
    """A fresh opaque refresh token (shown to the user once, stored hashed)."""
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """The stored form of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()
