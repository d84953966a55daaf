"""The list actions, as one table: each input is a row naming the GraphQL argument it sets.

A list action sends one query on its root field with the arguments whose inputs are set (an
empty value sends nothing); the seed's defaults apply when a step leaves an input out. "Only
…" flags (``hasInstances``, ``marketplace``, ``allVersions``) restrict when true and send
nothing when false. Paging (``after``/``before``/``first``/``last``/``offset``) is shared by
every list of the server, so the rows are the same for each action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from splice.components.builtin._support import is_unset, to_text
from splice.components.builtin.prismatic.client import ActionDecl, call
from splice.components.builtin.prismatic.inputs import (
    AFTER,
    BEFORE,
    CUSTOMER_FIELDS,
    DESCRIPTION,
    DESCRIPTION_CONTAINS,
    FIRST,
    INSTANCE_FIELDS,
    INTEGRATION_FIELDS,
    LABEL_CONTAINS,
    LAST,
    NAME,
    NAME_CONTAINS,
    OFFSET,
    PAGE_INFO,
    flag,
    with_connection,
)
from splice.components.context import ActionContext
from splice.components.inputs import as_bool, as_int
from splice.components.manifest import InputManifest
from splice.components.sdk import Input

__all__ = ["LIST_ACTIONS", "Arg", "ListAction"]

GqlType = Literal["String", "ID", "Int", "Boolean"]


@dataclass(frozen=True)
class Arg:
    """One input and the GraphQL argument (of ``gql_type``) it is sent as."""

    input: InputManifest
    name: str
    gql_type: GqlType = "String"
    only_when_true: bool = False

    def value(self, raw: Any) -> Any:
        """The argument's value, or None when the input sends nothing."""
        if is_unset(raw):
            return None
        key = self.input.key
        if self.gql_type == "Boolean":
            chosen = as_bool(raw, key=key)
            return None if self.only_when_true and not chosen else chosen
        if self.gql_type == "Int":
            return as_int(raw, key=key)
        return to_text(raw)


