"""The `management-triggers` core component: start a flow when an instance is deployed or removed.

Both triggers pass the platform's payload (instance, customer, webhook URLs, ...) through.
"""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.sdk import component

__all__ = ["COMPONENT", "MANIFEST"]

_management = component(
    "management-triggers",
    label="Management Triggers",
    description="Start a flow when an instance is deployed or removed",
    category="Triggers",
)


@_management.trigger(
    "instanceDeploy",
    label="Instance Deploy",
    description="Runs when an instance is deployed, and again on every redeploy",
)
def instance_deploy(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    return ctx.trigger_payload


@_management.trigger(
    "instanceRemove",
    label="Instance Remove",
    description="Runs when an instance is removed",
)
def instance_remove(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    return ctx.trigger_payload


COMPONENT = _management.build()
MANIFEST = COMPONENT.manifest
