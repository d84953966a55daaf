"""The `schedule-triggers` core component: start a flow on a cron schedule (the trigger step's schedule)."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="schedule-triggers",
    version=1,
    label="Schedule",
    description="Start a flow on a cron schedule (the trigger step's schedule)",
    category="Triggers",
    actions=(
        ActionManifest(
            key="schedule",
            label="Schedule",
            description="Runs on the schedule set on the trigger step",
            is_trigger=True,
            schedule_support="REQUIRED",
        ),
    ),
)
