"""The run's view of persisted state: the ``execution`` scope lives in memory for one run,
every other scope goes to the ``StateStore`` the run was given."""

from __future__ import annotations

from typing import Any

from splice.components.context import StateStore

__all__ = ["RunState"]


class RunState:
    """A ``StateStore`` that keeps ``execution`` values itself and delegates the rest."""

    __slots__ = ("_execution", "_store")

    def __init__(self, store: StateStore) -> None:
        self._store = store
        self._execution: dict[str, Any] = {}

    async def get(self, scope: str, key: str) -> Any:
        if scope == "execution":
            return self._execution.get(key)
        return await self._store.get(scope, key)

    async def set(self, scope: str, key: str, value: Any) -> None:
        if scope == "execution":
            self._execution[key] = value
        else:
            await self._store.set(scope, key, value)

    async def delete(self, scope: str, key: str) -> None:
        if scope == "execution":
            self._execution.pop(key, None)
        else:
            await self._store.delete(scope, key)

    async def keys(self, scope: str) -> list[str]:
        if scope == "execution":
            return list(self._execution)
        return await self._store.keys(scope)
