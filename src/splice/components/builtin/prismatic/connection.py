"""The refresh-token connection: which server to call and a cached access token for it.

The ``apiKey`` field holds a refresh token (``splice me:token --type refresh``). It is exchanged
at ``<server>/oauth/token`` for an access token, cached per server and refresh token, and
exchanged again when less than a minute of ``expires_in`` is left. The server is the
connection's optional ``url``, else the run's ``ctx.platform_url``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from splice.components.builtin._support import to_text
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError

__all__ = [
    "PrismaticApiError",
    "access_token",
    "clear_token_cache",
    "connection_fields",
    "error_text",
    "forget",
    "graphql_errors",
    "server_url",
]


class PrismaticApiError(RuntimeError):
    """The platform API refused a request or answered with errors."""


_REFRESH_MARGIN_S = 60.0
"""Exchange the refresh token again when the access token has less than this left."""


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str
    expires_at: float


_TOKENS: dict[tuple[str, str], _Token] = {}


def clear_token_cache() -> None:
    """Forget every cached access token (tests, and after a refresh token is revoked)."""
    _TOKENS.clear()


def connection_fields(connection: Any) -> tuple[str, str]:
    """``(refresh token, url override)`` from the connection config variable."""
    if isinstance(connection, str):
        return connection.strip(), ""
    if not isinstance(connection, Mapping):
        raise InputValueError("expects a Prismatic Refresh Token connection", "connection")
    fields = connection.get("fields")
    fields = fields if isinstance(fields, Mapping) else connection
    refresh = to_text(fields.get("apiKey") or fields.get("refreshToken")).strip()
    return refresh, to_text(fields.get("url")).strip()


def server_url(ctx: ActionContext, override: str) -> str:
    """The server to call: the connection's URL, else the one running the flow."""
    url = (override or ctx.platform_url).strip().rstrip("/")
    if not url.lower().startswith(("http://", "https://")):
        raise InputValueError(
            "has no server URL: set the connection's URL, or run on a Splice server", "connection"
        )
    return url


def _key(server: str, refresh: str) -> tuple[str, str]:
    return server, hashlib.sha256(refresh.encode()).hexdigest()


def forget(server: str, refresh: str) -> None:
    """Drop the cached access token (the server refused it)."""
    _TOKENS.pop(_key(server, refresh), None)


async def access_token(client: httpx.AsyncClient, server: str, refresh: str, action: str) -> str:
    """The cached access token, exchanged anew when less than a minute of it is left."""
    key = _key(server, refresh)
    cached = _TOKENS.get(key)
    if cached is not None and cached.expires_at - _REFRESH_MARGIN_S > time.time():
        return cached.access_token
    response = await client.post(
        f"{server}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
    )
    if response.status_code != 200:
        _TOKENS.pop(key, None)
        raise PrismaticApiError(
            f"prismatic {action}: the refresh token was refused by {server} "
            f"({response.status_code}: {error_text(response)}); create a new one with "
            "`splice me:token --type refresh` and update the connection"
        )
    body = response.json()
    token = _Token(str(body["access_token"]), time.time() + float(body.get("expires_in") or 0))
    _TOKENS[key] = token
    return token.access_token


def error_text(response: httpx.Response) -> str:
    """The most telling message of an error response."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, Mapping):
        for name in ("error_description", "detail", "message", "error"):
            if body.get(name):
                return str(body[name])
        if body.get("errors"):
            return graphql_errors(body["errors"])
    return response.text[:300]


def graphql_errors(errors: Any) -> str:
    """GraphQL ``errors`` as one line."""
    if not isinstance(errors, list):
        return str(errors)
    return "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors)
