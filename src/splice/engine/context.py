"""``RunContext``: everything one run needs from outside the engine, passed in explicitly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from splice.components.context import InvokeFlow, StateStore

__all__ = ["Limits", "RunContext", "Sleep"]

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-run limits; a breach fails the step (or the run) with a message naming the limit."""

    step_timeout_seconds: float = 300
    execution_timeout_seconds: float = 900
    max_result_bytes: int = 10 * 1024 * 1024
    max_loop_iterations: int = 10_000
    max_log_line_chars: int = 4096


def _empty() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class RunContext:
    """Identity, config, ports and limits of one run.

    ``resume_results`` maps step paths to the data of steps that already succeeded in an earlier
    run: those steps are skipped and their data reused (resume from the failed step).
    ``sleep`` waits between step retries; tests pass a fake so that nothing really waits.
    ``platform_url`` is the URL of the server running the flow (the ``prismatic`` component's
    default target).
    """

    execution_id: str
    config_vars: Mapping[str, Any]
    state: StateStore
    instance: Mapping[str, Any] = field(default_factory=_empty)
    customer: Mapping[str, Any] = field(default_factory=_empty)
    integration: Mapping[str, Any] = field(default_factory=_empty)
    flow_info: Mapping[str, Any] = field(default_factory=_empty)
    webhook_urls: Mapping[str, str] = field(default_factory=_empty)
    http_transport: httpx.AsyncBaseTransport | None = None
    invoke_flow: InvokeFlow | None = None
    limits: Limits = field(default_factory=Limits)
    resume_results: Mapping[str, Any] = field(default_factory=_empty)
    sleep: Sleep = asyncio.sleep
    platform_url: str = ""
