"""Group commit: concurrent writes share transactions, each caller returns after its commit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.services import Services
from splice.services.group_commit import GroupCommit
from splice.store.tables import Organization


def adding(name: str, *, fail: bool = False) -> Callable[[AsyncSession], Awaitable[str]]:
    async def work(session: AsyncSession) -> str:
        if fail:
            raise ValueError(f"{name} is refused")
        session.add(Organization(name=name))
        return name

    return work


async def count(services: Services, prefix: str) -> int:
    async with services.db.session() as session:
        found = await session.execute(
            select(func.count()).select_from(Organization).where(Organization.name.like(prefix))
        )
        return int(found.scalar_one())


async def test_concurrent_writes_share_transactions_and_are_committed_on_return(
    services: Services,
) -> None:
    commits: list[int] = []
    event.listen(services.db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    group = GroupCommit(services.db)
    names = [f"group-{n}" for n in range(20)]
    done = await asyncio.gather(*(group.run(adding(name)) for name in names))
    assert done == names
    assert await count(services, "group-%") == 20
    assert 1 <= len(commits) < 20  # the first alone, the rest together


async def test_a_failing_write_fails_only_its_caller(services: Services) -> None:
    group = GroupCommit(services.db)
    outcomes = await asyncio.gather(
        group.run(adding("keep-1")),
        group.run(adding("keep-2")),
        group.run(adding("bad", fail=True)),
        group.run(adding("keep-3")),
        return_exceptions=True,
    )
    assert outcomes[:2] == ["keep-1", "keep-2"]
    assert outcomes[3] == "keep-3"
    assert isinstance(outcomes[2], ValueError)
    assert await count(services, "keep-%") == 3
    with pytest.raises(ValueError, match="refused"):
        await group.run(adding("bad-alone", fail=True))
