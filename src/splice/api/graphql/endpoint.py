"""``/api``: GraphiQL for browsers (GET) and the GraphQL endpoint (POST) with the prism error policy.

Policy (prism contract §2.3): a missing or bad token is HTTP 401 with ``errors`` and no ``data``;
any error in an operation makes ``data`` null; mutations report user errors inside their payload.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ariadne import graphql
from ariadne.explorer import ExplorerGraphiQL
from graphql import GraphQLError, GraphQLSchema
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from splice.api.graphql.context import GraphQLContext
from splice.api.graphql.limits import size_limit_rule
from splice.errors import NotAuthenticated, UserError
from splice.services import Services

__all__ = ["GraphQLEndpoint"]

log = logging.getLogger(__name__)

# Ariadne logs every resolver error with its traceback; user errors are not server faults, and
# format_error already logs the unexpected ones with a reference, so Ariadne's copy is dropped.
_ariadne_errors = logging.getLogger(f"{__name__}.ariadne")
_ariadne_errors.addHandler(logging.NullHandler())
_ariadne_errors.propagate = False


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """User errors carry their field; anything else is logged and reported without internals."""
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    if isinstance(original, UserError):
        formatted["message"] = original.text
        formatted["extensions"] = {"field": original.field, "code": type(original).__name__}
    elif original is not None:
        reference = uuid.uuid4().hex[:12]
        log.error("GraphQL resolver failed (reference %s)", reference, exc_info=original)
        formatted["message"] = f"internal server error (reference {reference})"
    return formatted


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (prism sends ``Bearer undefined`` when unset)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or token in ("", "undefined", "null"):
        return None
    return token


def unauthorized(message: str) -> JSONResponse:
    """The 401 answer the prism CLI turns into "Not authenticated ..."."""
    return JSONResponse({"errors": [{"message": message}]}, status_code=401)


class GraphQLEndpoint:
    """Serves GraphQL over HTTP against one schema and one service bundle."""

    def __init__(
        self,
        schema: GraphQLSchema,
        services: Services,
        submit: Callable[[uuid.UUID], Awaitable[None]],
    ) -> None:
        self._schema = schema
        self._services = services
        self._submit = submit
        limits = services.settings.limits
        self._rules = [size_limit_rule(limits.graphql_depth, limits.graphql_fields)]
        self._explorer = ExplorerGraphiQL(title="Splice GraphQL")

    async def get(self, request: Request) -> Response:
        """GraphiQL for people exploring the API in a browser."""
        return HTMLResponse(self._explorer.html(None) or "")

    async def post(self, request: Request) -> Response:
        """Authenticate, execute, and apply the error policy."""
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": "the request body is not JSON; send "
                            '{"query": "...", "variables": {...}}'
                        }
                    ]
                },
                status_code=400,
            )
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return JSONResponse(
                {"errors": [{"message": 'the body needs a "query" string'}]}, status_code=400
            )
        token = bearer_token(request)
        if token is None:
            return unauthorized("Not authenticated: send 'Authorization: Bearer <access token>'")
        try:
            actor = await self._services.auth.authenticate(token)
        except NotAuthenticated as exc:
            return unauthorized(exc.text)
        if body.get("variables") is None:
            body["variables"] = {}
        _, result = await graphql(
            self._schema,
            body,
            context_value=GraphQLContext(request, self._services, actor, self._submit),
            validation_rules=self._rules,
            error_formatter=format_error,
            logger=_ariadne_errors,
            debug=False,
        )
        if result.get("errors") and "data" in result:
            result["data"] = None
        return JSONResponse(result)
