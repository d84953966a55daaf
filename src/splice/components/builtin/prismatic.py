"""The `prismatic` core component: the platform's own GraphQL API, aimed at Splice itself.

Action keys follow the published component, including its ``disableInstnce`` misspelling. Input
keys come from the exports where they are used (``instanceId``, ``query``, ``variables``) and are
otherwise the camelCase of the documented labels.

The ``apiKey`` connection holds a refresh token (``splice me:token --type refresh``). It is
exchanged at ``<server>/oauth/token`` for an access token, cached per server and refresh token
and exchanged again shortly before ``expires_in`` runs out. The server is the connection's
optional ``url``, else the run's ``ctx.platform_url``. Every action POSTs one GraphQL document to
``<server>/api`` and returns ``{status, data}`` (the HTTP status and the GraphQL ``data``, for
``rawRequest`` the whole response body ``{data}`` as exports expect); an
HTTP error, a GraphQL error or a mutation's ``errors`` fail the step naming the action.

List filters are sent as GraphQL arguments only when set (an empty value sends nothing); the
documented defaults apply when a step leaves an input out.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from graphql import (
    GraphQLError,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)

from splice.components.builtin._support import is_unset, to_text
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_bool, as_int, kv_pairs
from splice.components.manifest import InputManifest
from splice.components.sdk import ComponentSpec, Input, component

__all__ = ["COMPONENT", "MANIFEST", "PrismaticApiError", "clear_token_cache"]


class PrismaticApiError(RuntimeError):
    """The platform API refused a request or answered with errors."""


# ---- connection and tokens -------------------------------------------------------------------

_REFRESH_MARGIN_S = 60.0
"""Exchange the refresh token again when the access token has less than this left."""


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str
    expires_at: float


_TOKENS: dict[tuple[str, str], _Token] = {}


def clear_token_cache() -> None:
    """Forget every cached access token (tests, and after a refresh token is revoked)."""
    _TOKENS.clear()


def _connection_fields(connection: Any) -> tuple[str, str]:
    """``(refresh token, url override)`` from the connection config variable."""
    if isinstance(connection, str):
        return connection.strip(), ""
    if not isinstance(connection, Mapping):
        raise InputValueError("expects a Prismatic Refresh Token connection", "connection")
    fields = connection.get("fields")
    fields = fields if isinstance(fields, Mapping) else connection
    refresh = to_text(fields.get("apiKey") or fields.get("refreshToken")).strip()
    return refresh, to_text(fields.get("url")).strip()


def _server(ctx: ActionContext, override: str) -> str:
    url = (override or ctx.platform_url).strip().rstrip("/")
    if not url.lower().startswith(("http://", "https://")):
        raise InputValueError(
            "has no server URL: set the connection's URL, or run on a Splice server", "connection"
        )
    return url


def _key(server: str, refresh: str) -> tuple[str, str]:
    return server, hashlib.sha256(refresh.encode()).hexdigest()


def _forget(server: str, refresh: str) -> None:
    _TOKENS.pop(_key(server, refresh), None)


async def _access_token(client: httpx.AsyncClient, server: str, refresh: str, action: str) -> str:
    """The cached access token, exchanged anew when less than a minute of it is left."""
    key = _key(server, refresh)
    cached = _TOKENS.get(key)
    if cached is not None and cached.expires_at - _REFRESH_MARGIN_S > time.time():
        return cached.access_token
    response = await client.post(
        f"{server}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
    )
    if response.status_code != 200:
        _TOKENS.pop(key, None)
        raise PrismaticApiError(
            f"prismatic {action}: the refresh token was refused by {server} "
            f"({response.status_code}: {_error_text(response)}); create a new one with "
            "`splice me:token --type refresh` and update the connection"
        )
    body = response.json()
    token = _Token(str(body["access_token"]), time.time() + float(body.get("expires_in") or 0))
    _TOKENS[key] = token
    return token.access_token


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, Mapping):
        for name in ("error_description", "detail", "message", "error"):
            if body.get(name):
                return str(body[name])
        if body.get("errors"):
            return _graphql_errors(body["errors"])
    return response.text[:300]


def _graphql_errors(errors: Any) -> str:
    if not isinstance(errors, list):
        return str(errors)
    return "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors)


# ---- the GraphQL call ------------------------------------------------------------------------


async def _graphql(
    ctx: ActionContext,
    inputs: Mapping[str, Any],
    action: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    payload: str | None = None,
    whole_body: bool = False,
) -> dict[str, Any]:
    """POST ``query`` to ``<server>/api``; ``payload`` names a mutation field whose ``errors``
    fail the step. ``data`` is the GraphQL ``data``, or with ``whole_body`` the response body
    itself (``rawRequest``: exports read ``<step>.results.data.data.<field>``)."""
    refresh, override = _connection_fields(inputs.get("connection"))
    if not refresh:
        raise InputValueError("has no refresh token", "connection")
    server = _server(ctx, override)
    body = {"query": query, "variables": dict(variables or {})}
    async with ctx.http_client(timeout=60) as client:
        token = await _access_token(client, server, refresh, action)
        response = await client.post(
            f"{server}/api", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    if response.status_code == 401:  # the next step exchanges the refresh token again
        _forget(server, refresh)
    if response.status_code >= 400:
        raise PrismaticApiError(
            f"prismatic {action}: {server}/api answered {response.status_code}: "
            f"{_error_text(response)}"
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise PrismaticApiError(f"prismatic {action}: {server}/api did not answer JSON") from exc
    if answer.get("errors"):
        raise PrismaticApiError(f"prismatic {action}: {_graphql_errors(answer['errors'])}")
    data = answer.get("data")
    if payload is not None and isinstance(data, Mapping):
        result = data.get(payload)
        errors = result.get("errors") if isinstance(result, Mapping) else None
        if errors:
            shown = "; ".join(
                f"{e.get('field')}: {', '.join(map(str, e.get('messages') or []))}"
                for e in errors
                if isinstance(e, Mapping)
            )
            raise PrismaticApiError(f"prismatic {action}: {shown}")
    return {"status": response.status_code, "data": answer if whole_body else data}


# ---- list filters ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Arg:
    """One optional list input sent as a GraphQL argument of type ``gql_type``."""

    input_key: str
    arg: str
    gql_type: str


def _arg_value(arg: _Arg, value: Any) -> Any:
    if arg.gql_type == "Boolean":
        return as_bool(value, key=arg.input_key)
    if arg.gql_type == "Int":
        return as_int(value, key=arg.input_key)
    return to_text(value)


def _list_query(
    root: str, args: tuple[_Arg, ...], selection: str, inputs: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """A query on ``root`` with the arguments whose inputs are set, and its variables."""
    used = [a for a in args if not is_unset(inputs.get(a.input_key))]
    variables = {a.arg: _arg_value(a, inputs[a.input_key]) for a in used}
    declared = ", ".join(f"${a.arg}: {a.gql_type}" for a in used)
    passed = ", ".join(f"{a.arg}: ${a.arg}" for a in used)
    header = f"query {root}({declared})" if used else f"query {root}"
    call = f"{root}({passed})" if used else root
    return f"{header} {{ {call} {{ {selection} }} }}", variables


_PAGE = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"
_PAGING_ARGS = (
    _Arg("after", "after", "String"),
    _Arg("before", "before", "String"),
    _Arg("first", "first", "Int"),
    _Arg("last", "last", "Int"),
    _Arg("offset", "offset", "Int"),
)

# ---- declaration -----------------------------------------------------------------------------

prismatic = component(
    "prismatic",
    label="Prismatic",
    description="Interact with the platform API (Splice's own GraphQL API)",
    category="Platform",
)

prismatic.connection(
    "apiKey",
    label="Prismatic Refresh Token",
    inputs=[
        Input(
            "apiKey",
            "Refresh Token",
            type="password",
            required=True,
            comments="Provide the Refresh Token obtained from the command line by calling "
            "`splice me:token --type refresh` (or `prism me:token --type refresh`).",
        ),
        Input(
            "url",
            "Server URL",
            comments="The platform's URL; empty means the server running the flow.",
        ),
    ],
)

_CONNECTION = Input("connection", "Connection", type="connection", required=True)
_INSTANCE = Input(
    "instanceId", "Instance Id", required=True, comments="Provide the unique ID of an instance."
)
_INTEGRATION = Input(
    "integrationId",
    "Integration Id",
    required=True,
    comments="Provide the unique identifier of an integration. This value should be the Id of "
    "the integration.",
)
_AFTER = Input(
    "after",
    "After",
    comments="Specifies a cursor for use in combination with first to implement forward "
    "pagination.",
)
_BEFORE = Input(
    "before",
    "Before",
    comments="Specifies a cursor for use in combination with last to implement backward "
    "pagination.",
)
_FIRST = Input(
    "first",
    "First",
    comments="A non-negative integer that specifies to return at most first edges after the "
    "after cursor.",
)
_LAST = Input(
    "last",
    "Last",
    comments="A non-negative integer that specifies to return at most last edges before the "
    "before cursor.",
)
_OFFSET = Input("offset", "Offset", comments="Filter results based on the offset.")
_NAME = Input("name", "Name", comments="Provide a name.")
_NAME_CONTAINS = Input(
    "nameContains", "Name Contains", comments="Filter for objects where name contains the value."
)
_DESCRIPTION_CONTAINS = Input(
    "descriptionContains",
    "Description Contains",
    comments="Filter for objects where description contains the specified value (case "
    "insensitive).",
)
_LABEL_CONTAINS = Input(
    "labelContains",
    "Label Contains",
    comments="Filter for objects where labels contains the specified value (case insensitive).",
)


def _inputs(*items: InputManifest) -> list[InputManifest]:
    return [_CONNECTION, *items]


def _mutation_errors() -> str:
    return "errors { field messages }"


# ---- instances -------------------------------------------------------------------------------

_INSTANCE_FIELDS = (
    "id name description enabled labels needsDeploy lastDeployedAt updatedAt "
    "customer { id name externalId } integration { id name versionNumber }"
)


@prismatic.action(
    "deployInstance",
    label="Deploy Instance",
    description="Deploy an instance to production",
    inputs=_inputs(_INSTANCE),
)
async def deploy_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation deployInstance($id: ID!) { deployInstance(input: {id: $id}) "
        f"{{ instance {{ {_INSTANCE_FIELDS} }} {_mutation_errors()} }} }}"
    )
    return await _graphql(
        ctx,
        inputs,
        "deployInstance",
        query,
        {"id": _required(inputs, "instanceId")},
        payload="deployInstance",
    )


@prismatic.action(
    "disableInstnce",
    label="Disable Instance",
    description="Disable an existing instance",
    inputs=_inputs(_INSTANCE),
)
async def disable_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation disableInstance($id: ID!) { updateInstance(input: {id: $id, enabled: false}) "
        f"{{ instance {{ {_INSTANCE_FIELDS} }} {_mutation_errors()} }} }}"
    )
    return await _graphql(
        ctx,
        inputs,
        "disableInstnce",
        query,
        {"id": _required(inputs, "instanceId")},
        payload="updateInstance",
    )


@prismatic.action(
    "getInstance",
    label="Get Instance",
    description="Get the information and metadata of an existing instance",
    inputs=_inputs(_INSTANCE),
)
async def get_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getInstance($id: ID!) { instance(id: $id) { "
        f"{_INSTANCE_FIELDS} flowConfigs {{ nodes {{ id webhookUrl flow {{ id name }} }} }} }} }}"
    )
    return await _graphql(
        ctx, inputs, "getInstance", query, {"id": _required(inputs, "instanceId")}
    )


@prismatic.action(
    "updateInstance",
    label="Update Instance",
    description="Update an existing instance",
    inputs=_inputs(
        _INSTANCE,
        Input("name", "Name", comments="Provide a string value for the name of the instance"),
        Input(
            "description",
            "Description",
            comments="Provide a string value for the description of the instance",
        ),
    ),
)
async def update_instance(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return await _update(ctx, inputs, "updateInstance", "instanceId", "instance", _INSTANCE_FIELDS)


_INSTANCE_ARGS = (
    *_PAGING_ARGS,
    _Arg("name", "name", "String"),
    _Arg("customer", "customer", "ID"),
    _Arg("compatibility", "compatibility", "Int"),
    _Arg("customerExternalId", "customer_ExternalId", "String"),
    _Arg("description", "description", "String"),
    _Arg("descriptionContains", "description_Icontains", "String"),
    _Arg("enabled", "enabled", "Boolean"),
    _Arg("integration", "integration", "ID"),
    _Arg("labelContains", "labels_Contains", "String"),
    _Arg("nameContains", "name_Icontains", "String"),
    _Arg("needsDeploy", "needsDeploy", "Boolean"),
)


@prismatic.action(
    "listInstances",
    label="List Instances",
    description="List all instances",
    inputs=_inputs(
        _NAME,
        _BEFORE,
        _AFTER,
        Input(
            "customer",
            "Customer",
            comments="Provide the unique identifier of a customer. This value should be an Id",
        ),
        _OFFSET,
        Input(
            "compatibility",
            "Compatibility",
            comments="Provide an integer value to filter by compatibility.",
        ),
        Input(
            "customerExternalId",
            "Customer External Id",
            comments="Provide the customer external Id.",
        ),
        Input("description", "Description", comments="Provide a string value for the description."),
        _DESCRIPTION_CONTAINS,
        Input(
            "enabled",
            "Enabled",
            type="boolean",
            default="true",
            comments="Filter for objects where enabled matches the specified value.",
        ),
        _FIRST,
        Input(
            "integration",
            "Integration",
            comments="Provide an identifier for the integration. This value should be an id.",
        ),
        _LABEL_CONTAINS,
        _LAST,
        _NAME_CONTAINS,
        Input(
            "needsDeploy",
            "Needs Deploy",
            type="boolean",
            default="false",
            comments="Filter for objects where needsDeploy matches the specified value.",
        ),
    ),
)
async def list_instances(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query, variables = _list_query(
        "instances", _INSTANCE_ARGS, f"nodes {{ {_INSTANCE_FIELDS} }} {_PAGE}", inputs
    )
    return await _graphql(ctx, inputs, "listInstances", query, variables)


# ---- customers -------------------------------------------------------------------------------

_CUSTOMER_FIELDS = "id name externalId description labels"
_CUSTOMER_ARGS = (
    *_PAGING_ARGS,
    _Arg("name", "name", "String"),
    _Arg("externalId", "externalId", "String"),
    _Arg("descriptionContains", "description_Icontains", "String"),
    _Arg("labelContains", "labels_Contains", "String"),
    _Arg("nameContains", "name_Icontains", "String"),
    _Arg("nameStartsWith", "name_Istartswith", "String"),
)


@prismatic.action(
    "getCustomer",
    label="Get Customer",
    description="Get a customer's information and metadata",
    inputs=_inputs(
        Input(
            "customerId",
            "Customer",
            required=True,
            comments="Provide the unique identifier of a customer. This value should be an Id",
        )
    ),
)
async def get_customer(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = f"query getCustomer($id: ID!) {{ customer(id: $id) {{ {_CUSTOMER_FIELDS} }} }}"
    return await _graphql(
        ctx, inputs, "getCustomer", query, {"id": _required(inputs, "customerId")}
    )


@prismatic.action(
    "listCustomers",
    label="List Customers",
    description="List all customers in an organization",
    inputs=_inputs(
        _BEFORE,
        _AFTER,
        _NAME,
        _OFFSET,
        Input("externalId", "External Id", comments="Provide the customer external Id."),
        _DESCRIPTION_CONTAINS,
        _FIRST,  # not in the seed's table, kept from the manifest: forward paging needs it
        _LABEL_CONTAINS,
        _LAST,
        _NAME_CONTAINS,
        Input(
            "nameStartsWith",
            "Name Starts With",
            comments="Provide a value for the start of the customer name",
        ),
    ),
)
async def list_customers(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query, variables = _list_query(
        "customers", _CUSTOMER_ARGS, f"nodes {{ {_CUSTOMER_FIELDS} }} {_PAGE}", inputs
    )
    return await _graphql(ctx, inputs, "listCustomers", query, variables)


# ---- users, executions, components -----------------------------------------------------------


@prismatic.action(
    "getCurrentUser",
    label="Get Current User",
    description="Get information about the current logged in user",
    inputs=_inputs(),
)
async def get_current_user(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getCurrentUser { authenticatedUser { id name email externalId "
        "role { name } org { id name } customer { id name } } }"
    )
    return await _graphql(ctx, inputs, "getCurrentUser", query)


@prismatic.action(
    "getExecution",
    label="Get Execution",
    description="Get the information and metadata of an execution",
    inputs=_inputs(
        Input(
            "executionId",
            "Execution Id",
            required=True,
            comments="Provide the unique identifier of an execution record.",
        )
    ),
)
async def get_execution(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getExecution($id: ID!) { executionResult(id: $id) { id startedAt endedAt "
        "status error isTestExecution flowName instance { id name } "
        "stepResults { nodes { id stepName status startedAt endedAt } } } }"
    )
    return await _graphql(
        ctx, inputs, "getExecution", query, {"id": _required(inputs, "executionId")}
    )


@prismatic.action(
    "listComponents",
    label="List Components",
    description="Returns a list of all the components published to your account",
    inputs=_inputs(),
)
async def list_components(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query listComponents { components { nodes { id key label description public "
        f"category versionNumber }} {_PAGE} }} }}"
    )
    return await _graphql(ctx, inputs, "listComponents", query)


# ---- integrations ----------------------------------------------------------------------------

_INTEGRATION_FIELDS = (
    "id name description category labels versionNumber versionIsAvailable isDraft "
    "hasUnpublishedChanges createdAt updatedAt flows { nodes { id name } }"
)
_INTEGRATION_ARGS = (
    *_PAGING_ARGS,
    _Arg("name", "name", "String"),
    _Arg("allVersions", "allVersions", "Boolean"),
    _Arg("category", "category", "String"),
    _Arg("categoryContains", "category_Icontains", "String"),
    _Arg("description", "description", "String"),
    _Arg("descriptionContains", "description_Icontains", "String"),
    _Arg("hasInstances", "hasInstances", "Boolean"),
    _Arg("hasUnpublishedChanges", "hasUnpublishedChanges", "Boolean"),
    _Arg("labelContains", "labels_Contains", "String"),
    _Arg("marketplace", "marketplace", "Boolean"),
    _Arg("marketplaceConfig", "marketplaceConfiguration", "String"),
    _Arg("nameContains", "name_Icontains", "String"),
    _Arg("versionIsAvailable", "versionIsAvailable", "Boolean"),
    _Arg("versionNumber", "versionNumber", "Int"),
    _Arg("versionSequenceId", "versionSequenceId", "ID"),
)


@prismatic.action(
    "getIntegration",
    label="Get Integration",
    description="Get the information and metadata of an integration",
    inputs=_inputs(_INTEGRATION),
)
async def get_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query getIntegration($id: ID!) { integration(id: $id) { "
        f"{_INTEGRATION_FIELDS} documentation definition }} }}"
    )
    return await _graphql(
        ctx, inputs, "getIntegration", query, {"id": _required(inputs, "integrationId")}
    )


@prismatic.action(
    "importIntegration",
    label="Import Integration",
    description="Import Integration",
    inputs=_inputs(
        _INTEGRATION,
        Input(
            "definition",
            "YAML Definition",
            type="code",
            required=True,
            comments="Provide a string value for the definition of the integration.",
        ),
    ),
)
async def import_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation importIntegration($integrationId: ID, $definition: String!) { "
        "importIntegration(input: {integrationId: $integrationId, definition: $definition}) "
        f"{{ integration {{ {_INTEGRATION_FIELDS} }} {_mutation_errors()} }} }}"
    )
    variables = {
        "integrationId": to_text(inputs.get("integrationId")) or None,
        "definition": _required(inputs, "definition"),
    }
    return await _graphql(
        ctx, inputs, "importIntegration", query, variables, payload="importIntegration"
    )


@prismatic.action(
    "listFlows",
    label="List Flows",
    description="List all flows on an integration",
    inputs=_inputs(_INTEGRATION),
)
async def list_flows(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "query listFlows($id: ID!) { integration(id: $id) { id name flows { nodes { id "
        f"stableKey name description isSynchronous testUrl }} {_PAGE} }} }} }}"
    )
    return await _graphql(
        ctx, inputs, "listFlows", query, {"id": _required(inputs, "integrationId")}
    )


def _flag(key: str, label: str, default: str, comments: str) -> InputManifest:
    return Input(key, label, type="boolean", default=default, comments=comments)


@prismatic.action(
    "listIntegrations",
    label="List Integrations",
    description="List all available integrations",
    inputs=_inputs(
        _AFTER,
        _BEFORE,
        _NAME,
        _OFFSET,
        _flag(
            "allVersions", "All Versions", "false", "Return all versions instead of only the latest"
        ),
        Input(
            "category",
            "Category",
            comments="Filter for objects where category matches the specified value.",
        ),
        Input(
            "categoryContains",
            "Category Contains",
            comments="Filter for objects where "
            "category contains the specified value (case insensitive).",
        ),
        Input("description", "Description", comments="Provide a string value for the description."),
        _DESCRIPTION_CONTAINS,
        _FIRST,
        _flag(
            "hasInstances", "Has Instances", "false", "Return only Integrations that have Instances"
        ),
        _flag(
            "hasUnpublishedChanges",
            "Has Unpublished Changes",
            "true",
            "Filter for objects where hasUnpublishedChanges matches the specified value.",
        ),
        _LABEL_CONTAINS,
        _LAST,
        _flag(
            "marketplace",
            "Marketplace",
            "false",
            "Returns only the version of "
            "Integrations either deployed or available in the Marketplace",
        ),
        Input(
            "marketplaceConfig",
            "Marketplace Config",
            comments="Return only integrations sharing the provided marketplace config",
        ),
        _NAME_CONTAINS,
        _flag(
            "versionIsAvailable",
            "Version Is Available",
            "true",
            "Filter for objects where versionIsAvailable matches the specified value.",
        ),
        Input(
            "versionNumber",
            "Version Number",
            comments="Provide an integer value to filter by version number.",
        ),
        Input(
            "versionSequenceId",
            "Version Sequence Id",
            comments="Return only integrations sharing the provided version sequence id.",
        ),
    ),
)
async def list_integrations(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    given = dict(inputs)
    for only in ("hasInstances", "marketplace", "allVersions"):  # false means "no restriction"
        if not is_unset(given.get(only)) and not as_bool(given[only], key=only):
            given[only] = None
    query, variables = _list_query(
        "integrations", _INTEGRATION_ARGS, f"nodes {{ {_INTEGRATION_FIELDS} }} {_PAGE}", given
    )
    return await _graphql(ctx, inputs, "listIntegrations", query, variables)


@prismatic.action(
    "publishIntegration",
    label="Publish Integration Version",
    description="Publish a new version of an existing integration",
    inputs=_inputs(
        _INTEGRATION, Input("comments", "Comments", comments="Provide a string value for comments.")
    ),
)
async def publish_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation publishIntegration($id: ID!, $comment: String) { "
        "publishIntegration(input: {id: $id, comment: $comment}) { integration { id name "
        f"versionNumber versionComment versionIsAvailable }} {_mutation_errors()} }} }}"
    )
    variables = {
        "id": _required(inputs, "integrationId"),
        "comment": to_text(inputs.get("comments")) or None,
    }
    return await _graphql(
        ctx, inputs, "publishIntegration", query, variables, payload="publishIntegration"
    )


@prismatic.action(
    "updateIntegration",
    label="Update Integration",
    description="Update the information and metadata of an integration",
    inputs=_inputs(
        _INTEGRATION,
        _NAME,
        Input("description", "Description", comments="Provide a string value for the description."),
    ),
)
async def update_integration(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return await _update(
        ctx, inputs, "updateIntegration", "integrationId", "integration", _INTEGRATION_FIELDS
    )


@prismatic.action(
    "testFlow",
    label="Test Flow",
    description="Test an existing integration flow",
    inputs=_inputs(
        Input(
            "flowId", "Flow Id", required=True, comments="Provide the unique identifier of a flow"
        ),
        Input(
            "payload",
            "Payload",
            type="code",
            comments="Provide a payload to be passed to the given flow upon execution.",
        ),
        Input(
            "contentType",
            "Content Type",
            comments="Provide a content type to be passed to the given flow upon execution.",
        ),
    ),
)
async def test_flow(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = (
        "mutation testFlow($id: ID!, $payload: String, $contentType: String) { "
        "testIntegrationFlow(input: {id: $id, payload: $payload, contentType: $contentType}) "
        "{ testIntegrationFlowResult { flowConfig { id } execution { id status startedAt "
        f"flowName }} }} {_mutation_errors()} }} }}"
    )
    payload = inputs.get("payload")
    variables = {
        "id": _required(inputs, "flowId"),
        "payload": None if is_unset(payload) else to_text(payload),
        "contentType": to_text(inputs.get("contentType")) or None,
    }
    return await _graphql(ctx, inputs, "testFlow", query, variables, payload="testIntegrationFlow")


# ---- raw requests ----------------------------------------------------------------------------

_RAW_DEFAULT = """query ($myCustomerId: ID!) {
  customer(id: $myCustomerId) {
    id
    name
    externalId
  }
}"""


@prismatic.action(
    "rawRequest",
    label="Raw GraphQL Request",
    description="Send raw GraphQL request to Prismatic",
    inputs=_inputs(
        Input(
            "query",
            "Query or Mutation",
            type="code",
            required=True,
            default=_RAW_DEFAULT,
            comments="Provide a query or mutation for the GraphQL request",
        ),
        Input(
            "variables",
            "GraphQL Variables",
            collection="keyvaluelist",
            comments="These should match the variables of your query or mutation.",
        ),
    ),
)
async def raw_request(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = _required(inputs, "query")
    variables = _typed_variables(query, kv_pairs(inputs.get("variables"), key="variables"))
    return await _graphql(ctx, inputs, "rawRequest", query, variables, whole_body=True)


def _base_type(node: TypeNode) -> tuple[str, bool]:
    """The named type under non-null wrappers, and whether it is a list."""
    while isinstance(node, NonNullTypeNode):
        node = node.type
    if isinstance(node, ListTypeNode):
        return "", True
    assert isinstance(node, NamedTypeNode)
    return node.name.value, False


def _typed_variables(query: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Variables from a key/value list, text converted to the types the query declares.

    Key/value inputs arrive as text (``limit: "50"``); an ``Int`` variable gets ``50``, a
    ``Boolean`` ``true``, lists and input objects parse JSON text, and empty text for any
    non-``String`` type is null.
    """
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise InputValueError(f"is not valid GraphQL: {exc.message}", "query") from exc
    declared: dict[str, tuple[str, bool]] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for var in definition.variable_definitions or ():
                declared[var.variable.name.value] = _base_type(var.type)
    result: dict[str, Any] = {}
    for name, value in pairs:
        type_name, is_list = declared.get(name, ("", False))
        result[name] = _coerce(name, value, type_name, is_list)
    return result


