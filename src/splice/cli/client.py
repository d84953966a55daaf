"""GraphQL over HTTP to ``<base>/api``, with prism's token refresh and response rules (contract §1-2).

The HTTP transport is a constructor argument, so tests pass ``httpx.MockTransport`` or an
ASGI app and never touch the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from typing import Any

import click
import httpx

from splice.cli.config import save_config
from splice.cli.credentials import Credentials, refresh_due
from splice.cli.errors import CLIError, GraphQLError, NotLoggedIn

__all__ = ["NOT_AUTHENTICATED", "SpliceClient", "payload_error_lines"]

NOT_AUTHENTICATED = "Not authenticated. Run 'splice login' or select another profile."
_Json = dict[str, Any]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def payload_error_lines(data: _Json) -> list[str]:
    """Lines ``field: message`` for each mutation payload whose ``errors`` list is non-empty."""
    lines: list[str] = []
    for value in data.values():
        errors = value.get("errors") if isinstance(value, dict) else None
        if not isinstance(errors, list):
            continue
        for error in errors:
            if not isinstance(error, dict):
                continue
            messages = "\n".join(str(m) for m in error.get("messages") or [])
            field = error.get("field")
            lines.append(messages if field in (None, "__all__") else f"{field}: {messages}")
    return lines


class SpliceClient:
    """One command's connection to a Splice server: tokens, GraphQL and plain HTTP calls."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        transport: httpx.BaseTransport | None = None,
        now: Callable[[], float],
        timeout: float = 30.0,
        print_requests: bool = False,
    ) -> None:
        self.credentials = credentials
        self._now = now
        self._print_requests = print_requests
        self._http = httpx.Client(
            transport=transport, timeout=timeout, headers={"User-Agent": "splice-cli"}
        )

    @property
    def base_url(self) -> str:
        """The server's base URL, without a trailing slash."""
        return self.credentials.base_url.rstrip("/")

    def url(self, path: str) -> str:
        """An absolute URL for ``path`` (already absolute URLs are returned unchanged)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one HTTP request; network failures become a ``CLIError`` naming the URL."""
        url = self.url(path)
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.ConnectError as exc:
            raise CLIError(
                f"Could not connect to the Splice server at {url} ({exc})",
                fix="start it with 'splice server', or choose another server with "
                "'splice login --url URL' or SPLICE_URL",
            ) from exc
        except httpx.HTTPError as exc:
            raise CLIError(f"Request to {url} failed: {exc}") from exc

    def access_token(self) -> str:
        """The access token to send, refreshed first when it expires within 300 s."""
        if refresh_due(self.credentials, self._now()):
            self.refresh()
        if not self.credentials.access_token:
            raise NotLoggedIn(
                "Not logged in: no access token",
                fix="run 'splice login' or set SPLICE_ACCESS_TOKEN",
            )
        return self.credentials.access_token

    def refresh(self) -> None:
        """Trade the refresh token for a new access token (saved back in profile mode)."""
        meta = self._json(self.send("GET", "/auth/meta"), "/auth/meta")
        form = {
            "grant_type": "refresh_token",
            "client_id": str(meta.get("clientId") or ""),
            "refresh_token": self.credentials.refresh_token,
        }
        answer = self._json(
            self.send("POST", "/oauth/token", data=form), "/oauth/token", any_status=True
        )
        token = answer.get("access_token")
        if answer.get("error") or not isinstance(token, str) or not token:
            detail = answer.get("error_description") or answer.get("error") or "no access_token"
            raise NotLoggedIn(
                f"Access denied. Could not refresh the access token: {detail}",
                fix="run 'splice login' again",
            )
        self.credentials.access_token = token
        config, name = self.credentials.config, self.credentials.profile
        if config is not None and name is not None and name in config.profiles:
            config.profiles[name] = replace(
                config.profiles[name],
                access_token=token,
                expires_in=int(answer.get("expires_in") or 0),
                scope=str(answer.get("scope") or ""),
                token_type=str(answer.get("token_type") or "Bearer"),
            )
            save_config(config)

    def _json(self, response: httpx.Response, what: str, *, any_status: bool = False) -> _Json:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or (response.is_error and not any_status):
            raise CLIError(
                f"{self.url(what)} answered {response.status_code} {_reason(response.status_code)}",
                fix="check that the URL points at a Splice server",
            )
        return body

    def graphql(self, query: str, variables: _Json | None = None) -> _Json:
        """Run one GraphQL operation and return ``data`` (contract §2.2 decides success)."""
        headers = {"Authorization": f"Bearer {self.access_token()}"}
        body = {"query": query, "variables": variables or {}}
        if self._print_requests:
            click.echo(f"{query}\nvariables: {json.dumps(body['variables'])}", err=True)
        response = self.send("POST", "/api", json=body, headers=headers)
        status = response.status_code
        lines: list[str] = []
        if status == 401:
            lines.append(NOT_AUTHENTICATED)
        elif status != 200:
            lines.append(_reason(status))
        try:
            answer = response.json()
        except ValueError:
            raise GraphQLError([*lines, f"Failed to parse response: {_reason(status)}"]) from None
        data = answer.get("data") if isinstance(answer, dict) else None
        if not data or not isinstance(data, dict):
            errors = answer.get("errors") if isinstance(answer, dict) else None
            for error in errors if isinstance(errors, list) else []:
                if isinstance(error, dict) and error.get("message"):
                    lines.append(str(error["message"]))
            raise GraphQLError(lines or [f"GraphQL Error (Code: {status})"])
        payload_lines = payload_error_lines(data)
        if payload_lines:
            raise GraphQLError(payload_lines)
        return data

    def paginate(
        self,
        query: str,
        variables: _Json,
        connection: Callable[[_Json], _Json | None],
        *,
        first_after: str | None = "",
    ) -> list[_Json]:
        """Fetch every page (``after`` = previous ``endCursor``) and return all nodes."""
        page_vars = dict(variables)
        if first_after is not None:
            page_vars["after"] = first_after
        nodes: list[_Json] = []
        while True:
            conn = connection(self.graphql(query, page_vars))
            if conn is None:
                return nodes
            nodes.extend(conn.get("nodes") or [])
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return nodes
            cursor = info.get("endCursor")
            if not cursor or cursor == page_vars.get("after"):
                raise CLIError("The server said there are more pages but gave no new endCursor")
            page_vars["after"] = cursor

    def mutation_id(self, query: str, variables: _Json, field: str, obj: str) -> str:
        """Run a mutation and return ``data[field][obj].id`` (what create/update commands print)."""
        payload = self.graphql(query, variables).get(field) or {}
        target = payload.get(obj) if isinstance(payload, dict) else None
        if not isinstance(target, dict) or not target.get("id"):
            raise CLIError(f"{field} returned no {obj}; the server did not make the change")
        return str(target["id"])
