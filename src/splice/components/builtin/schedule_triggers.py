"""The `schedule-triggers` core component: start a flow on a cron schedule (the trigger step's schedule).

The trigger passes the scheduler's payload (no request data) through as its results.
"""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.sdk import component

__all__ = ["COMPONENT", "MANIFEST"]

_schedule = component(
    "schedule-triggers",
    label="Schedule",
    description="Start a flow on a cron schedule (the trigger step's schedule)",
    category="Triggers",
)


@_schedule.trigger(
    "schedule",
    label="Schedule",
    description="Runs on the schedule set on the trigger step",
    schedule_support="REQUIRED",
)
def schedule(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
    return ctx.trigger_payload


COMPONENT = _schedule.build()
MANIFEST = COMPONENT.manifest
