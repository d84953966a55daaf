"""What the engine emits: step results and log lines (through the ``ResultSink`` port), and the
``ExecutionResult`` it returns. The sink is the engine's only output; persisting is its job."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

__all__ = [
    "ExecutionResult",
    "ExecutionStatus",
    "LogEntry",
    "LogSection",
    "ResultSink",
    "StepResult",
    "StepStatus",
    "WebhookResponse",
]

StepStatus = Literal["succeeded", "failed", "ignored"]
ExecutionStatus = Literal["succeeded", "failed", "stopped"]
Severity = Literal["debug", "info", "warn", "error", "metric"]


@dataclass(frozen=True, slots=True)
class StepResult:
    """One finished step; ``path`` is unique per run (see engine/README.md), ``data`` what later
    steps see as ``<key>.results`` (None for failed and ignored steps)."""

    path: str
    key: str
    name: str
    status: StepStatus
    started_at: datetime
    ended_at: datetime
    data: Any
    content_type: str | None
    error: str | None
    # ``data`` in its recorded form (engine.response.recorded_form) when the engine measured it
    recorded: tuple[str | bytes, str] | None = None


@dataclass(frozen=True, slots=True)
class LogSection:
    """A labelled group of log lines: the engine opens one per step run that logs (a loop
    iteration's step is its own section); prism 10.4 prints ``[label] message``."""

    id: uuid.UUID
    label: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One execution log line; ``step_path`` and ``section`` are None for lines about the whole
    execution. A sink stores a section the first time a line names it."""

    timestamp: datetime
    severity: Severity
    message: str
    step_path: str | None
    section: LogSection | None = None


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """An HTTP answer for a webhook caller."""

    status_code: int
    content_type: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """How a run ended.

    ``response`` is the answer for the caller (precedence in engine/README.md): the stop-execution
    response when stopped; otherwise, for a synchronous invocation, the last completed step's
    response; otherwise the trigger's async response when it sets one; else the last step's.
    ``trigger_response`` is always the trigger's async response (None when it sets none).
    """

    status: ExecutionStatus
    data: Any
    response: WebhookResponse | None
    error: str | None
    failed_step: str | None
    trigger_response: WebhookResponse | None = field(default=None)


class ResultSink(Protocol):
    """Receives results as they happen; called in order, one call at a time."""

    async def step_finished(self, result: StepResult) -> None: ...

    async def log(self, entry: LogEntry) -> None: ...
