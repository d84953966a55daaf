"""Resolvers of webhook endpoints: endpoint type and the one URL of instance-specific and shared
integrations (flow-specific URLs are ``InstanceFlowConfig.webhookUrl``)."""

from __future__ import annotations

from ariadne import ObjectType

from splice.api.graphql.resolvers.common import Info, ctx
from splice.services.records import IntegrationRecord
from splice.services.webhook_routing import endpoint_type, endpoint_url, shared_url
from splice.store.tables import Instance

__all__ = ["BINDABLES"]

integration_type = ObjectType("Integration")
instance_type = ObjectType("Instance")


@integration_type.field("endpointType")
def resolve_integration_endpoint_type(record: IntegrationRecord, _: Info) -> str:
    return endpoint_type(record.definition).upper()


@integration_type.field("webhookUrl")
def resolve_integration_webhook_url(record: IntegrationRecord, info: Info) -> str | None:
    return shared_url(ctx(info).base_url, record.definition, record.integration.id)


@instance_type.field("endpointType")
async def resolve_instance_endpoint_type(instance: Instance, info: Info) -> str:
    c = ctx(info)
    record = await c.services.instances.version_record(c.actor, instance, deployed=True)
    return endpoint_type(record.definition).upper()


@instance_type.field("webhookUrl")
async def resolve_instance_webhook_url(instance: Instance, info: Info) -> str | None:
    c = ctx(info)
    record = await c.services.instances.version_record(c.actor, instance, deployed=True)
    return endpoint_url(c.base_url, record.definition, record.integration.id, instance)


BINDABLES = (integration_type, instance_type)
