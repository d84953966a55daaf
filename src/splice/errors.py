"""Splice's error tree. Adapters map ``UserError`` to HTTP 4xx, a GraphQL ``field`` error or CLI exit 2.

SpliceError                 anything Splice raises on purpose
├── UserError               the caller can fix it; carries subject, location (field) and fix
│   ├── InvalidInput        a value is malformed or out of range
│   ├── NotFound            an ID or key names nothing the caller may see
│   ├── Conflict            a uniqueness or state rule forbids it (duplicate name, published version)
│   ├── PermissionDenied    the caller's role does not allow it
│   ├── NotAuthenticated    no or bad credentials
│   ├── PayloadTooLarge     an upload or request body is over the limit
│   └── DefinitionError     a YAML definition cannot be parsed or is unsupported
└── InternalError           Splice failed; never the caller's fault
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "DefinitionError",
    "InternalError",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "SpliceError",
    "UserError",
]


class SpliceError(Exception):
    """Base of every error Splice raises on purpose."""


class UserError(SpliceError):
    """An error the caller caused and can fix.

    ``field`` names the input at fault (``"__all__"`` when none does) and ``fix`` says how to
    fix it; ``str()`` gives the one-line message shown to people.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        field: str = "__all__",
        fix: str | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        self.message = message
        self.field = field
        self.fix = fix
        self.details = details
        super().__init__(self.text)

    @property
    def messages(self) -> list[str]:
        """One line per problem: the details when there are several, else the text."""
        return list(self.details) or [self.text]

    @property
    def text(self) -> str:
        """The message followed by the fix, when there is one."""
        return f"{self.message} ({self.fix})" if self.fix else self.message


class InvalidInput(UserError):
    """A value is malformed or out of range."""


class NotFound(UserError):
    """An ID or key names nothing the caller may see."""

    status_code = 404

    def __init__(self, kind: str, ident: str, *, field: str = "id", fix: str | None = None) -> None:
        super().__init__(f"{kind} not found: {ident}", field=field, fix=fix)


class Conflict(UserError):
    """A uniqueness or state rule forbids the change."""

    status_code = 409


class PermissionDenied(UserError):
    """The caller's role does not allow the operation."""

    status_code = 403


class NotAuthenticated(UserError):
    """Credentials are missing, malformed, expired or revoked."""

    status_code = 401


class PayloadTooLarge(UserError):
    """A request body or upload exceeds its size limit."""

    status_code = 413


class DefinitionError(UserError):
    """A YAML definition cannot be parsed, or uses an unsupported format."""


class InternalError(SpliceError):
    """Splice itself failed; the caller cannot fix it."""
