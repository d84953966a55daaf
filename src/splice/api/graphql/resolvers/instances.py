"""Resolvers of instances as integrations expose them (the test instance and its flow configs)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice import ids
from splice.api.graphql.resolvers.common import Info, ctx, list_connection
from splice.api.graphql.resolvers.integrations import shape_flow
from splice.store.tables import Instance

__all__ = ["BINDABLES"]

instance_type = ObjectType("Instance")


@instance_type.field("id")
def resolve_id(instance: Instance, _: Info) -> str:
    return ids.encode("Instance", instance.id)


@instance_type.field("isSystem")
def resolve_is_system(instance: Instance, _: Info) -> bool:
    return instance.is_system


@instance_type.field("customer")
async def resolve_customer(instance: Instance, info: Info) -> Any:
    c = ctx(info)
    return await c.services.customers.get_by_pk(c.actor, instance.customer_id)


@instance_type.field("integration")
async def resolve_integration(instance: Instance, info: Info) -> Any:
    c = ctx(info)
    row_id = instance.version_id or instance.integration_id
    return await c.services.integrations.get(c.actor, ids.encode("Integration", row_id))


@instance_type.field("configState")
def resolve_config_state(_: Instance, __: Info) -> str:
    return "FULLY_CONFIGURED"


@instance_type.field("configVariables")
def resolve_config_variables(_: Instance, __: Info) -> dict[str, Any]:
    return list_connection([])


@instance_type.field("flowConfigs")
async def resolve_flow_configs(instance: Instance, info: Info, **_: Any) -> dict[str, Any]:
    c = ctx(info)
    record = await c.services.integrations.get(
        c.actor, ids.encode("Integration", instance.integration_id)
    )
    flows = await c.services.integrations.flows(c.actor, record)
    configs = await c.services.integrations.test_flow_configs(c.actor, record)
    nodes = []
    for flow in flows:
        config_id = configs.get(flow.name)
        if config_id is None:
            continue
        shaped = shape_flow(info, record, flow, config_id)
        nodes.append(
            {
                "id": ids.encode("InstanceFlowConfig", config_id),
                "flow": shaped,
                "webhookUrl": shaped["testUrl"],
                "apiKeys": [],
            }
        )
    return list_connection(nodes)


BINDABLES = (instance_type,)
