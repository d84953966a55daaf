"""The `sleep` core component: wait before the next step (spec 15).

``make_component(sleep=...)`` takes the coroutine that waits, so tests pass a fake and never
sleep; ``COMPONENT`` uses ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_number
from splice.components.sdk import ComponentSpec, Input, component

__all__ = ["COMPONENT", "MANIFEST", "MAX_MS", "Sleeper", "make_component"]

Sleeper = Callable[[float], Awaitable[Any]]
MAX_MS = 15 * 60 * 1000
"""An execution may run 15 minutes (runtime semantics 2.6), so no single sleep is longer."""


def make_component(*, sleep: Sleeper = asyncio.sleep) -> ComponentSpec:
    """The component, waiting with ``sleep(seconds)``."""
    builder = component(
        "sleep", label="Sleep", description="Wait before the next step", category="Logic"
    )

    @builder.action(
        "sleep",
        label="Sleep",
        description="Waits the given number of milliseconds",
        inputs=(Input("ms", "Milliseconds", default="1000"),),
    )
    async def sleep_action(ctx: ActionContext, inputs: dict[str, Any]) -> None:
        ms = as_number(inputs.get("ms"), 1000, key="ms")
        if ms < 0 or ms > MAX_MS:
            raise InputValueError(f"expects 0 to {MAX_MS} milliseconds, got {ms}", "ms")
        await sleep(ms / 1000)

    return builder.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest
