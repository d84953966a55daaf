"""The executable schema: SDL files from ``schema/`` bound to the resolver modules."""

from __future__ import annotations

from pathlib import Path

from ariadne import load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema

from splice.api.graphql.fallback import FallbackResolvers
from splice.api.graphql.resolvers import (
    components,
    customers,
    data_sources,
    endpoints,
    execution_queue,
    executions,
    instances,
    integrations,
    marketplace,
    organization,
    scoped_connections,
)
from splice.api.graphql.scalars import SCALARS

__all__ = ["build_schema"]

SCHEMA_DIR = Path(__file__).parent / "schema"


def build_schema() -> GraphQLSchema:
    """Load and validate the SDL, then bind resolvers (fails fast on any mismatch)."""
    type_defs = load_schema_from_path(str(SCHEMA_DIR))
    return make_executable_schema(
        type_defs,
        *SCALARS,
        *organization.BINDABLES,
        *scoped_connections.BINDABLES,
        *customers.BINDABLES,
        *integrations.BINDABLES,
        *instances.BINDABLES,
        *marketplace.BINDABLES,
        *data_sources.BINDABLES,
        *components.BINDABLES,
        *executions.BINDABLES,
        *execution_queue.BINDABLES,
        *endpoints.BINDABLES,
        FallbackResolvers(),
    )
