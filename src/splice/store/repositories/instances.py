"""Queries over instances, their config values and flow configs (flush, never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.store.tables import (
    Instance,
    InstanceConfigValue,
    InstanceFlowConfig,
    IntegrationFlow,
    IntegrationVersion,
)

__all__ = [
    "config_values",
    "delete_config_values",
    "flow_configs_with_flows",
    "latest_available_version",
    "version_flows",
]


async def config_values(
    session: AsyncSession, instance_id: uuid.UUID
) -> dict[str, InstanceConfigValue]:
    """An instance's stored config values keyed by config variable key."""
    rows = (
        await session.execute(
            select(InstanceConfigValue).where(InstanceConfigValue.instance_id == instance_id)
        )
    ).scalars()
    return {row.key: row for row in rows}


async def delete_config_values(
    session: AsyncSession, instance_id: uuid.UUID, keys: Sequence[str]
) -> None:
    """Remove the stored values of ``keys`` (their defaults apply again)."""
    if keys:
        await session.execute(
            delete(InstanceConfigValue).where(
                InstanceConfigValue.instance_id == instance_id,
                InstanceConfigValue.key.in_(list(keys)),
            )
        )


async def latest_available_version(
    session: AsyncSession, integration_id: uuid.UUID
) -> IntegrationVersion | None:
    """The newest published version marked available."""
    return (
        await session.execute(
            select(IntegrationVersion)
            .where(
                IntegrationVersion.integration_id == integration_id,
                IntegrationVersion.is_available.is_(True),
            )
            .order_by(IntegrationVersion.version_number.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def version_flows(
    session: AsyncSession, integration_id: uuid.UUID, version_id: uuid.UUID | None
) -> list[IntegrationFlow]:
    """The flows of a version (or of the draft when ``version_id`` is None), in order."""
    stmt = select(IntegrationFlow).where(IntegrationFlow.integration_id == integration_id)
    stmt = stmt.where(
        IntegrationFlow.version_id.is_(None)
        if version_id is None
        else IntegrationFlow.version_id == version_id
    )
    return list((await session.execute(stmt.order_by(IntegrationFlow.position))).scalars())


async def flow_configs_with_flows(
    session: AsyncSession, instance: Instance
) -> list[tuple[InstanceFlowConfig, IntegrationFlow]]:
    """An instance's flow configs with their flows, in flow order."""
    rows = await session.execute(
        select(InstanceFlowConfig, IntegrationFlow)
        .join(IntegrationFlow, IntegrationFlow.id == InstanceFlowConfig.flow_id)
        .where(InstanceFlowConfig.instance_id == instance.id)
        .order_by(IntegrationFlow.position, IntegrationFlow.name)
    )
    return [(row[0], row[1]) for row in rows]
