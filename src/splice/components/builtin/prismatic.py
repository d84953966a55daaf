"""The `prismatic` core component: the platform's own GraphQL API, aimed at Splice itself.

Action keys follow the published component, including its ``disableInstnce`` misspelling. Input
keys come from the exports where they are used (``instanceId``, ``query``, ``variables``) and are
otherwise the camelCase of the documented labels.
"""

from __future__ import annotations

from splice.components.manifest import (
    ActionManifest,
    ComponentManifest,
    ConnectionManifest,
    InputManifest,
)

__all__ = ["MANIFEST"]

_in = InputManifest
_CONNECTION = _in("connection", "Connection", "connection", required=True)
_INSTANCE = _in("instanceId", "Instance Id", required=True)
_INTEGRATION = _in("integrationId", "Integration Id", required=True)
_PAGING = (
    _in("after", "After"),
    _in("before", "Before"),
    _in("first", "First"),
    _in("last", "Last"),
    _in("offset", "Offset"),
)


def _action(key: str, label: str, description: str, *inputs: InputManifest) -> ActionManifest:
    return ActionManifest(key, label, description, inputs=(_CONNECTION, *inputs))


MANIFEST = ComponentManifest(
    key="prismatic",
    version=1,
    label="Prismatic",
    description="Interact with the platform API (Splice's own GraphQL API)",
    category="Platform",
    connections=(
        ConnectionManifest(
            "apiKey", "Prismatic Refresh Token", (_in("apiKey", "Refresh Token", "password"),)
        ),
    ),
    actions=(
        _action("deployInstance", "Deploy Instance", "Deploy an instance", _INSTANCE),
        _action("disableInstnce", "Disable Instance", "Disable an existing instance", _INSTANCE),
        _action("getCurrentUser", "Get Current User", "Get the current user"),
        _action(
            "getCustomer",
            "Get Customer",
            "Get a customer",
            _in("customerId", "Customer", required=True),
        ),
        _action(
            "getExecution",
            "Get Execution",
            "Get an execution",
            _in("executionId", "Execution Id", required=True),
        ),
        _action("getInstance", "Get Instance", "Get an instance", _INSTANCE),
        _action("getIntegration", "Get Integration", "Get an integration", _INTEGRATION),
        _action(
            "importIntegration",
            "Import Integration",
            "Import a YAML definition into an integration",
            _INTEGRATION,
            _in("definition", "YAML Definition", "code", required=True),
        ),
        _action("listComponents", "List Components", "List the installed components"),
        _action(
            "listCustomers",
            "List Customers",
            "List the organization's customers",
            *_PAGING,
            _in("name", "Name"),
            _in("externalId", "External Id"),
            _in("descriptionContains", "Description Contains"),
            _in("labelContains", "Label Contains"),
            _in("nameContains", "Name Contains"),
            _in("nameStartsWith", "Name Starts With"),
        ),
        _action("listFlows", "List Flows", "List the flows of an integration", _INTEGRATION),
        _action(
            "listInstances",
            "List Instances",
            "List instances",
            *_PAGING,
            _in("name", "Name"),
            _in("customer", "Customer"),
            _in("compatibility", "Compatibility"),
            _in("customerExternalId", "Customer External Id"),
            _in("description", "Description"),
            _in("descriptionContains", "Description Contains"),
            _in("enabled", "Enabled", "boolean", default="true"),
            _in("integration", "Integration"),
            _in("labelContains", "Label Contains"),
            _in("nameContains", "Name Contains"),
            _in("needsDeploy", "Needs Deploy", "boolean", default="false"),
        ),
        _action(
            "listIntegrations",
            "List Integrations",
            "List integrations",
            *_PAGING,
            _in("name", "Name"),
            _in("allVersions", "All Versions", "boolean", default="false"),
            _in("category", "Category"),
            _in("categoryContains", "Category Contains"),
            _in("description", "Description"),
            _in("descriptionContains", "Description Contains"),
            _in("hasInstances", "Has Instances", "boolean", default="false"),
            _in("hasUnpublishedChanges", "Has Unpublished Changes", "boolean", default="true"),
            _in("labelContains", "Label Contains"),
            _in("marketplace", "Marketplace", "boolean", default="false"),
            _in("marketplaceConfig", "Marketplace Config"),
            _in("nameContains", "Name Contains"),
            _in("versionIsAvailable", "Version Is Available", "boolean", default="true"),
            _in("versionNumber", "Version Number"),
            _in("versionSequenceId", "Version Sequence Id"),
        ),
        _action(
            "publishIntegration",
            "Publish Integration Version",
            "Publish a new version of an integration",
            _INTEGRATION,
            _in("comments", "Comments"),
        ),
        _action(
            "rawRequest",
            "Raw GraphQL Request",
            "Send a raw GraphQL request",
            _in("query", "Query or Mutation", "code", required=True),
            _in("variables", "GraphQL Variables", collection="keyvaluelist"),
        ),
        _action(
            "testFlow",
            "Test Flow",
            "Run a flow of an integration with a test payload",
            _in("flowId", "Flow Id", required=True),
            _in("payload", "Payload", "code"),
            _in("contentType", "Content Type"),
        ),
        _action(
            "updateInstance",
            "Update Instance",
            "Update an instance's name and description",
            _INSTANCE,
            _in("name", "Name"),
            _in("description", "Description"),
        ),
        _action(
            "updateIntegration",
            "Update Integration",
            "Update an integration's name and description",
            _INTEGRATION,
            _in("name", "Name"),
            _in("description", "Description"),
        ),
    ),
)
