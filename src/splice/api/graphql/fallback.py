"""Default field resolution: dict keys as named in the SDL, object attributes in snake_case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ariadne import SchemaBindable, convert_camel_case_to_snake
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

__all__ = ["FallbackResolvers"]


def _resolver_for(field_name: str) -> Any:
    snake = convert_camel_case_to_snake(field_name)

    def resolve(source: Any, _info: GraphQLResolveInfo[Any], **_: Any) -> Any:
        if isinstance(source, Mapping):
            return source.get(field_name)
        return getattr(source, snake, None)

    return resolve


class FallbackResolvers(SchemaBindable):
    """Give every field without a resolver one that reads a dict key or snake_case attribute."""

    def bind_to_schema(self, schema: GraphQLSchema) -> None:
        for type_object in schema.type_map.values():
            if isinstance(type_object, GraphQLObjectType) and not type_object.name.startswith("__"):
                for name, field in type_object.fields.items():
                    if field.resolve is None:
                        field.resolve = _resolver_for(name)