def _coerce(name: str, value: Any, type_name: str, is_list: bool) -> Any:
    if not isinstance(value, str):
        return value
    if type_name in ("String", "ID", "JSONString") and not is_list:
        return value
    if value.strip() == "":
        return None
    if type_name == "Int" and not is_list:
        return as_int(value, key=f"variables.{name}")
    if type_name == "Float" and not is_list:
        return float(value)
    if type_name == "Boolean" and not is_list:
        return as_bool(value, key=f"variables.{name}")
    try:
        return json.loads(value)
    except ValueError:
        return value


# ---- shared ----------------------------------------------------------------------------------


def _required(inputs: Mapping[str, Any], key: str) -> str:
    value = to_text(inputs.get(key)).strip()
    if not value:
        raise InputValueError("is required", key)
    return value


async def _update(
    ctx: ActionContext,
    inputs: Mapping[str, Any],
    action: str,
    id_key: str,
    noun: str,
    fields: str,
) -> dict[str, Any]:
    """``update<Noun>`` with the name and description that are set."""
    changes = {k: to_text(inputs.get(k)) for k in ("name", "description")}
    changes = {k: v for k, v in changes.items() if v}
    declared = "".join(f", ${k}: String" for k in changes)
    passed = "".join(f", {k}: ${k}" for k in changes)
    query = (
        f"mutation {action}($id: ID!{declared}) {{ {action}(input: {{id: $id{passed}}}) "
        f"{{ {noun} {{ {fields} }} {_mutation_errors()} }} }}"
    )
    variables = {"id": _required(inputs, id_key), **changes}
    return await _graphql(ctx, inputs, action, query, variables, payload=action)


COMPONENT: ComponentSpec = prismatic.build()
MANIFEST = COMPONENT.manifest
