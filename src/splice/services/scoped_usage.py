"""Which customer instances use a scoped connection, so deleting one in use can be refused.

An instance uses a scoped connection when the version it is configured for, or the version it
runs, declares a config variable with ``useScopedConfigVar: <stableKey>``. Integration drafts
and the test instances do not count: they hold no customer's configuration.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.errors import Conflict
from splice.services import config_values as cv_rules
from splice.store.tables import Customer, Instance, IntegrationVersion, ScopedConfigVariable

__all__ = ["SHOWN", "instances_using", "require_unused"]

SHOWN = 10
"""Instances named in the refusal; more are counted."""


def _uses(definition: dict[str, Any] | None, stable_key: str) -> bool:
    return any(cv_rules.scoped_key(cv) == stable_key for cv in cv_rules.declared(definition or {}))


async def instances_using(session: AsyncSession, row: ScopedConfigVariable) -> list[str]:
    """``'name' (integration 'X', customer 'Y')`` of every customer instance using ``row``."""
    pairs = (
        await session.execute(
            select(Instance, Customer.name)
            .join(Customer, Customer.id == Instance.customer_id)
            .where(
                Instance.organization_id == row.organization_id,
                Instance.is_system.is_(False),
            )
            .order_by(Instance.name)
        )
    ).all()
    version_ids: set[uuid.UUID] = set()
    for instance, _ in pairs:
        version_ids.update(v for v in (instance.version_id, instance.deployed_version_id) if v)
    versions = {
        version.id: version
        for version in (
            await session.execute(
                select(IntegrationVersion).where(IntegrationVersion.id.in_(version_ids))
            )
        ).scalars()
    }
    found: list[str] = []
    for instance, customer_name in pairs:
        used = [
            versions[v]
            for v in (instance.version_id, instance.deployed_version_id)
            if v in versions and _uses(versions[v].definition, row.stable_key)
        ]
        if used:
            found.append(
                f"'{instance.name}' (integration '{used[0].name}', customer '{customer_name}')"
            )
    return found


async def require_unused(session: AsyncSession, row: ScopedConfigVariable) -> None:
    """Raise Conflict naming the instances that use ``row`` and how to delete it anyway."""
    users = await instances_using(session, row)
    if not users:
        return
    named = ", ".join(users[:SHOWN])
    if len(users) > SHOWN:
        named += f" and {len(users) - SHOWN} more"
    count = f"{len(users)} instance{'s' if len(users) != 1 else ''}"
    raise Conflict(
        f"scoped connection '{row.key}' (stableKey '{row.stable_key}') is used by {count}: {named}",
        field="id",
        fix=f"publish those integrations without useScopedConfigVar '{row.stable_key}' and "
        "move the instances to that version, or delete the instances, then delete it again; "
        "or pass force: true to delete it anyway (the instances stay unconfigured until a "
        f"connection with stableKey '{row.stable_key}' is defined again)",
    )
