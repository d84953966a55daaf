"""Resolvers of data sources: run the one behind an instance's config variable."""

from __future__ import annotations

import json
from typing import Any

from ariadne import ObjectType

from splice.api.graphql.resolvers.common import Info, ctx, payload
from splice.services.data_sources import DataSourceLog, DataSourceRun
from splice.store.tables import Instance

__all__ = ["BINDABLES"]

mutation = ObjectType("RootMutation")
result_type = ObjectType("DataSourceResult")
instance_type = ObjectType("Instance")


@mutation.field("runInstanceDataSource")
@payload("dataSourceResult")
async def resolve_run(_: Any, info: Info, input: dict[str, Any]) -> DataSourceRun:
    c = ctx(info)
    return await c.services.data_sources.run(
        c.actor,
        input["id"],
        input["configVariableKey"],
        config_variables=input.get("configVariables"),
    )


@result_type.field("result")
def resolve_result(run: DataSourceRun, _: Info) -> str:
    return json.dumps(run.result)


@result_type.field("supplementalData")
def resolve_supplemental(run: DataSourceRun, _: Info) -> str | None:
    return None if run.supplemental_data is None else json.dumps(run.supplemental_data)


@instance_type.field("dataSourceLogs")
async def resolve_logs(
    instance: Instance, info: Info, configVariableKey: str | None = None, first: int | None = None
) -> list[DataSourceLog]:
    c = ctx(info)
    return await c.services.data_sources.logs(
        c.actor, instance, config_variable_key=configVariableKey, limit=first or 100
    )


BINDABLES = [mutation, result_type, instance_type]
