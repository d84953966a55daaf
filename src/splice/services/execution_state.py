"""Persisted data for the ``persist-data`` actions, stored in ``state_values``.

Scopes follow Prismatic: ``instance``/``flow`` is per instance and flow (Prismatic's
instanceState is flow-scoped), ``crossFlow`` is shared by the instance's flows, ``integration``
by every instance of the integration, and ``execution`` lives only as long as one run.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select

from splice.errors import InvalidInput
from splice.store.db import Database
from splice.store.tables import Instance, StateValue

__all__ = ["StoreState"]

SCOPES = ("instance", "flow", "crossFlow", "integration", "execution")


class StoreState:
    """The engine's StateStore for one run of one flow of one instance."""

    def __init__(self, db: Database, instance_id: uuid.UUID, flow_name: str) -> None:
        self._db = db
        self._instance_id = instance_id
        self._flow_name = flow_name
        self._execution: dict[str, Any] = {}
        self._integration_id: uuid.UUID | None = None

    async def _owner(self, scope: str) -> tuple[str, dict[str, Any]]:
        if scope in ("instance", "flow"):
            return f"{self._instance_id}/{self._flow_name}", {"instance_id": self._instance_id}
        if scope == "crossFlow":
            return str(self._instance_id), {"instance_id": self._instance_id}
        if scope == "integration":
            if self._integration_id is None:
                async with self._db.session() as session:
                    instance = await session.get(Instance, self._instance_id)
                    assert instance is not None
                    self._integration_id = instance.integration_id
            return str(self._integration_id), {"integration_id": self._integration_id}
        raise InvalidInput(f"unknown state scope {scope!r}", fix="use one of " + ", ".join(SCOPES))

    async def get(self, scope: str, key: str) -> Any:
        if scope == "execution":
            return self._execution.get(key)
        owner, _ = await self._owner(scope)
        async with self._db.session() as session:
            row = (
                await session.execute(
                    select(StateValue.value).where(
                        StateValue.scope == _stored(scope),
                        StateValue.owner == owner,
                        StateValue.key == key,
                    )
                )
            ).scalar_one_or_none()
            return row

    async def set(self, scope: str, key: str, value: Any) -> None:
        if scope == "execution":
            self._execution[key] = value
            return
        owner, links = await self._owner(scope)
        async with self._db.session() as session:
            row = (
                await session.execute(
                    select(StateValue).where(
                        StateValue.scope == _stored(scope),
                        StateValue.owner == owner,
                        StateValue.key == key,
                    )
                )
            ).scalar_one_or_none()
            if row is None:
                session.add(
                    StateValue(scope=_stored(scope), owner=owner, key=key, value=value, **links)
                )
            else:
                row.value = value
            await session.commit()

    async def delete(self, scope: str, key: str) -> None:
        if scope == "execution":
            self._execution.pop(key, None)
            return
        owner, _ = await self._owner(scope)
        async with self._db.session() as session:
            await session.execute(
                delete(StateValue).where(
                    StateValue.scope == _stored(scope),
                    StateValue.owner == owner,
                    StateValue.key == key,
                )
            )
            await session.commit()

    async def keys(self, scope: str) -> list[str]:
        if scope == "execution":
            return sorted(self._execution)
        owner, _ = await self._owner(scope)
        async with self._db.session() as session:
            rows = await session.execute(
                select(StateValue.key)
                .where(StateValue.scope == _stored(scope), StateValue.owner == owner)
                .order_by(StateValue.key)
            )
            return list(rows.scalars())


def _stored(scope: str) -> str:
    return "flow" if scope == "instance" else scope
