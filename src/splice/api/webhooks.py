"""``/trigger/<ID>``: route to a flow config, commit the execution row, answer, then dispatch.

The ID is a flow config's (flow-specific), an instance's (instance-specific) or an integration's
(shared); ``services.webhook_routing`` turns the last two into a flow config.

Asynchronous callers get ``{"executionId"}`` plus the ``prismatic-executionid`` header as soon as
the row (with the payload) is committed. Synchronous callers (``isSynchronous`` flows or the
``prismatic-synchronous: true`` header) wait for the run, bounded by the sync timeout, and always
get an answer: the last step's result, the failure, or 202 with the execution ID when it runs on.
"""

from __future__ import annotations

import asyncio
import base64
import os
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from splice.api.deps import ServicesDep
from splice.services.executions import WebhookRequest
from splice.store.tables import Execution

__all__ = ["router"]

router = APIRouter()
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
POLL_SECONDS = 0.05


@router.api_route("/trigger/{flow_config_id}", methods=METHODS, include_in_schema=False)
@router.api_route(
    "/trigger/{flow_config_id}/{path_fragment:path}", methods=METHODS, include_in_schema=False
)
async def trigger(
    flow_config_id: str, request: Request, services: ServicesDep, path_fragment: str = ""
) -> Response:
    """Accept a webhook call for one flow of one instance."""
    incoming = WebhookRequest(
        method=request.method,
        url=str(request.url),
        headers=dict(request.headers),
        query=dict(request.query_params),
        body=await request.body(),
        path_fragment=path_fragment,
    )
    worker = f"http-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    # instance-specific and shared URLs are routed to one flow config first
    flow_config_id = await services.webhook_routing.flow_config_for(flow_config_id, incoming)
    accepted = await services.executions.accept_webhook(
        flow_config_id, incoming, claim_if_sync=worker
    )
    headers = {"prismatic-executionid": accepted.global_id}
    if not accepted.synchronous:
        await request.app.state.dispatcher.submit(accepted.execution_id)
        return JSONResponse({"executionId": accepted.global_id}, headers=headers)
    run = asyncio.ensure_future(_run_to_end(services, accepted.execution_id, worker))
    timeout = services.settings.limits.sync_timeout_seconds
    try:
        execution = await asyncio.wait_for(asyncio.shield(run), timeout)
    except TimeoutError:
        return JSONResponse(
            {
                "executionId": accepted.global_id,
                "status": "running",
                "message": f"the flow did not finish within {timeout:g} s; "
                "fetch its result with the execution ID",
            },
            status_code=202,
            headers=headers,
        )
    return _sync_answer(execution, accepted.global_id, headers)


async def _run_to_end(services: ServicesDep, execution_id: uuid.UUID, worker: str) -> Execution:
    finished = await services.executions.run(execution_id, worker=worker, claimed=True)
    while finished is None or finished.ended_at is None:
        # another worker claimed it first (the sweeper raced us): wait for its end state
        await asyncio.sleep(POLL_SECONDS)
        finished = await services.executions.get_unchecked(execution_id)
    return finished


def _sync_answer(execution: Execution, execution_id: str, headers: dict[str, str]) -> Response:
    if execution.status == "failed":
        return JSONResponse(
            {"executionId": execution_id, "error": execution.error or "the execution failed"},
            status_code=500,
            headers=headers,
        )
    response = execution.response or {}
    if not response:
        return JSONResponse({"executionId": execution_id}, headers=headers)
    body = response.get("body", "")
    content = base64.b64decode(body) if response.get("bodyIsBase64") else str(body).encode()
    merged = {**dict(response.get("headers") or {}), **headers}
    return Response(
        content,
        status_code=int(response.get("statusCode") or 200),
        media_type=response.get("contentType") or "application/json",
        headers=merged,
    )


@router.get("/results/{token}", include_in_schema=False)
async def step_result(token: str, services: ServicesDep) -> Response:
    """A step's MessagePack ``{data, contentType}``, behind a signed short-lived URL."""
    blob = await services.execution_queries.result_blob(token)
    return Response(blob, media_type="application/x-msgpack")
