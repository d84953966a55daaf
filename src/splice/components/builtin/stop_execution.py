"""The `stop-execution` core component: end the execution early (the response for sync callers).

The engine recognises this action: after it succeeds the run ends with status ``stopped`` and
the action's result (body, status code, content type, headers) is the caller's response.
"""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_int, as_str, kv_dict
from splice.components.sdk import ActionResult, Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_stop = component(
    "stop-execution",
    label="Stop Execution",
    description="End the execution early, with an HTTP response for synchronous callers",
    category="Logic",
)


@_stop.action(
    "stopExecution",
    label="Stop Execution",
    description="Ends the execution",
    inputs=(
        Input("statusCode", "Response Status Code", default="200"),
        Input("jsonBody", "Response Body", type="code"),
        Input("contentType", "Response Content Type", default="application/json"),
        Input("headers", "Response Headers", collection="keyvaluelist"),
    ),
)
def stop_execution(ctx: ActionContext, inputs: dict[str, Any]) -> ActionResult:
    body = inputs.get("jsonBody")
    status = as_int(inputs.get("statusCode"), 200, key="statusCode")
    if not 100 <= status <= 599:
        raise InputValueError(
            f"must be an HTTP status code from 100 to 599, got {status}", "statusCode"
        )
    return ActionResult(
        data=None if body == "" else body,
        status_code=status,
        content_type=as_str(inputs.get("contentType")) or "application/json",
        headers={k: as_str(v) for k, v in kv_dict(inputs.get("headers"), key="headers").items()},
    )


COMPONENT = _stop.build()
MANIFEST = COMPONENT.manifest
