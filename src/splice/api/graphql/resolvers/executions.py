"""Resolvers of executions, step results, logs, replay and test runs."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from ariadne import ObjectType

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
from splice.api.graphql.resolvers.integrations import shape_flow
from splice.errors import NotFound
from splice.services.executions import WebhookRequest
from splice.store.tables import Execution, ExecutionLog, ExecutionStep

__all__ = ["BINDABLES"]

query = ObjectType("RootQuery")
mutation = ObjectType("RootMutation")
execution_type = ObjectType("InstanceExecutionResult")
step_type = ObjectType("InstanceStepResult")
log_type = ObjectType("Log")

EMPTY_PAGE = {
    "hasNextPage": False,
    "hasPreviousPage": False,
    "startCursor": None,
    "endCursor": None,
}


@query.field("executionResult")
async def resolve_execution(_: Any, info: Info, id: str) -> Execution:
    c = ctx(info)
    return await c.services.execution_queries.get(c.actor, id)


@query.field("executionResults")
async def resolve_executions(
    _: Any,
    info: Info,
    instance: str | None = None,
    isTestExecution: bool | None = None,
    status: str | None = None,
    error_Isnull: bool | None = None,
    replayForExecution_Isnull: bool | None = None,
    retryForExecution_Isnull: bool | None = None,
    flowConfig_Flow: str | None = None,
    startedAt_Gte: datetime | None = None,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    page = await c.services.execution_queries.search(
        c.actor,
        page_request(**paging),
        instance=instance,
        is_test=isTestExecution,
        status=status,
        failed=_negated(error_Isnull),
        replay=_negated(replayForExecution_Isnull),
        retry=_negated(retryForExecution_Isnull),
        flow=flowConfig_Flow,
        started_from=startedAt_Gte,
    )
    return connection(page)


def _negated(is_null: bool | None) -> bool | None:
    """An ``_Isnull`` filter as "has one": None stays None (no filter)."""
    return None if is_null is None else not is_null


@query.field("logs")
async def resolve_logs(
    _: Any,
    info: Info,
    executionResult: str | None = None,
    after: str | None = None,
    first: int | None = None,
    **__: Any,
) -> dict[str, Any]:
    c = ctx(info)
    if not executionResult:
        return {"edges": [], "nodes": [], "pageInfo": EMPTY_PAGE}
    page = await c.services.execution_queries.logs(
        c.actor, executionResult, after=after, first=first
    )
    edges = [{"node": row, "cursor": cursor} for row, cursor in page.entries]
    return {
        "edges": edges,
        "nodes": [row for row, _ in page.entries],
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": bool(after),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


@query.field("executionSections")
async def resolve_sections(
    _: Any,
    info: Info,
    executionResult: str | None = None,
    sectionId_In: list[Any] | None = None,
    orderBy: dict[str, str] | None = None,
) -> dict[str, Any]:
    if not executionResult:
        return list_connection([])
    c = ctx(info)
    rows = await c.services.execution_queries.sections(
        c.actor,
        executionResult,
        sectionId_In,
        descending=bool(orderBy and orderBy.get("direction") == "DESC"),
    )
    return list_connection([{"sectionId": str(row.id), "label": row.label} for row in rows])


@execution_type.field("id")
def resolve_id(execution: Execution, _: Info) -> str:
    return ids.encode("InstanceExecutionResult", execution.id)


@execution_type.field("isTestExecution")
def resolve_is_test(execution: Execution, _: Info) -> bool:
    return execution.is_test


@execution_type.field("instance")
async def resolve_instance(execution: Execution, info: Info) -> Any:
    c = ctx(info)
    return await c.services.instances.get(c.actor, ids.encode("Instance", execution.instance_id))


@execution_type.field("replayForExecution")
async def resolve_replay_of(execution: Execution, info: Info) -> Any:
    return await _linked(info, execution.replay_of_id)


@execution_type.field("retryForExecution")
async def resolve_retry_of(execution: Execution, info: Info) -> Any:
    return await _linked(info, execution.retry_of_id)


async def _linked(info: Info, execution_id: uuid.UUID | None) -> Execution | None:
    if execution_id is None:
        return None
    c = ctx(info)
    return await c.services.executions.get(
        c.actor, ids.encode("InstanceExecutionResult", execution_id)
    )


@execution_type.field("retryCount")
def resolve_retry_count(execution: Execution, _: Info) -> int:
    return max(execution.attempt - 1, 0)


INVOKE_TYPES = {
    "webhook": "WEBHOOK",
    "schedule": "SCHEDULED",
    "cross_flow": "CROSS_FLOW",
    "deploy_flow": "DEPLOY_FLOW",
    "tear_down_flow": "TEAR_DOWN_FLOW",
}


@execution_type.field("invokeType")
def resolve_invoke_type(execution: Execution, _: Info) -> str:
    if execution.is_test and execution.trigger_kind == "webhook":
        return "INTEGRATION_FLOW_TEST"
    return INVOKE_TYPES.get(execution.trigger_kind, "WEBHOOK")


@execution_type.field("flow")
async def resolve_flow(execution: Execution, info: Info) -> dict[str, Any] | None:
    c = ctx(info)
    flow = await c.services.execution_queries.flow(execution)
    if flow is None or execution.flow_config_id is None:
        return None
    config_id = ids.encode("InstanceFlowConfig", execution.flow_config_id)
    try:
        view = await c.services.instances.flow_config(c.actor, config_id)
    except NotFound:
        return None
    return shape_flow(info, view.record, flow, view.id)


@execution_type.field("requestPayloadUrl")
def resolve_request_payload_url(execution: Execution, info: Info) -> str:
    c = ctx(info)
    return (
        f"{c.base_url}/payloads/{c.services.execution_queries.payload_token(execution, 'request')}"
    )


@execution_type.field("responsePayloadUrl")
def resolve_response_payload_url(execution: Execution, info: Info) -> str | None:
    if not execution.response:
        return None
    c = ctx(info)
    token = c.services.execution_queries.payload_token(execution, "response")
    return f"{c.base_url}/payloads/{token}"


@execution_type.field("stepResults")
async def resolve_steps(
    execution: Execution,
    info: Info,
    orderBy: dict[str, str] | None = None,
    displayStepName: str | None = None,
    **paging: Any,
) -> dict[str, Any]:
    c = ctx(info)
    descending = bool(orderBy and orderBy.get("direction") == "DESC")
    page = await c.services.execution_queries.steps(
        c.actor,
        execution,
        page_request(**paging),
        name=displayStepName,
        descending=descending,
    )
    return connection(page)


@step_type.field("id")
def resolve_step_id(step: ExecutionStep, _: Info) -> str:
    return ids.encode("InstanceStepResult", step.id)


@step_type.field("stepName")
def resolve_step_name(step: ExecutionStep, _: Info) -> str:
    return step.step_key


@step_type.field("displayStepName")
def resolve_display_name(step: ExecutionStep, _: Info) -> str:
    return step.step_name


@step_type.field("resultsUrl")
def resolve_results_url(step: ExecutionStep, info: Info) -> str:
    c = ctx(info)
    return f"{c.base_url}/results/{c.services.execution_queries.result_token(step)}"


@log_type.field("id")
def resolve_log_id(row: ExecutionLog, _: Info) -> str:
    return ids.encode("Log", row.id)


@log_type.field("sectionId")
def resolve_log_section(row: ExecutionLog, _: Info) -> str | None:
    return str(row.section_id) if row.section_id is not None else None


@mutation.field("replayExecution")
@payload("instanceExecutionResult")
async def replay(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    execution = await c.services.executions.replay(c.actor, required_id(input))
    await c.submit(execution.id)
    return execution


@mutation.field("resumeExecution")
@payload("instanceExecutionResult")
async def resume(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    execution = await c.services.executions.replay(c.actor, required_id(input), resume=True)
    await c.submit(execution.id)
    return execution


def _test_request(info: Info, data: dict[str, Any]) -> WebhookRequest:
    headers = {"content-type": data.get("contentType") or "application/json"}
    extra = data.get("headers")
    if isinstance(extra, str):
        extra = json.loads(extra or "{}")
    headers.update({str(k): str(v) for k, v in (extra or {}).items()})
    body = (data.get("payload") or "").encode()
    return WebhookRequest("POST", str(ctx(info).request.url), headers, {}, body)


@mutation.field("testIntegrationFlow")
@payload("testIntegrationFlowResult")
async def test_integration_flow(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    config_id = await c.services.integrations.test_flow_config_for(c.actor, input["id"])
    accepted = await c.services.executions.accept_webhook(
        ids.encode("InstanceFlowConfig", config_id), _test_request(info, input), is_test=True
    )
    await c.submit(accepted.execution_id)
    execution = await c.services.executions.get_unchecked(accepted.execution_id)
    return {"flowConfig": None, "execution": execution}


@mutation.field("testInstanceFlowConfig")
@payload("testInstanceFlowConfigResult")
async def test_instance_flow_config(_: Any, info: Info, input: dict[str, Any]) -> Any:
    c = ctx(info)
    flow_config = required_id(input)
    await c.services.instances.require_flow_config(c.actor, flow_config)
    accepted = await c.services.executions.accept_webhook(
        flow_config, _test_request(info, input), is_test=True
    )
    await c.submit(accepted.execution_id)
    execution = await c.services.executions.get_unchecked(accepted.execution_id)
    return {
        "flowConfig": await c.services.instances.flow_config(c.actor, flow_config),
        "execution": execution,
    }


BINDABLES = (query, mutation, execution_type, step_type, log_type)
