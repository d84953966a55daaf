"""The Splice engine: runs one flow of a definition against a component registry.

``run_flow(flow, trigger_payload, *, registry, sink, context)`` is the only entry point. The
engine does no I/O of its own: step results and log lines go to the ``ResultSink``, persisted
state to the ``StateStore`` in the ``RunContext``, HTTP through the transport it carries. Step
paths, input resolution, control flow and response precedence are described in README.md.
"""

from __future__ import annotations

from splice.components.context import InvokeFlow, StateStore
from splice.engine.compile import compile_flow
from splice.engine.context import Limits, RunContext, Sleep
from splice.engine.response import step_response
from splice.engine.results import (
    ExecutionResult,
    ExecutionStatus,
    LogEntry,
    LogSection,
    ResultSink,
    StepResult,
    StepStatus,
    WebhookResponse,
)
from splice.engine.runner import run_flow
from splice.engine.webhook import webhook_trigger_response

__all__ = [
    "ExecutionResult",
    "ExecutionStatus",
    "InvokeFlow",
    "Limits",
    "LogEntry",
    "LogSection",
    "ResultSink",
    "RunContext",
    "Sleep",
    "StateStore",
    "StepResult",
    "StepStatus",
    "WebhookResponse",
    "compile_flow",
    "run_flow",
    "step_response",
    "webhook_trigger_response",
]
