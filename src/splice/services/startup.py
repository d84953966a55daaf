"""What every process does before serving: migrate the schema, create the first owner."""

from __future__ import annotations

from splice.components.registry import Registry
from splice.services import Services
from splice.services.auth import Bootstrap
from splice.settings import Settings
from splice.store.db import Database
from splice.store.migrate import upgrade_to_head

__all__ = ["build_services", "prepare"]


def build_services(settings: Settings) -> Services:
    """The service bundle for these settings: database, built-in and installed components."""
    registry = Registry.with_builtins()
    registry.load_entry_points()
    return Services(
        settings, Database(settings.database_url, echo=settings.database.echo), registry
    )


async def prepare(services: Services) -> Bootstrap | None:
    """Bring the schema to head and, on an empty database, create the organization owner."""
    await upgrade_to_head(services.db)
    return await services.auth.bootstrap()
