"""The actions that read or change one object: instances, customers, integrations, flows,
executions and the current user. Each sends one fixed GraphQL document."""

from __future__ import annotations

from typing import Any

from splice.components.builtin._support import is_unset, to_text
from splice.components.builtin.prismatic.client import (
    MUTATION_ERRORS,
    ActionDecl,
    call,
    required,
    update,
)
from splice.components.builtin.prismatic.inputs import (
    CUSTOMER_FIELDS,
    DESCRIPTION,
    INSTANCE,
    INSTANCE_FIELDS,
    INTEGRATION,
    INTEGRATION_FIELDS,
    NAME,
    PAGE_INFO,
    with_connection,
)
from splice.components.context import ActionContext
from splice.components.sdk import Input

__all__ = ["ACTIONS"]


# ---- instances -------------------------------------------------------------------------------


async def deploy_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation deployInstance($id: ID!) { deployInstance(input: {id: $id}) "
        f"{{ instance {{ {INSTANCE_FIELDS} }} {MUTATION_ERRORS} }} }}"
    )
    variables = {"id": required(inputs, "instanceId")}
    return await call(ctx, inputs, "deployInstance", query, variables, payload="deployInstance")


async def disable_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation disableInstance($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        f"{{ instance {{ {INSTANCE_FIELDS} }} {MUTATION_ERRORS} }} }}"
    )
    variables = {"id": required(inputs, "instanceId")}
    return await call(ctx, inputs, "disableInstnce", query, variables, payload="updateInstance")


