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
from urllib.parse import parse_qsl

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import URL
from starlette.types import Receive, Scope, Send

from splice.api.deps import ServicesDep
from splice.errors import UserError
from splice.services import Services
from splice.services.executions import WebhookRequest
from splice.store.tables import Execution

__all__ = ["TriggerRoute", "is_trigger_path", "router"]

router = APIRouter()
ALLOWED = ("GET", "POST", "PUT", "PATCH", "DELETE")
METHODS = frozenset(ALLOWED)
PREFIX = "/trigger/"
POLL_SECONDS = 0.05


class TriggerRoute:
    """The ASGI app answering ``/trigger/<ID>[/<path fragment>]`` (``is_trigger_path``).

    Webhooks are the busiest route and need none of FastAPI's routing, dependency solving,
    request parsing or middleware: ``SpliceApp`` hands them here before its own stack. User
    errors get the same JSON answer as the app's problem handlers.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in METHODS:
            refused = JSONResponse(
                {"error": "MethodNotAllowed", "message": f"webhooks take {', '.join(ALLOWED)}"},
                status_code=405,
                headers={"Allow": ", ".join(ALLOWED)},
            )
            await refused(scope, receive, send)
            return
        path: str = scope["path"]
        flow_config_id, _, path_fragment = path[len(PREFIX) :].partition("/")
        try:
            response = await trigger(
                scope, await _body(receive), flow_config_id, path_fragment, self.services
            )
        except UserError as exc:
            response = JSONResponse(
                {"error": type(exc).__name__, "message": exc.text, "field": exc.field},
                status_code=exc.status_code,
            )
        await response(scope, receive, send)


def is_trigger_path(scope: Scope) -> bool:
    """Whether an ASGI scope is a webhook call (``/trigger/`` and something after it)."""
    if scope["type"] != "http":
        return False
    path: str = scope["path"]
    return path.startswith(PREFIX) and len(path) > len(PREFIX)


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def trigger(
    scope: Scope, body: bytes, flow_config_id: str, path_fragment: str, services: Services
) -> Response:
    """Accept a webhook call for one flow of one instance."""
    incoming = WebhookRequest(
        method=scope["method"],
        url=str(URL(scope=scope)),
        headers={k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
        query=dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)),
        body=body,
        path_fragment=path_fragment,
    )
    worker = f"http-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    # instance-specific and shared URLs are routed to one flow config first
    flow_config_id = await services.webhook_routing.flow_config_for(flow_config_id, incoming)
    dispatcher = scope["app"].state.dispatcher
    accepted = await services.executions.accept_webhook(
        flow_config_id, incoming, claim_if_sync=worker, workers=dispatcher
    )
    headers = {"prismatic-executionid": accepted.global_id}
    if not accepted.synchronous:
        await dispatcher.submit(accepted.execution_id, claimed_by=accepted.claimed_by)
        if accepted.response is not None:  # set by the trigger's response inputs
            answer = accepted.response
            return Response(
                answer.body,
                status_code=answer.status_code,
                media_type=answer.content_type,
                headers={**answer.headers, **headers},
            )
        return JSONResponse({"executionId": accepted.global_id}, headers=headers)
    run = asyncio.ensure_future(_run_to_end(services, accepted.execution_id, worker))
    timeout = services.settings.limits.sync_timeout_seconds
    done, _ = await asyncio.wait((run,), timeout=timeout)  # on timeout the run goes on
    if not done:
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
    return _sync_answer(run.result(), accepted.global_id, headers)


async def _run_to_end(services: Services, execution_id: uuid.UUID, worker: str) -> Execution:
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


@router.get("/payloads/{token}", include_in_schema=False)
async def execution_payload(token: str, services: ServicesDep) -> Response:
    """An execution's request or response payload as JSON, behind a signed short-lived URL."""
    blob = await services.execution_queries.payload_blob(token)
    return Response(blob, media_type="application/json")
