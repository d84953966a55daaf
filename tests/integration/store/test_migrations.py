"""The migration chain on SQLite and PostgreSQL: up, down, up again, and no drift from the models."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from splice.store.db import Database
from splice.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from splice.store.tables import Base


async def _downgrade_to_base(db: Database) -> None:
    def run(connection: Any) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    async with db.engine.begin() as connection:
        await connection.run_sync(run)


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_chain_upgrades_downgrades_and_upgrades_again(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert await current_revision(db) is None
        await upgrade_to_head(db)
        assert await current_revision(db) == head_revision()
        assert set(Base.metadata.tables) <= await _tables(db)
        await _downgrade_to_base(db)
        assert await _tables(db) <= {"alembic_version"}
        await upgrade_to_head(db)
        assert await current_revision(db) == head_revision()
    finally:
        await db.dispose()


async def test_models_match_the_migrated_schema(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade_to_head(db)

        def diff(connection: Any) -> list[Any]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with db.engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await db.dispose()
