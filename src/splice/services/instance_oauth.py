"""OAuth 2.0 authorization code for instances' connections (a user authorizes in a browser):
the authorize URL, the callback that stores the token, and refreshing tokens before runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from splice.errors import NotFound
from splice.services import config_values as cv_rules
from splice.services import oauth_code
from splice.services.instance_core import InstanceCore, _clean_values
from splice.store.repositories import instances as repo
from splice.store.tables import Instance, InstanceConfigValue

__all__ = ["InstanceOAuth"]


class InstanceOAuth(InstanceCore):
    """OAuth 2.0 authorization code (connections a user authorizes in a browser)."""

    def callback_url(self, base_url: str | None = None) -> str:
        """Where the OAuth provider sends the user back (``/oauth2/callback``)."""
        return oauth_code.callback_url(self._base_url(base_url))

    def authorization_url(
        self, instance_id: uuid.UUID, key: str, fields: Mapping[str, Any]
    ) -> str | None:
        """The provider URL that starts authorizing a connection; ``state`` is sealed."""
        target = {"instance": str(instance_id), "key": key}
        return oauth_code.authorize_url(self.box, self.callback_url(), target, fields)

    async def complete_authorization(self, state: str, code: str) -> str:
        """Exchange an authorization code for a token, store it (encrypted) where ``state`` says.

        No actor: the provider redirects the user's browser here; the sealed ``state`` (valid
        for an hour) names an instance's config variable or a scoped connection's value.
        Returns what was authorized, for the page the user sees.
        """
        data = oauth_code.open_state(self.box, state)
        async with self._db.session() as session:
            if "scoped" in data:
                what = await self.connections.complete_scoped_authorization(
                    session, data, code, self.callback_url(), self.http_transport
                )
                await session.commit()
                return what
            instance = await session.get(Instance, uuid.UUID(data["instance"]))
            if instance is None:
                raise NotFound("instance", data["instance"], field="state")
            _, _, definition = await self._definition_of(session, instance)
            cv = next((c for c in cv_rules.declared(definition) if c["key"] == data["key"]), None)
            if cv is None or not cv_rules.uses_authorization_code(cv, self._registry):
                raise NotFound("OAuth connection", data["key"], field="state")
            rows = await repo.config_values(session, instance.id)
            row = rows.get(data["key"])
            fields = cv_rules.connection_fields(cv, _clean_values(row), self._registry, self.box)
            token = await oauth_code.exchange_code(
                fields, code, self.callback_url(), self.http_transport
            )
            value = cv_rules.with_token(_clean_values(row), token, self.box)
            if row is None:
                row = InstanceConfigValue(instance_id=instance.id, key=data["key"])
                session.add(row)
            row.values = value.values
            row.value = None
            await session.commit()
            return f"the connection '{data['key']}' of instance '{instance.name}'"

    async def _refresh_expiring_tokens(
        self, session: AsyncSession, instance: Instance, definition: Mapping[str, Any]
    ) -> bool:
        """Refresh the instance's OAuth tokens that expire soon, before a run needs them.

        True when a token was replaced (scoped connections' tokens: ``obtain_tokens``).
        """
        rows = await repo.config_values(session, instance.id)
        changed = False
        for cv in cv_rules.declared(definition):
            row = rows.get(cv["key"])
            if row is None:
                continue
            fresh = await oauth_code.refreshed(
                cv, _clean_values(row), self._registry, self.box, self.http_transport
            )
            if fresh is not None:
                row.values = fresh.values
                changed = True
        return changed
