"""``rawRequest``: any query or mutation, its key/value variables typed from the query.

Key/value inputs arrive as text (``limit: "50"``); an ``Int`` variable gets ``50``, a
``Boolean`` ``true``, lists and input objects parse JSON text, and empty text for any
non-``String`` type is null. The whole response body is the result's ``data``.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import (
    GraphQLError,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)

from splice.components.builtin.prismatic.client import ActionDecl, call, required
from splice.components.builtin.prismatic.inputs import with_connection
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_bool, as_int, kv_pairs
from splice.components.sdk import Input

__all__ = ["RAW_REQUEST"]

_RAW_DEFAULT = """query ($myCustomerId: ID!) {
  customer(id: $myCustomerId) {
    id
    name
    externalId
  }
}"""


async def raw_request(ctx: ActionContext, inputs: dict[str, Any]) -> dict[str, Any]:
    query = required(inputs, "query")
    variables = _typed_variables(query, kv_pairs(inputs.get("variables"), key="variables"))
    return await call(ctx, inputs, "rawRequest", query, variables, whole_body=True)


def _base_type(node: TypeNode) -> tuple[str, bool]:
    """The named type under non-null wrappers, and whether it is a list."""
    while isinstance(node, NonNullTypeNode):
        node = node.type
    if isinstance(node, ListTypeNode):
        return "", True
    assert isinstance(node, NamedTypeNode)
    return node.name.value, False


def _typed_variables(query: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Variables from a key/value list, text converted to the types the query declares."""
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


RAW_REQUEST = ActionDecl(
    "rawRequest",
    "Raw GraphQL Request",
    "Send raw GraphQL request to Prismatic",
    with_connection(
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
    raw_request,
)
