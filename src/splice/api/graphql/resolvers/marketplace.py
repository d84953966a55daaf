"""Resolvers of the marketplace: listings for customer users and self-service activation."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice.api.graphql.resolvers.common import Info, ctx, list_connection, payload
from splice.services.records import IntegrationRecord
from splice.store.tables import Instance

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
integration_type = ObjectType("Integration")


@query.field("marketplaceIntegrations")
async def resolve_marketplace(
    _: Any,
    info: Info,
    includeActiveIntegrations: bool | None = None,
    name: str | None = None,
    sortBy: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    c = ctx(info)
    listings = await c.services.marketplace.listings(c.actor)
    if includeActiveIntegrations is False:
        listings = [listing for listing in listings if not listing.instances]
    records = [
        listing.record for listing in listings if name is None or listing.record.name == name
    ]
    for order in reversed(sortBy or []):  # stable sorts: the first field decides last
        field = "category" if order.get("field") == "CATEGORY" else "name"
        records.sort(
            key=lambda r: (getattr(r, field) or "").lower(),
            reverse=order.get("direction") == "DESC",
        )
    return list_connection(records)


async def _customer_instances(record: IntegrationRecord, info: Info) -> list[Instance] | None:
    c = ctx(info)
    if not c.actor.is_customer_user:
        return None
    return await c.services.instances.for_integration(
        c.actor, IntegrationRecord(record.integration)
    )


@integration_type.field("isCustomerDeployable")
def resolve_deployable(record: IntegrationRecord, _: Info) -> bool:
    return bool(
        record.version and record.version.marketplace_configuration == "AVAILABLE_AND_DEPLOYABLE"
    )


@integration_type.field("deploymentStatus")
async def resolve_deployment_status(record: IntegrationRecord, info: Info) -> str | None:
    instances = await _customer_instances(record, info)
    if instances is None:
        return None
    if not instances:
        return "UNCONFIGURED"
    return "ACTIVATED" if any(i.enabled for i in instances) else "PAUSED"


@integration_type.field("deployedInstances")
async def resolve_deployed_count(record: IntegrationRecord, info: Info) -> str | None:
    instances = await _customer_instances(record, info)
    if instances is None:
        return None
    return ("ZERO", "ONE")[len(instances)] if len(instances) < 2 else "MULTIPLE"


@integration_type.field("firstDeployedInstance")
async def resolve_first_instance(record: IntegrationRecord, info: Info) -> Instance | None:
    instances = await _customer_instances(record, info)
    return instances[0] if instances else None


@mutation.field("enableMarketplaceIntegration")
@payload("instance")
async def enable_marketplace_integration(_: Any, info: Info, input: dict[str, Any]) -> Instance:
    c = ctx(info)
    return await c.services.marketplace.activate(
        c.actor,
        input.get("integration") or "",
        config_variables=input.get("configVariables"),
        name=input.get("name"),
    )


BINDABLES = (query, mutation, integration_type)
