"""The answer for an asynchronous webhook caller, known before the flow runs.

The webhook handler answers async callers at once, so it cannot wait for the trigger to run.
This computes the same response the ``webhook-triggers.webhook`` trigger will report, from the
trigger step's response inputs (values and config variables; references resolve to nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from splice.components.builtin.webhook_triggers import response_from_inputs
from splice.definition import Flow
from splice.engine.inputs import Scope, compile_input
from splice.engine.response import http_response
from splice.engine.results import WebhookResponse

__all__ = ["webhook_trigger_response"]

_KEYS = ("statusCode", "contentType", "headers", "body")


def webhook_trigger_response(
    flow: Flow, *, config_vars: Mapping[str, Any], execution_id: str
) -> WebhookResponse | None:
    """The trigger's async response, or None when the trigger sets none (use the default)."""
    if not flow.steps or not flow.steps[0].is_trigger:
        return None
    step = flow.steps[0]
    if (step.action.component.key, step.action.key) != ("webhook-triggers", "webhook"):
        return None
    scope = Scope(config_vars)
    inputs: dict[str, Any] = {}
    for key in _KEYS:
        given = step.inputs.get(key)
        if given is not None:
            inputs[key] = compile_input(given.type, given.value, None)(scope)
    response = response_from_inputs(inputs)
    return http_response(response, execution_id) if response is not None else None
