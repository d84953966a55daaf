"""What every resolver receives in ``info.context``."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request

from splice.services import Services
from splice.services.authz import Actor

__all__ = ["GraphQLContext"]


@dataclass(frozen=True)
class GraphQLContext:
    """The request, the service bundle and the authenticated caller."""

    request: Request
    services: Services
    actor: Actor
    submit: Callable[[uuid.UUID], Awaitable[None]]

    @property
    def base_url(self) -> str:
        """The server's public base URL (for testUrl, resultsUrl and download links)."""
        configured = self.services.settings.server.public_url
        return configured.rstrip("/") if configured else str(self.request.base_url).rstrip("/")
