"""Resolvers of integrations, versions, flows and attachments."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import nh3
from ariadne import ObjectType
from markdown_it import MarkdownIt

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
from splice.api.graphql.resolvers.components import action_for_step
from splice.definition import from_data, missing_components, validate
from splice.errors import InvalidInput
from splice.services.integrations import IntegrationFilter
from splice.services.records import IntegrationRecord
from splice.store.tables import Attachment, IntegrationFlow

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
integration = ObjectType("Integration")
flow_type = ObjectType("IntegrationFlow")
attachment_type = ObjectType("Attachment")

_markdown = MarkdownIt("commonmark", {"html": False})


@query.field("integrations")
async def resolve_integrations(
    _: Any,
    info: Info,
    allVersions: bool | None = None,
    customer: str | None = None,
    customer_Isnull: bool | None = None,
    name_Icontains: str | None = None,
    name: str | None = None,
    description_Icontains: str | None = None,
    category: str | None = None,
    labels_Contains: str | None = None,
    marketplaceConfiguration: str | None = None,
    hasUnpublishedChanges: bool | None = None,
    hasInstances: bool | None = None,
    versionIsAvailable: bool | None = None,
    versionSequenceId: str | None = None,
    marketplace: bool | None = None,
    category_Icontains: str | None = None,
    description: str | None = None,
    versionNumber: int | None = None,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    filters = IntegrationFilter(
        all_versions=bool(allVersions),
        customer=customer,
        customer_isnull=customer_Isnull,
        name=name,
        name_icontains=name_Icontains,
        description=description,
        description_icontains=description_Icontains,
        category=category,
        category_icontains=category_Icontains,
        version_number=versionNumber,
        labels_contains=labels_Contains,
        marketplace_configuration=marketplaceConfiguration,
        has_unpublished_changes=hasUnpublishedChanges,
        has_instances=hasInstances,
        version_is_available=versionIsAvailable,
        version_sequence_id=versionSequenceId,
        marketplace=marketplace,
    )
    page = await c.services.integrations.search(c.actor, filters, page_request(**paging))
    return connection(page)


@query.field("integration")
async def resolve_integration(_: Any, info: Info, id: str) -> IntegrationRecord:
    c = ctx(info)
    return await c.services.integrations.get(c.actor, id)


@query.field("integrationDiff")
async def resolve_diff(_: Any, info: Info, base: str, head: str) -> dict[str, Any]:
    c = ctx(info)
    text = await c.services.versions.diff(c.actor, base, head)
    return {
        "base": await c.services.integrations.get(c.actor, base),
        "head": await c.services.integrations.get(c.actor, head),
        "diff": text,
    }


@query.field("uploadMedia")
async def resolve_upload_media(
    _: Any,
    info: Info,
    objectId: str,
    fileName: str,
    mediaType: str,
) -> dict[str, Any]:
    c = ctx(info)
    upload = await c.services.media.presign(c.actor, objectId, fileName, mediaType)
    return {
        "uploadUrl": f"{c.base_url}/media/upload/{upload.token}",
        "objectUrl": f"{c.base_url}/media/objects/{upload.media_id}",
        "error": None,
    }


@query.field("integrationTemplates")
async def resolve_templates(_: Any, info: Info) -> dict[str, Any]:
    c = ctx(info)
    return list_connection(await c.services.versions.templates(c.actor))


# ---- Integration fields ------------------------------------------------------------------


@integration.field("id")
def resolve_id(record: IntegrationRecord, _: Info) -> str:
    return record.global_id


@integration.field("documentationHtml")
def resolve_documentation_html(record: IntegrationRecord, _: Info) -> str:
    return str(nh3.clean(_markdown.render(record.documentation)))


@integration.field("customer")
async def resolve_customer(record: IntegrationRecord, info: Info) -> Any:
    if record.integration.customer_id is None:
        return None
    c = ctx(info)
    return await c.services.customers.get_by_pk(c.actor, record.integration.customer_id)


@integration.field("isCodeNative")
def resolve_is_code_native(record: IntegrationRecord, _: Info) -> bool:
    return bool(record.definition.get("isCodeNative", False))


@integration.field("versionNumber")
def resolve_version_number(record: IntegrationRecord, _: Info) -> int:
    return record.version_number


@integration.field("versionIsLatest")
def resolve_version_is_latest(record: IntegrationRecord, _: Info) -> bool:
    return record.version is None or (
        record.version.version_number == record.integration.latest_version_number
    )


@integration.field("isDraft")
def resolve_is_draft(record: IntegrationRecord, _: Info) -> bool:
    return record.is_draft


@integration.field("hasUnpublishedChanges")
def resolve_unpublished(record: IntegrationRecord, _: Info) -> bool:
    return record.integration.has_unpublished_changes


@integration.field("definition")
async def resolve_definition(
    record: IntegrationRecord,
    info: Info,
    version: int | None = None,
    useLatestComponentVersions: bool | None = None,
) -> str:
    c = ctx(info)
    return await c.services.integrations.export(c.actor, record.global_id, version)


@integration.field("versionSequence")
async def resolve_version_sequence(
    record: IntegrationRecord,
    info: Info,
    versionIsAvailable: bool | None = None,
    sortBy: list[dict[str, str]] | None = None,
    first: int | None = None,
) -> dict[str, Any]:
    c = ctx(info)
    descending = True
    if sortBy:
        descending = sortBy[0].get("direction", "DESC") == "DESC"
    versions = await c.services.versions.versions(
        c.actor,
        record.global_id,
        only_available=versionIsAvailable,
        first=first,
        descending=descending,
    )
    return list_connection(versions)


@integration.field("versionCreatedAt")
def resolve_created_at(record: IntegrationRecord, _: Info) -> Any:
    return record.created_at if record.version else record.integration.updated_at


@integration.field("versionCreatedBy")
def resolve_created_by(record: IntegrationRecord, _: Info) -> Any:
    return record.published_by


@integration.field("versionComment")
def resolve_comment(record: IntegrationRecord, _: Info) -> str | None:
    return record.version.comment if record.version else None


@integration.field("versionIsAvailable")
def resolve_is_available(record: IntegrationRecord, _: Info) -> bool:
    return record.is_available


@integration.field("versionAttributes")
def resolve_attributes(record: IntegrationRecord, _: Info) -> Any:
    return record.version.attributes if record.version else None


@integration.field("marketplaceConfiguration")
def resolve_marketplace(record: IntegrationRecord, _: Info) -> str | None:
    return record.version.marketplace_configuration if record.version else None


@integration.field("overview")
def resolve_overview(record: IntegrationRecord, _: Info) -> str | None:
    return record.version.marketplace_overview if record.version else None


@integration.field("allowMultipleMarketplaceInstances")
def resolve_multiple(record: IntegrationRecord, _: Info) -> bool | None:
    return record.version.allow_multiple_marketplace_instances if record.version else None


@integration.field("templateVisibility")
def resolve_template(record: IntegrationRecord, _: Info) -> str | None:
    return record.version.template_visibility if record.version else None


@integration.field("parent")
async def resolve_parent(record: IntegrationRecord, info: Info) -> Any:
    parent_id = record.integration.parent_id
    if parent_id is None:
        return None
    c = ctx(info)
    return await c.services.integrations.get(c.actor, ids.encode("Integration", parent_id))


@integration.field("missingComponents")
def resolve_missing(record: IntegrationRecord, info: Info) -> list[str]:
    return list(missing_components(from_data(record.definition), ctx(info).services.registry))


@integration.field("validationIssues")
def resolve_issues(record: IntegrationRecord, info: Info) -> list[str]:
    issues = validate(from_data(record.definition), ctx(info).services.registry)
    return [issue.text for issue in issues]


@integration.field("hasIcon")
def resolve_has_icon(record: IntegrationRecord, _: Info) -> bool:
    return record.integration.icon_png is not None


@integration.field("iconUrl")
def resolve_icon_url(record: IntegrationRecord, info: Info) -> str | None:
    if record.integration.icon_png is None:
        return None
    return f"{ctx(info).base_url}/integrations/{ids.encode('Integration', record.integration.id)}/icon.png"


@integration.field("flows")
async def resolve_flows(
    record: IntegrationRecord,
    info: Info,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    flows = await c.services.integrations.flows(c.actor, record)
    test_configs = await c.services.integrations.test_flow_configs(c.actor, record)
    shaped = [shape_flow(info, record, flow, test_configs.get(flow.name)) for flow in flows]
    return list_connection(shaped, page_request(**paging))


def shape_flow(
    info: Info, record: IntegrationRecord, flow: IntegrationFlow, config_id: Any
) -> dict[str, Any]:
    c = ctx(info)
    definition_flow: dict[str, Any] = next(
        (f for f in record.definition.get("flows") or [] if f.get("name") == flow.name), {}
    )
    trigger_step = (definition_flow.get("steps") or [{}])[0]
    test_url = (
        f"{c.base_url}/trigger/{ids.encode('InstanceFlowConfig', config_id)}" if config_id else ""
    )
    return {
        "id": ids.encode("IntegrationFlow", flow.id),
        "stableKey": flow.stable_key or None,
        "name": flow.name,
        "description": flow.description,
        "isSynchronous": flow.is_synchronous,
        "testUrl": test_url,
        "trigger": {"action": action_for_step(c.services.registry, trigger_step)},
    }


@integration.field("systemInstance")
async def resolve_system_instance(record: IntegrationRecord, info: Info) -> Any:
    c = ctx(info)
    return await c.services.integrations.system_instance(c.actor, record)


@integration.field("testConfigVariables")
def resolve_test_config_variables(record: IntegrationRecord, _: Info, **__: Any) -> dict[str, Any]:
    # Connection config variables that await authorization arrive with instances' config values.
    return list_connection([])


@integration.field("attachments")
async def resolve_attachments(record: IntegrationRecord, info: Info) -> dict[str, Any]:
    c = ctx(info)
    return list_connection(await c.services.attachments.list_for(c.actor, record.integration.id))


@integration.field("createdAt")
def resolve_integration_created(record: IntegrationRecord, _: Info) -> Any:
    return record.integration.created_at


@integration.field("updatedAt")
def resolve_integration_updated(record: IntegrationRecord, _: Info) -> Any:
    return record.version.updated_at if record.version else record.integration.updated_at


@attachment_type.field("id")
def resolve_attachment_id(row: Attachment, _: Info) -> str:
    return ids.encode("Attachment", row.id)


@attachment_type.field("contentType")
def resolve_attachment_type(row: Attachment, _: Info) -> str:
    return row.content_type


@attachment_type.field("createdAt")
def resolve_attachment_created(row: Attachment, _: Info) -> Any:
    return row.created_at


@attachment_type.field("url")
def resolve_attachment_url(row: Attachment, info: Info) -> str:
    return f"{ctx(info).base_url}/attachments/{ids.encode('Attachment', row.id)}"


# ---- mutations ---------------------------------------------------------------------------


@mutation.field("createIntegration")
@payload("integration")
async def create_integration(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.integrations.create(
        c.actor,
        input.get("name") or "",
        input.get("description"),
        customer=input.get("customer"),
        category=input.get("category"),
        labels=input.get("labels"),
        template=input.get("template"),
    )


@mutation.field("updateIntegration")
@payload("integration")
async def update_integration(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    icon = _decode_base64(input["iconBase64"], "iconBase64") if input.get("iconBase64") else None
    if input.get("testConfigVariables") is not None:
        await c.services.instances.set_test_config_values(
            c.actor, required_id(input), input["testConfigVariables"]
        )
    result = await c.services.integrations.update(
        c.actor,
        required_id(input),
        name=input.get("name"),
        description=input.get("description"),
        category=input.get("category"),
        labels=input.get("labels"),
        documentation=input.get("documentation"),
        customer=input.get("customer"),
        icon_png=icon,
        avatar_url=input.get("avatarUrl"),
    )
    return result.record, result.warnings


@mutation.field("deleteIntegration")
@payload("integration")
async def delete_integration(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.integrations.delete(c.actor, required_id(input))


@mutation.field("forkIntegration")
@payload("integration")
async def fork_integration(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.integrations.fork(
        c.actor, input["parent"], input["name"], input.get("description")
    )


@mutation.field("publishIntegration")
@payload("integration")
async def publish_integration(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.versions.publish(
        c.actor, required_id(input), input.get("comment"), input.get("attributes")
    )


@mutation.field("importIntegration")
@payload("integration")
async def import_integration(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.integrations.import_definition(
        c.actor,
        input["definition"],
        integration_id=input.get("integrationId"),
        replace=bool(input.get("replace")),
    )


@mutation.field("updateIntegrationVersionAvailability")
@payload("integration")
async def set_availability(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.versions.set_available(c.actor, required_id(input), input["available"])


@mutation.field("updateIntegrationMarketplaceConfiguration")
@payload("integration")
async def set_marketplace(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.versions.set_marketplace(
        c.actor,
        required_id(input),
        input.get("marketplaceConfiguration"),
        input.get("overview"),
        input.get("allowMultipleMarketplaceInstances"),
    )


@mutation.field("updateIntegrationTemplate")
@payload("integration")
async def set_template(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.versions.set_template(
        c.actor, required_id(input), input["templateVisibility"]
    )


@mutation.field("validateIntegrationSchema")
@payload("result")
async def validate_schema(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    result = c.services.integrations.validate_text(input["definition"])
    if not result.is_valid:
        raise InvalidInput(
            f"the definition has {len(result.errors)} error(s)",
            field="definition",
            details=tuple(result.errors),
        )
    return {"isValid": True, "warnings": result.warnings}


@mutation.field("createAttachment")
@payload("attachment")
async def create_attachment(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    content = _decode_base64(input["contentBase64"], "contentBase64")
    return await c.services.attachments.upload(
        c.actor, input["integration"], input["name"], content, input.get("contentType")
    )


@mutation.field("deleteAttachment")
@payload("attachment")
async def delete_attachment(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    return await c.services.attachments.delete(c.actor, input["id"])


def _decode_base64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{field} is not valid base64", field=field) from exc


BINDABLES = (query, mutation, integration, flow_type, attachment_type)