async def get_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getInstance($id: ID!) { instance(id: $id) { "
        f"{INSTANCE_FIELDS} flowConfigs {{ nodes {{ id webhookUrl flow {{ id name }} }} }} }} }}"
    )
    return await call(ctx, inputs, "getInstance", query, {"id": required(inputs, "instanceId")})


async def update_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return await update(ctx, inputs, "updateInstance", "instanceId", "instance", INSTANCE_FIELDS)


# ---- customers, users, executions ------------------------------------------------------------


async def get_customer(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = f"query getCustomer($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_FIELDS} }} }}"
    return await call(ctx, inputs, "getCustomer", query, {"id": required(inputs, "customerId")})


async def get_current_user(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getCurrentUser { authenticatedUser { id name email externalId "
        "role { name } org { id name } customer { id name } } }"
    )
    return await call(ctx, inputs, "getCurrentUser", query)


async def get_execution(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getExecution($id: ID!) { executionResult(id: $id) { id startedAt endedAt "
        "status error isTestExecution flowName instance { id name } "
        "stepResults { nodes { id stepName status startedAt endedAt } } } }"
    )
    variables = {"id": required(inputs, "executionId")}
    return await call(ctx, inputs, "getExecution", query, variables)


# ---- integrations and flows ------------------------------------------------------------------


async def get_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getIntegration($id: ID!) { integration(id: $id) { "
        f"{INTEGRATION_FIELDS} documentation definition }} }}"
    )
    variables = {"id": required(inputs, "integrationId")}
    return await call(ctx, inputs, "getIntegration", query, variables)


async def import_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation importIntegration($integrationId: ID, $definition: String!) { "
        "importIntegration(input: {integrationId: $integrationId, definition: $definition}) "
        f"{{ integration {{ {INTEGRATION_FIELDS} }} {MUTATION_ERRORS} }} }}"
    )
    variables = {
        "integrationId": to_text(inputs.get("integrationId")) or None,
        "definition": required(inputs, "definition"),
    }
    return await call(
        ctx, inputs, "importIntegration", query, variables, payload="importIntegration"
    )


async def list_flows(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query listFlows($id: ID!) { integration(id: $id) { id name flows { nodes { id "
        f"stableKey name description isSynchronous testUrl }} {PAGE_INFO} }} }} }}"
    )
    return await call(ctx, inputs, "listFlows", query, {"id": required(inputs, "integrationId")})


async def publish_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation publishIntegration($id: ID!, $comment: String) { "
        "publishIntegration(input: {id: $id, comment: $comment}) { integration { id name "
        f"versionNumber versionComment versionIsAvailable }} {MUTATION_ERRORS} }} }}"
    )
    variables = {
        "id": required(inputs, "integrationId"),
        "comment": to_text(inputs.get("comments")) or None,
    }
    return await call(
        ctx, inputs, "publishIntegration", query, variables, payload="publishIntegration"
    )


async def update_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return await update(
        ctx, inputs, "updateIntegration", "integrationId", "integration", INTEGRATION_FIELDS
    )


async def test_flow(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation testFlow($id: ID!, $payload: String, $contentType: String) { "
        "testIntegrationFlow(input: {id: $id, payload: $payload, contentType: $contentType}) "
        "{ testIntegrationFlowResult { flowConfig { id } execution { id status startedAt "
        f"flowName }} }} {MUTATION_ERRORS} }} }}"
    )
    payload = inputs.get("payload")
    variables = {
        "id": required(inputs, "flowId"),
        "payload": None if is_unset(payload) else to_text(payload),
        "contentType": to_text(inputs.get("contentType")) or None,
    }
    return await call(ctx, inputs, "testFlow", query, variables, payload="testIntegrationFlow")


# ---- declarations ----------------------------------------------------------------------------

_CUSTOMER = Input(
    "customerId",
    "Customer",
    required=True,
    comments="Provide the unique identifier of a customer. This value should be an Id",
)
_EXECUTION = Input(
    "executionId",
    "Execution Id",
    required=True,
    comments="Provide the unique identifier of an execution record.",
)
_DEFINITION = Input(
    "definition",
    "YAML Definition",
    type="code",
    required=True,
    comments="Provide a string value for the definition of the integration.",
)
_FLOW = Input(
    "flowId", "Flow Id", required=True, comments="Provide the unique identifier of a flow"
)
_PAYLOAD = Input(
    "payload",
    "Payload",
    type="code",
    comments="Provide a payload to be passed to the given flow upon execution.",
)
_CONTENT_TYPE = Input(
    "contentType",
    "Content Type",
    comments="Provide a content type to be passed to the given flow upon execution.",
)
_INSTANCE_NAME = Input(
    "name", "Name", comments="Provide a string value for the name of the instance"
)
_INSTANCE_DESCRIPTION = Input(
    "description",
    "Description",
    comments="Provide a string value for the description of the instance",
)
_COMMENTS = Input("comments", "Comments", comments="Provide a string value for comments.")

ACTIONS: tuple[ActionDecl, ...] = (
    ActionDecl(
        "deployInstance",
        "Deploy Instance",
        "Deploy an instance to production",
        with_connection(INSTANCE),
        deploy_instance,
    ),
    ActionDecl(
        "disableInstnce",  # the published key, misspelt
        "Disable Instance",
        "Disable an existing instance",
        with_connection(INSTANCE),
        disable_instance,
    ),
    ActionDecl(
        "getCurrentUser",
        "Get Current User",
        "Get information about the current logged in user",
        with_connection(),
        get_current_user,
    ),
    ActionDecl(
        "getCustomer",
        "Get Customer",
        "Get a customer's information and metadata",
        with_connection(_CUSTOMER),
        get_customer,
    ),
    ActionDecl(
        "getExecution",
        "Get Execution",
        "Get the information and metadata of an execution",
        with_connection(_EXECUTION),
        get_execution,
    ),
    ActionDecl(
        "getInstance",
        "Get Instance",
        "Get the information and metadata of an existing instance",
        with_connection(INSTANCE),
        get_instance,
    ),
    ActionDecl(
        "getIntegration",
        "Get Integration",
        "Get the information and metadata of an integration",
        with_connection(INTEGRATION),
        get_integration,
    ),
    ActionDecl(
        "importIntegration",
        "Import Integration",
        "Import Integration",
        with_connection(INTEGRATION, _DEFINITION),
        import_integration,
    ),
    ActionDecl(
        "listFlows",
        "List Flows",
        "List all flows on an integration",
        with_connection(INTEGRATION),
        list_flows,
    ),
    ActionDecl(
        "publishIntegration",
        "Publish Integration Version",
        "Publish a new version of an existing integration",
        with_connection(INTEGRATION, _COMMENTS),
        publish_integration,
    ),
    ActionDecl(
        "testFlow",
        "Test Flow",
        "Test an existing integration flow",
        with_connection(_FLOW, _PAYLOAD, _CONTENT_TYPE),
        test_flow,
    ),
    ActionDecl(
        "updateInstance",
        "Update Instance",
        "Update an existing instance",
        with_connection(INSTANCE, _INSTANCE_NAME, _INSTANCE_DESCRIPTION),
        update_instance,
    ),
    ActionDecl(
        "updateIntegration",
        "Update Integration",
        "Update the information and metadata of an integration",
        with_connection(INTEGRATION, NAME, DESCRIPTION),
        update_integration,
    ),
)
