"""One GraphQL call to ``<server>/api`` per action, and how actions are declared.

Every action returns ``{status, data}``: the HTTP status and the GraphQL ``data`` (for
``rawRequest`` the whole body ``{data}``, as exports read ``<step>.results.data.data.<field>``).
An HTTP error, a GraphQL error or a mutation's ``errors`` fail the step naming the action.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from splice.components.builtin._support import to_text
from splice.components.builtin.prismatic.connection import (
    PrismaticApiError,
    access_token,
    connection_fields,
    error_text,
    forget,
    graphql_errors,
    server_url,
)
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError
from splice.components.manifest import InputManifest

__all__ = ["MUTATION_ERRORS", "ActionDecl", "call", "required", "update"]

MUTATION_ERRORS = "errors { field messages }"

Run = Callable[[ActionContext, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ActionDecl:
    """One action as data: the package registers every declaration on the component."""

    key: str
    label: str
    description: str
    inputs: tuple[InputManifest, ...]
    run: Run


async def call(
    ctx: ActionContext,
    inputs: Mapping[str, Any],
    action: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    payload: str | None = None,
    whole_body: bool = False,
) -> dict[str, Any]:
    """POST ``query`` to ``<server>/api``; ``payload`` names a mutation field whose ``errors``
    fail the step; ``whole_body`` returns the response body as ``data``."""
    refresh, override = connection_fields(inputs.get("connection"))
    if not refresh:
        raise InputValueError("has no refresh token", "connection")
    server = server_url(ctx, override)
    body = {"query": query, "variables": dict(variables or {})}
    async with ctx.http_client(timeout=60) as client:
        token = await access_token(client, server, refresh, action)
        response = await client.post(
            f"{server}/api", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    if response.status_code == 401:  # the next step exchanges the refresh token again
        forget(server, refresh)
    if response.status_code >= 400:
        raise PrismaticApiError(
            f"prismatic {action}: {server}/api answered {response.status_code}: "
            f"{error_text(response)}"
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise PrismaticApiError(f"prismatic {action}: {server}/api did not answer JSON") from exc
    if answer.get("errors"):
        raise PrismaticApiError(f"prismatic {action}: {graphql_errors(answer['errors'])}")
    data = answer.get("data")
    if payload is not None and isinstance(data, Mapping):
        _raise_payload_errors(action, data.get(payload))
    return {"status": response.status_code, "data": answer if whole_body else data}


def _raise_payload_errors(action: str, result: Any) -> None:
    errors = result.get("errors") if isinstance(result, Mapping) else None
    if errors:
        shown = "; ".join(
            f"{e.get('field')}: {', '.join(map(str, e.get('messages') or []))}"
            for e in errors
            if isinstance(e, Mapping)
        )
        raise PrismaticApiError(f"prismatic {action}: {shown}")


def required(inputs: Mapping[str, Any], key: str) -> str:
    """A required text input, trimmed; empty fails naming the input."""
    value = to_text(inputs.get(key)).strip()
    if not value:
        raise InputValueError("is required", key)
    return value


async def update(
    ctx: ActionContext,
    inputs: Mapping[str, Any],
    action: str,
    id_key: str,
    noun: str,
    fields: str,
) -> dict[str, Any]:
    """``update<Noun>`` with the name and description that are set."""
    changes = {k: to_text(inputs.get(k)) for k in ("name", "description")}
    changes = {k: v for k, v in changes.items() if v}
    declared = "".join(f", ${k}: String" for k in changes)
    passed = "".join(f", {k}: ${k}" for k in changes)
    query = (
        f"mutation {action}($id: ID!{declared}) {{ {action}(input: {{id: $id{passed}}}) "
        f"{{ {noun} {{ {fields} }} {MUTATION_ERRORS} }} }}"
    )
    variables = {"id": required(inputs, id_key), **changes}
    return await call(ctx, inputs, action, query, variables, payload=action)
