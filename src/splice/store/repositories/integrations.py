"""Queries over integrations, their versions, flows and the system (test) instance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from splice.store.tables import (
    Customer,
    Instance,
    InstanceFlowConfig,
    Integration,
    IntegrationFlow,
    IntegrationVersion,
)

__all__ = [
    "FlowFacts",
    "draft_flows",
    "ensure_system_instance",
    "find_integration",
    "find_version",
    "flow_configs_by_flow",
    "name_taken",
    "replace_flows",
    "system_customer",
]

FlowFacts = dict[str, Any]


async def find_integration(
    session: AsyncSession, organization_id: uuid.UUID, pk: uuid.UUID
) -> Integration | None:
    """The integration with this primary key in this organization."""
    row = await session.get(Integration, pk)
    return row if row is not None and row.organization_id == organization_id else None


async def find_version(
    session: AsyncSession, organization_id: uuid.UUID, pk: uuid.UUID
) -> tuple[Integration, IntegrationVersion] | None:
    """A published version and its integration, when both are in this organization."""
    version = await session.get(IntegrationVersion, pk)
    if version is None:
        return None
    integration = await find_integration(session, organization_id, version.integration_id)
    return (integration, version) if integration is not None else None


async def name_taken(
    session: AsyncSession, organization_id: uuid.UUID, name: str, *, except_id: uuid.UUID | None
) -> bool:
    """True when another integration of the organization already has this name."""
    stmt = select(Integration.id).where(
        Integration.organization_id == organization_id, Integration.name == name
    )
    if except_id is not None:
        stmt = stmt.where(Integration.id != except_id)
    return (await session.execute(stmt.limit(1))).first() is not None


async def draft_flows(
    session: AsyncSession, integration_id: uuid.UUID
) -> Sequence[IntegrationFlow]:
    """The draft's flows in definition order."""
    return (
        (
            await session.execute(
                select(IntegrationFlow)
                .where(
                    IntegrationFlow.integration_id == integration_id,
                    IntegrationFlow.version_id.is_(None),
                )
                .order_by(IntegrationFlow.position)
            )
        )
        .scalars()
        .all()
    )


async def replace_flows(
    session: AsyncSession,
    integration_id: uuid.UUID,
    version_id: uuid.UUID | None,
    facts: Sequence[FlowFacts],
) -> list[IntegrationFlow]:
    """Make the flow rows match ``facts``; a flow keeps its ID while its name stays the same."""
    stmt = select(IntegrationFlow).where(IntegrationFlow.integration_id == integration_id)
    stmt = stmt.where(
        IntegrationFlow.version_id.is_(None)
        if version_id is None
        else IntegrationFlow.version_id == version_id
    )
    existing = {flow.name: flow for flow in (await session.execute(stmt)).scalars()}
    kept: list[IntegrationFlow] = []
    for position, fact in enumerate(facts):
        flow = existing.pop(fact["name"], None)
        if flow is None:
            flow = IntegrationFlow(
                integration_id=integration_id, version_id=version_id, name=fact["name"]
            )
            session.add(flow)
        flow.position = position
        for key, value in fact.items():
            setattr(flow, key, value)
        kept.append(flow)
    for stale in existing.values():
        await session.delete(stale)
    await session.flush()
    return kept


async def system_customer(session: AsyncSession, organization_id: uuid.UUID) -> Customer:
    """The organization's hidden customer that owns system (test) instances."""
    customer = (
        await session.execute(
            select(Customer).where(
                Customer.organization_id == organization_id, Customer.is_system.is_(True)
            )
        )
    ).scalar_one_or_none()
    if customer is None:
        customer = Customer(organization_id=organization_id, name="System", is_system=True)
        session.add(customer)
        await session.flush()
    return customer


async def ensure_system_instance(session: AsyncSession, integration: Integration) -> Instance:
    """The integration's test instance, with one flow config per draft flow."""
    instance = (
        await session.execute(
            select(Instance).where(
                Instance.integration_id == integration.id, Instance.is_system.is_(True)
            )
        )
    ).scalar_one_or_none()
    if instance is None:
        customer = await system_customer(session, integration.organization_id)
        instance = Instance(
            organization_id=integration.organization_id,
            integration_id=integration.id,
            customer_id=customer.id,
            name=f"{integration.name} (test instance)",
            is_system=True,
        )
        session.add(instance)
        await session.flush()
    configs = await flow_configs_by_flow(session, instance.id)
    for flow in await draft_flows(session, integration.id):
        if flow.id not in configs:
            session.add(InstanceFlowConfig(instance_id=instance.id, flow_id=flow.id))
    await session.flush()
    return instance


async def flow_configs_by_flow(
    session: AsyncSession, instance_id: uuid.UUID
) -> dict[uuid.UUID, InstanceFlowConfig]:
    """An instance's flow configs keyed by flow ID."""
    rows = (
        await session.execute(
            select(InstanceFlowConfig).where(InstanceFlowConfig.instance_id == instance_id)
        )
    ).scalars()
    return {row.flow_id: row for row in rows}