@dataclass(frozen=True)
class ListAction:
    """A list action: its key and labels, the root query field, what it selects, its inputs."""

    key: str
    label: str
    description: str
    root: str
    fields: str
    args: tuple[Arg, ...] = ()

    def query(self, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The query with the arguments whose inputs are set, and its variables."""
        variables = {
            a.name: v for a in self.args if (v := a.value(inputs.get(a.input.key))) is not None
        }
        used = [a for a in self.args if a.name in variables]
        declared = ", ".join(f"${a.name}: {a.gql_type}" for a in used)
        passed = ", ".join(f"{a.name}: ${a.name}" for a in used)
        header = f"query {self.key}({declared})" if used else f"query {self.key}"
        field = f"{self.root}({passed})" if used else self.root
        return f"{header} {{ {field} {{ nodes {{ {self.fields} }} {PAGE_INFO} }} }}", variables

    async def run(self, ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
        """Send the query; ``{status, data}``."""
        query, variables = self.query(inputs)
        return await call(ctx, inputs, self.key, query, variables)

    def declaration(self) -> ActionDecl:
        """The action as the component registers it."""
        inputs = with_connection(*(a.input for a in self.args))
        return ActionDecl(self.key, self.label, self.description, inputs, self.run)


_AFTER = Arg(AFTER, "after")
_BEFORE = Arg(BEFORE, "before")
_FIRST = Arg(FIRST, "first", "Int")
_LAST = Arg(LAST, "last", "Int")
_OFFSET = Arg(OFFSET, "offset", "Int")
_NAME = Arg(NAME, "name")
_NAME_CONTAINS = Arg(NAME_CONTAINS, "name_Icontains")
_DESCRIPTION = Arg(DESCRIPTION, "description")
_DESCRIPTION_CONTAINS = Arg(DESCRIPTION_CONTAINS, "description_Icontains")
_LABEL_CONTAINS = Arg(LABEL_CONTAINS, "labels_Contains")


def _only(key: str, label: str, comments: str, arg: str) -> Arg:
    return Arg(flag(key, label, "false", comments), arg, "Boolean", only_when_true=True)


def _matches(key: str, label: str, default: str) -> Arg:
    comments = f"Filter for objects where {key} matches the specified value."
    return Arg(flag(key, label, default, comments), key, "Boolean")


_CUSTOMER_EXTERNAL_ID = Input(
    "customerExternalId", "Customer External Id", comments="Provide the customer external Id."
)

LIST_INSTANCES = ListAction(
    "listInstances",
    "List Instances",
    "List all instances",
    "instances",
    INSTANCE_FIELDS,
    (
        _NAME,
        _BEFORE,
        _AFTER,
        Arg(
            Input(
                "customer",
                "Customer",
                comments="Provide the unique identifier of a customer. This value should be an Id",
            ),
            "customer",
            "ID",
        ),
        _OFFSET,
        Arg(
            Input(
                "compatibility",
                "Compatibility",
                comments="Provide an integer value to filter by compatibility.",
            ),
            "compatibility",
            "Int",
        ),
        Arg(_CUSTOMER_EXTERNAL_ID, "customer_ExternalId"),
        _DESCRIPTION,
        _DESCRIPTION_CONTAINS,
        _matches("enabled", "Enabled", "true"),
        _FIRST,
        Arg(
            Input(
                "integration",
                "Integration",
                comments="Provide an identifier for the integration. This value should be an id.",
            ),
            "integration",
            "ID",
        ),
        _LABEL_CONTAINS,
        _LAST,
        _NAME_CONTAINS,
        _matches("needsDeploy", "Needs Deploy", "false"),
    ),
)

LIST_CUSTOMERS = ListAction(
    "listCustomers",
    "List Customers",
    "List all customers in an organization",
    "customers",
    CUSTOMER_FIELDS,
    (
        _BEFORE,
        _AFTER,
        _NAME,
        _OFFSET,
        Arg(
            Input("externalId", "External Id", comments="Provide the customer external Id."),
            "externalId",
        ),
        _DESCRIPTION_CONTAINS,
        _FIRST,  # not in the seed's table; forward paging needs it
        _LABEL_CONTAINS,
        _LAST,
        _NAME_CONTAINS,
        Arg(
            Input(
                "nameStartsWith",
                "Name Starts With",
                comments="Provide a value for the start of the customer name",
            ),
            "name_Istartswith",
        ),
    ),
)


LIST_INTEGRATIONS = ListAction(
    "listIntegrations",
    "List Integrations",
    "List all available integrations",
    "integrations",
    INTEGRATION_FIELDS,
    (
        _AFTER,
        _BEFORE,
        _NAME,
        _OFFSET,
        _only(
            "allVersions",
            "All Versions",
            "Return all versions instead of only the latest",
            "allVersions",
        ),
        Arg(
            Input(
                "category",
                "Category",
                comments="Filter for objects where category matches the specified value.",
            ),
            "category",
        ),
        Arg(
            Input(
                "categoryContains",
                "Category Contains",
                comments="Filter for objects where category contains the specified value (case "
                "insensitive).",
            ),
            "category_Icontains",
        ),
        _DESCRIPTION,
        _DESCRIPTION_CONTAINS,
        _FIRST,
        _only(
            "hasInstances",
            "Has Instances",
            "Return only Integrations that have Instances",
            "hasInstances",
        ),
        _matches("hasUnpublishedChanges", "Has Unpublished Changes", "true"),
        _LABEL_CONTAINS,
        _LAST,
        _only(
            "marketplace",
            "Marketplace",
            "Returns only the version of Integrations either deployed or available in the "
            "Marketplace",
            "marketplace",
        ),
        Arg(
            Input(
                "marketplaceConfig",
                "Marketplace Config",
                comments="Return only integrations sharing the provided marketplace config",
            ),
            "marketplaceConfiguration",
        ),
        _NAME_CONTAINS,
        _matches("versionIsAvailable", "Version Is Available", "true"),
        Arg(
            Input(
                "versionNumber",
                "Version Number",
                comments="Provide an integer value to filter by version number.",
            ),
            "versionNumber",
            "Int",
        ),
        Arg(
            Input(
                "versionSequenceId",
                "Version Sequence Id",
                comments="Return only integrations sharing the provided version sequence id.",
            ),
            "versionSequenceId",
            "ID",
        ),
    ),
)

LIST_COMPONENTS = ListAction(
    "listComponents",
    "List Components",
    "Returns a list of all the components published to your account",
    "components",
    "id key label description public category versionNumber",
)

LIST_ACTIONS: tuple[ListAction, ...] = (
    LIST_COMPONENTS,
    LIST_CUSTOMERS,
    LIST_INSTANCES,
    LIST_INTEGRATIONS,
)
