"""OAuth 2.0 authorization code: the one flow for instance and scoped connections (§5.3).

A user opens ``authorize_url``; the provider sends the browser back to ``/oauth2/callback`` with
a code and our sealed ``state`` (ADR 0004: tamper-proof, valid for ``STATE_TTL_SECONDS``),
which names where the token goes: an instance's config variable, or a scoped connection's value
(global, a customer's, or its test value). ``exchange_code`` turns the code into a token and
``refreshed`` renews one that expires within ``REFRESH_MARGIN``, before a run needs it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from splice.components.registry import Registry
from splice.errors import InvalidInput
from splice.services import config_values as cv_rules
from splice.services.client_credentials import expires_soon, post_token_form
from splice.services.secrets import SecretBox

__all__ = [
    "STATE_TTL_SECONDS",
    "authorize_url",
    "callback_url",
    "exchange_code",
    "expiring",
    "open_state",
    "refreshed",
    "token_request",
]

STATE_TTL_SECONDS = 3600
log = logging.getLogger(__name__)


def callback_url(base_url: str) -> str:
    """Where the provider sends the user back: the server's ``/oauth2/callback``."""
    return f"{base_url.rstrip('/')}/oauth2/callback"


def authorize_url(
    box: SecretBox, callback_url: str, target: Mapping[str, Any], fields: Mapping[str, Any]
) -> str | None:
    """The provider URL that starts an authorization; ``target`` is sealed into ``state``."""
    authorize = str(fields.get("authorizeUrl") or "")
    if not authorize:
        return None
    query = urlencode(
        {
            "response_type": "code",
            "client_id": str(fields.get("clientId") or ""),
            "redirect_uri": callback_url,
            "scope": str(fields.get("scopes") or ""),
            "state": box.seal(json.dumps(dict(target))),
        }
    )
    return f"{authorize}{'&' if '?' in authorize else '?'}{query}"


def open_state(box: SecretBox, state: str) -> dict[str, Any]:
    """The target a sealed ``state`` names; InvalidInput when forged or expired."""
    opened = box.unseal(state, ttl=STATE_TTL_SECONDS) if state else None
    if opened is None:
        raise InvalidInput(
            "the authorization state is invalid or expired",
            field="state",
            fix="start the authorization again from the connection's authorizeUrl",
        )
    data: dict[str, Any] = json.loads(opened)
    return data


def expiring(token: Mapping[str, Any]) -> bool:
    """True when a token with a refresh token expires within the refresh margin."""
    return bool(token.get("refresh_token")) and expires_soon(token) is True


async def token_request(
    token_url: str, form: Mapping[str, str], transport: httpx.AsyncBaseTransport | None
) -> dict[str, Any]:
    """POST a token request (form body) and return the token; InvalidInput when refused."""
    try:
        response, token = await post_token_form(token_url, form, transport)
    except httpx.HTTPError as exc:
        raise InvalidInput(
            f"the token endpoint {token_url} could not be reached: {exc}",
            field="code",
            fix="check the connection's tokenUrl",
        ) from exc
    if token is None:
        raise InvalidInput(
            f"the token endpoint answered {response.status_code} without an access_token",
            field="code",
            fix="check the connection's client ID, secret and token URL, then authorize again",
        )
    return token


async def exchange_code(
    fields: Mapping[str, Any],
    code: str,
    callback_url: str,
    transport: httpx.AsyncBaseTransport | None,
) -> dict[str, Any]:
    """The token the provider grants for an authorization code."""
    token_url = str(fields.get("tokenUrl") or "")
    if not token_url or not code:
        raise InvalidInput(
            "the connection has no tokenUrl, or the provider sent no code",
            field="code",
            fix="set the connection's tokenUrl and authorize again",
        )
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback_url,
        "client_id": str(fields.get("clientId") or ""),
        "client_secret": str(fields.get("clientSecret") or ""),
    }
    return await token_request(token_url, form, transport)


async def refreshed(
    cv: Mapping[str, Any],
    value: cv_rules.CleanValue | None,
    registry: Registry,
    box: SecretBox,
    transport: httpx.AsyncBaseTransport | None,
) -> cv_rules.CleanValue | None:
    """The value with its token renewed when it expires soon; None when nothing changed.

    A failed refresh keeps the old token (the run may still succeed) and is logged without any
    secret.
    """
    token = cv_rules.connection_token(value, box)
    if token is None or not expiring(token):
        return None
    fields = cv_rules.connection_fields(cv, value, registry, box)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": str(token.get("refresh_token") or ""),
        "client_id": str(fields.get("clientId") or ""),
        "client_secret": str(fields.get("clientSecret") or ""),
    }
    try:
        fresh = await token_request(str(fields.get("tokenUrl") or ""), form, transport)
    except InvalidInput as exc:
        log.warning("refreshing the OAuth token of %r failed: %s", cv.get("key"), exc.message)
        return None
    fresh.setdefault("refresh_token", token.get("refresh_token"))
    return cv_rules.with_token(value, fresh, box)
