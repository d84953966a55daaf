"""Resolvers of instances, their config variables and flow configs (and Integration.instances)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from splice import ids
from splice.api.graphql.resolvers.common import (
    Info,
    connection,
    ctx,
    list_connection,
    page_request,
    payload,
    required_id,
)
from splice.api.graphql.resolvers.integrations import shape_flow
from splice.services.instance_search import InstanceMatch
from splice.services.instances import ConfigVariableView, FlowConfigView, InstanceFilter
from splice.services.records import IntegrationRecord
from splice.store.tables import Instance

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
instance_type = ObjectType("Instance")
flow_config_type = ObjectType("InstanceFlowConfig")
config_variable_type = ObjectType("InstanceConfigVariable")
integration_type = ObjectType("Integration")


@query.field("instances")
async def resolve_instances(
    _: Any,
    info: Info,
    customer: str | None = None,
    integration: str | None = None,
    isSystem: bool | None = None,
    enabled: bool | None = None,
    name: str | None = None,
    name_Icontains: str | None = None,
    description: str | None = None,
    description_Icontains: str | None = None,
    needsDeploy: bool | None = None,
    labels_Contains: str | None = None,
    customer_ExternalId: str | None = None,
    compatibility: int | None = None,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    filters = InstanceFilter(
        customer=customer or None,
        integration=integration or None,
        is_system=isSystem,
        enabled=enabled,
        name_icontains=name_Icontains,
        needs_deploy=needsDeploy,
        labels_contains=labels_Contains,
        match=InstanceMatch(
            name, description, description_Icontains, customer_ExternalId, compatibility
        ),
    )
    return connection(await c.services.instances.search(c.actor, filters, page_request(**paging)))


@query.field("instance")
async def resolve_instance(_: Any, info: Info, id: str) -> Instance:
    c = ctx(info)
    return await c.services.instances.get(c.actor, id)


@instance_type.field("id")
def resolve_id(instance: Instance, _: Info) -> str:
    return ids.encode("Instance", instance.id)


@instance_type.field("isSystem")
def resolve_is_system(instance: Instance, _: Info) -> bool:
    return instance.is_system


@instance_type.field("needsDeploy")
def resolve_needs_deploy(instance: Instance, _: Info) -> bool:
    return instance.needs_deploy and not instance.is_system


@instance_type.field("lastDeployedAt")
def resolve_deployed_at(instance: Instance, _: Info) -> Any:
    return instance.deployed_at


@instance_type.field("fromMarketplace")
def resolve_from_marketplace(instance: Instance, _: Info) -> bool:
    return instance.from_marketplace


@instance_type.field("createdAt")
def resolve_created_at(instance: Instance, _: Info) -> Any:
    return instance.created_at


@instance_type.field("updatedAt")
def resolve_updated_at(instance: Instance, _: Info) -> Any:
    return instance.updated_at


@instance_type.field("customer")
async def resolve_customer(instance: Instance, info: Info) -> Any:
    c = ctx(info)
    return await c.services.customers.get_by_pk(c.actor, instance.customer_id)


@instance_type.field("integration")
async def resolve_integration(instance: Instance, info: Info) -> IntegrationRecord:
    c = ctx(info)
    return await c.services.instances.version_record(c.actor, instance)


@instance_type.field("deployedVersion")
async def resolve_deployed_version(instance: Instance, info: Info) -> int | None:
    if instance.deployed_version_id is None:
        return None
    c = ctx(info)
    record = await c.services.instances.version_record(c.actor, instance, deployed=True)
    return record.version_number


@instance_type.field("configState")
async def resolve_config_state(instance: Instance, info: Info) -> str:
    c = ctx(info)
    return await c.services.instances.config_state(c.actor, instance)


@instance_type.field("configVariables")
async def resolve_config_variables(instance: Instance, info: Info, **_: Any) -> dict[str, Any]:
    c = ctx(info)
    return list_connection(await c.services.instances.config_variables(c.actor, instance))


@config_variable_type.field("status")
def resolve_status(view: ConfigVariableView, _: Info) -> str:
    return view.status


@config_variable_type.field("statusMessage")
def resolve_status_message(view: ConfigVariableView, _: Info) -> str | None:
    return view.error


@config_variable_type.field("authorizeUrl")
def resolve_authorize_url(view: ConfigVariableView, _: Info) -> str | None:
    return view.authorize_url


@config_variable_type.field("inputs")
def resolve_inputs(view: ConfigVariableView, _: Info) -> dict[str, Any]:
    return list_connection(view.inputs)


@config_variable_type.field("requiredConfigVariable")
def resolve_required(view: ConfigVariableView, _: Info) -> dict[str, Any]:
    return {
        "id": view.required_id,
        "key": view.key,
        "defaultValue": view.default_value,
        "dataType": view.data_type,
        "description": view.description,
    }


@instance_type.field("flowConfigs")
async def resolve_flow_configs(instance: Instance, info: Info, **paging: Any) -> dict[str, Any]:
    c = ctx(info)
    configs = await c.services.instances.flow_configs(c.actor, instance)
    return list_connection(configs, page_request(**paging))


@flow_config_type.field("id")
def resolve_flow_config_id(view: Any, _: Info) -> Any:
    return view.global_id if isinstance(view, FlowConfigView) else view.get("id")


@flow_config_type.field("flow")
def resolve_flow_config_flow(view: Any, info: Info) -> Any:
    if isinstance(view, FlowConfigView):
        return shape_flow(info, view.record, view.flow, view.id)
    return view.get("flow")


@flow_config_type.field("webhookUrl")
def resolve_webhook_url(view: Any, info: Info) -> Any:
    if isinstance(view, FlowConfigView):
        return f"{ctx(info).base_url}/trigger/{view.global_id}"
    return view.get("webhookUrl")


@flow_config_type.field("apiKeys")
def resolve_api_keys(view: Any, _: Info) -> Any:
    return view.api_keys if isinstance(view, FlowConfigView) else view.get("apiKeys")


@integration_type.field("instances")
async def resolve_integration_instances(
    record: IntegrationRecord,
    info: Info,
    isSystem: bool | None = None,
    enabled: bool | None = None,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    if not any(v is not None for v in paging.values()) and isSystem is None and enabled is None:
        return list_connection(await c.services.instances.for_integration(c.actor, record))
    # paged (as Prismatic's exports page it): the instances of every version of the integration
    filters = InstanceFilter(
        integration=ids.encode("Integration", record.integration.id),
        is_system=False if isSystem is None else isSystem,
        enabled=enabled,
    )
    return connection(await c.services.instances.search(c.actor, filters, page_request(**paging)))


@mutation.field("createInstance")
@payload("instance")
async def create_instance(_: Any, info: Info, input: dict[str, Any]) -> Instance:
    c = ctx(info)
    return await c.services.instances.create(
        c.actor,
        name=input.get("name") or "",
        integration=input.get("integration") or "",
        customer=input.get("customer") or "",
        description=input.get("description"),
        labels=input.get("labels"),
        config_variables=input.get("configVariables"),
    )


@mutation.field("updateInstance")
@payload("instance")
async def update_instance(_: Any, info: Info, input: dict[str, Any]) -> Instance:
    c = ctx(info)
    return await c.services.instances.update(
        c.actor,
        required_id(input),
        name=input.get("name"),
        description=input.get("description"),
        labels=input.get("labels"),
        integration=input.get("integration"),
        enabled=input.get("enabled"),
        config_variables=input.get("configVariables"),
        flow_configs=input.get("flowConfigs"),
    )


@mutation.field("updateInstanceConfigVariables")
@payload("instance")
async def update_config_variables(_: Any, info: Info, input: dict[str, Any]) -> Instance:
    c = ctx(info)
    return await c.services.instances.set_config_values(
        c.actor, required_id(input), input.get("configVariables") or []
    )


@mutation.field("deployInstance")
@payload("instance")
async def deploy_instance(_: Any, info: Info, input: dict[str, Any]) -> Instance:
    c = ctx(info)
    return await c.services.instances.deploy(
        c.actor, required_id(input), force=bool(input.get("force"))
    )


@mutation.field("deleteInstance")
@payload("instance")
async def delete_instance(_: Any, info: Info, input: dict[str, Any]) -> Instance:
    c = ctx(info)
    return await c.services.instances.delete(c.actor, required_id(input))


BINDABLES = (
    query,
    mutation,
    instance_type,
    flow_config_type,
    config_variable_type,
    integration_type,
)
