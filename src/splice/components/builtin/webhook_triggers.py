"""The `webhook-triggers` core component: start a flow with an HTTP request to the flow's webhook URL.

The trigger passes the request payload through as its results. Its four response inputs set the
answer an asynchronous caller gets (empty means the platform default ``{"executionId": ...}``).
"""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import as_int, as_str, kv_dict
from splice.components.sdk import HttpResponse, Input, TriggerResult, component

__all__ = ["COMPONENT", "MANIFEST", "response_from_inputs"]

_webhook = component(
    "webhook-triggers",
    label="Webhook",
    description="Start a flow with an HTTP request to the flow's webhook URL",
    category="Triggers",
)


def response_from_inputs(inputs: dict[str, Any]) -> HttpResponse | None:
    """The async caller's response from the trigger inputs; None when none is set."""
    status, content_type = inputs.get("statusCode"), inputs.get("contentType")
    headers, body = inputs.get("headers"), inputs.get("body")
    if all(v in (None, "", []) for v in (status, content_type, headers, body)):
        return None
    return HttpResponse(
        status_code=as_int(status, 200, key="statusCode"),
        content_type=as_str(content_type) or "application/json",
        headers={k: as_str(v) for k, v in kv_dict(headers, key="headers").items()},
        body=None if body in (None, "") else body,
    )


@_webhook.trigger(
    "webhook",
    label="Webhook",
    description="Runs when the flow's webhook URL receives a request",
    schedule_support="INVALID",
    inputs=(
        Input("statusCode", "Response Status Code", comments="For async callers"),
        Input("contentType", "Response Content Type"),
        Input("headers", "Response Headers", collection="keyvaluelist"),
        Input("body", "Response Body", type="text"),
    ),
)
def webhook(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    response = response_from_inputs(inputs)
    if response is None:
        return ctx.trigger_payload
    return TriggerResult(payload=ctx.trigger_payload, response=response)


COMPONENT = _webhook.build()
MANIFEST = COMPONENT.manifest
