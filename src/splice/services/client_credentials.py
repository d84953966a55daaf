"""OAuth 2.0 client credentials: Splice obtains a connection's token itself (no user redirect).

A client-credentials connection (runtime-semantics §5.3) has ``tokenUrl``, ``clientId``,
``clientSecret`` and ``scopes``. Its token is requested at deploy and whenever a run finds it
missing or expiring within ``REFRESH_MARGIN`` (the margin authorization-code tokens are
refreshed with), then stored encrypted beside the inputs, so runs get ``connection.token``.
A refused request is recorded on the connection (status ERROR) with a message that names the
connection and the token endpoint's answer, never a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from splice import clock
from splice.components.registry import Registry
from splice.errors import InvalidInput
from splice.services import config_values as cv_rules
from splice.services.secrets import MASK, SecretBox

__all__ = [
    "REFRESH_MARGIN",
    "TokenRequestFailed",
    "ensure_token",
    "expires_soon",
    "needs_token",
    "post_token_form",
    "request_token",
]

REFRESH_MARGIN = timedelta(minutes=5)
TIMEOUT_S = 30.0
ANSWER_CHARS = 200
log = logging.getLogger(__name__)


class TokenRequestFailed(InvalidInput):
    """The token endpoint refused or could not be reached; the message holds no secret."""


def expires_soon(token: Mapping[str, Any]) -> bool | None:
    """Whether a token expires within ``REFRESH_MARGIN``; None when its expiry is unknown.

    Authorization-code and client-credentials tokens share this reading of ``obtained_at`` and
    ``expires_in``; each caller decides what an unknown expiry means for it.
    """
    if not token.get("expires_in"):
        return False
    try:
        obtained = datetime.fromisoformat(str(token.get("obtained_at")).replace("Z", "+00:00"))
        lifetime = timedelta(seconds=float(token["expires_in"]))
    except (TypeError, ValueError):
        return None
    return clock.now() >= obtained + lifetime - REFRESH_MARGIN


def needs_token(token: Mapping[str, Any] | None) -> bool:
    """True when there is no token, or it expires within the refresh margin."""
    return token is None or expires_soon(token) is not False


def _answer(response: httpx.Response, secrets: list[str]) -> str:
    """The token endpoint's answer in one line: its OAuth error, or the start of its body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        text = str(body["error"])
        if body.get("error_description"):
            text += f" ({body['error_description']})"
    elif isinstance(body, dict):
        text = "a JSON object without access_token"
    else:
        text = " ".join(response.text.split())[:ANSWER_CHARS] or "an empty body"
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


async def request_token(
    key: str, fields: Mapping[str, Any], transport: httpx.AsyncBaseTransport | None
) -> dict[str, Any]:
    """POST a client-credentials grant to the connection's ``tokenUrl`` and return the token."""
    token_url = str(fields.get("tokenUrl") or "")
    fix = "check the connection's token URL, client ID, client secret and scopes"
    if not token_url.lower().startswith(("http://", "https://")):
        raise TokenRequestFailed(
            f"connection '{key}': the token URL {token_url!r} is not an http(s) URL",
            field="configVariables",
            fix=fix,
        )
    secret = str(fields.get("clientSecret") or "")
    form = {
        "grant_type": "client_credentials",
        "client_id": str(fields.get("clientId") or ""),
        "client_secret": secret,
    }
    if fields.get("scopes"):
        form["scope"] = str(fields["scopes"])
    try:
        response, token = await post_token_form(token_url, form, transport)
    except httpx.HTTPError as exc:
        raise TokenRequestFailed(
            f"connection '{key}': the token endpoint {token_url} could not be reached "
            f"({type(exc).__name__})",
            field="configVariables",
            fix=fix,
        ) from exc
    if token is None:
        raise TokenRequestFailed(
            f"connection '{key}': the token endpoint {token_url} answered "
            f"{response.status_code}: {_answer(response, [secret])}",
            field="configVariables",
            fix=fix,
        )
    return token


async def post_token_form(
    token_url: str, form: Mapping[str, str], transport: httpx.AsyncBaseTransport | None
) -> tuple[httpx.Response, dict[str, Any] | None]:
    """POST an OAuth token request: the answer, and the token it granted (with
    ``obtained_at``) or None. Raises ``httpx.HTTPError`` when the endpoint cannot be reached."""
    async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT_S) as http:
        response = await http.post(token_url, data=form, headers={"Accept": "application/json"})
    try:
        token = response.json()
    except ValueError:
        token = None
    if response.status_code >= 400 or not isinstance(token, dict) or "access_token" not in token:
        return response, None
    token.setdefault("obtained_at", clock.to_iso(clock.now()))
    return response, token


async def ensure_token(
    cv: Mapping[str, Any],
    stored: cv_rules.CleanValue | None,
    registry: Registry,
    box: SecretBox,
    transport: httpx.AsyncBaseTransport | None,
) -> cv_rules.CleanValue | None:
    """The connection value with a fresh token or a recorded error; None when nothing changed.

    Only client-credentials connections whose token is missing or expiring are touched, and
    only once their token URL and client ID are set (until then they are simply unconfigured).
    """
    if not cv_rules.uses_client_credentials(cv, registry):
        return None
    if not needs_token(cv_rules.connection_token(stored, box)):
        return None
    fields = cv_rules.connection_fields(cv, stored, registry, box)
    if not fields.get("tokenUrl") or not fields.get("clientId"):
        return None
    try:
        token = await request_token(str(cv["key"]), fields, transport)
    except TokenRequestFailed as exc:
        log.warning("client-credentials token request failed: %s", exc.message)
        return cv_rules.with_error(stored, exc.message, box)
    return cv_rules.with_token(stored, token, box)
