"""One way for tests to call Splice's GraphQL API over an httpx client with a bearer token."""

from __future__ import annotations

from typing import Any

import httpx


async def graphql_body(
    http: httpx.AsyncClient, token: str, query: str, **variables: Any
) -> dict[str, Any]:
    """The whole answer (``data`` and ``errors``) of one request, which must be HTTP 200."""
    response = await http.post(
        "/api",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def graphql_data(
    http: httpx.AsyncClient, token: str, query: str, **variables: Any
) -> dict[str, Any]:
    """The ``data`` of one request that must answer without GraphQL errors."""
    body = await graphql_body(http, token, query, **variables)
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data
