"""``splice db upgrade|current``: schema migrations from the command line."""

from __future__ import annotations

import asyncio

import click

from splice.settings import get_settings
from splice.store.db import Database
from splice.store.migrate import current_revision, head_revision, upgrade_to_head

__all__ = ["db"]


@click.group("db")
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""

    async def run() -> str | None:
        database = Database(get_settings().database_url)
        try:
            await upgrade_to_head(database, revision)
            return await current_revision(database)
        finally:
            await database.dispose()

    click.echo(f"database is at revision {asyncio.run(run())}")


@db.command("current")
def current() -> None:
    """Print the database's revision and the newest one available."""

    async def run() -> str | None:
        database = Database(get_settings().database_url)
        try:
            return await current_revision(database)
        finally:
            await database.dispose()

    revision = asyncio.run(run())
    head = head_revision()
    state = "up to date" if revision == head else f"behind (head is {head})"
    click.echo(f"{revision or 'empty'}: {state}")
