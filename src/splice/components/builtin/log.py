"""The `log` core component: write execution log lines."""

from __future__ import annotations

from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_str
from splice.components.sdk import Input, component

__all__ = ["COMPONENT", "MANIFEST"]

_log = component(
    "log",
    label="Log",
    description="Write execution log lines",
    category="Logic",
)

_LEVELS = {"debug": "debug", "info": "info", "warn": "warn", "warning": "warn", "error": "error"}


@_log.action(
    "writeLog",
    label="Write Log Message",
    description="Writes one execution log line",
    inputs=(
        Input("level", "Log Level", type="picklist", default="info"),
        Input("message", "Message", required=True),
    ),
)
async def write_log(ctx: ActionContext, inputs: dict[str, Any]) -> None:
    level = _LEVELS.get(as_str(inputs.get("level")).strip().lower() or "info")
    if level is None:
        raise InputValueError(
            f"must be debug, info, warn or error, got {inputs.get('level')!r}", "level"
        )
    getattr(ctx.logger, level)(as_str(inputs.get("message")))


COMPONENT = _log.build()
MANIFEST = COMPONENT.manifest
