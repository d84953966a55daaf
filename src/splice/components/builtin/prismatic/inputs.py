"""Inputs several actions share, with the seed's labels and comments, and what they select."""

from __future__ import annotations

from splice.components.manifest import InputManifest
from splice.components.sdk import Input

__all__ = [
    "AFTER",
    "BEFORE",
    "CONNECTION",
    "CUSTOMER_FIELDS",
    "DESCRIPTION",
    "DESCRIPTION_CONTAINS",
    "FIRST",
    "INSTANCE",
    "INSTANCE_FIELDS",
    "INTEGRATION",
    "INTEGRATION_FIELDS",
    "LABEL_CONTAINS",
    "LAST",
    "NAME",
    "NAME_CONTAINS",
    "OFFSET",
    "PAGE_INFO",
    "flag",
    "with_connection",
]

CONNECTION = Input("connection", "Connection", type="connection", required=True)
INSTANCE = Input(
    "instanceId", "Instance Id", required=True, comments="Provide the unique ID of an instance."
)
INTEGRATION = Input(
    "integrationId",
    "Integration Id",
    required=True,
    comments="Provide the unique identifier of an integration. This value should be the Id of "
    "the integration.",
)
AFTER = Input(
    "after",
    "After",
    comments="Specifies a cursor for use in combination with first to implement forward "
    "pagination.",
)
BEFORE = Input(
    "before",
    "Before",
    comments="Specifies a cursor for use in combination with last to implement backward "
    "pagination.",
)
FIRST = Input(
    "first",
    "First",
    comments="A non-negative integer that specifies to return at most first edges after the "
    "after cursor.",
)
LAST = Input(
    "last",
    "Last",
    comments="A non-negative integer that specifies to return at most last edges before the "
    "before cursor.",
)
OFFSET = Input("offset", "Offset", comments="Filter results based on the offset.")
NAME = Input("name", "Name", comments="Provide a name.")
NAME_CONTAINS = Input(
    "nameContains", "Name Contains", comments="Filter for objects where name contains the value."
)
DESCRIPTION = Input(
    "description", "Description", comments="Provide a string value for the description."
)
DESCRIPTION_CONTAINS = Input(
    "descriptionContains",
    "Description Contains",
    comments="Filter for objects where description contains the specified value (case "
    "insensitive).",
)
LABEL_CONTAINS = Input(
    "labelContains",
    "Label Contains",
    comments="Filter for objects where labels contains the specified value (case insensitive).",
)


def flag(key: str, label: str, default: str, comments: str) -> InputManifest:
    """A boolean filter input with the seed's default."""
    return Input(key, label, type="boolean", default=default, comments=comments)


def with_connection(*items: InputManifest) -> tuple[InputManifest, ...]:
    """Every action takes the connection first."""
    return (CONNECTION, *items)


PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"
INSTANCE_FIELDS = (
    "id name description enabled labels needsDeploy lastDeployedAt updatedAt "
    "customer { id name externalId } integration { id name versionNumber }"
)
CUSTOMER_FIELDS = "id name externalId description labels"
INTEGRATION_FIELDS = (
    "id name description category labels versionNumber versionIsAvailable isDraft "
    "hasUnpublishedChanges createdAt updatedAt flows { nodes { id name } }"
)
