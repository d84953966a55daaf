"""The CLI's user-facing failure: ``main`` turns every ``UserError`` into one message and exit 2."""

from __future__ import annotations

from splice.errors import UserError

__all__ = ["CLIError", "GraphQLError", "NotLoggedIn"]


class CLIError(UserError):
    """A failure the person at the terminal can fix (bad flag value, unreachable server ...)."""


class NotLoggedIn(CLIError):
    """No usable credentials, or the server refused them (HTTP 401)."""


class GraphQLError(CLIError):
    """The server answered a GraphQL request with errors (top-level or in a mutation payload)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))
