"""Checks of enumerations and execution settings: error, retry and queue policies, schedules and
config var data types (spec sections 3, 4, 6 and 10.2; limits as spectral enforces them)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from splice.definition.flow_checks import all_steps
from splice.definition.issues import DefinitionIssue, Severity
from splice.definition.models import Flow, IntegrationDefinition, Step

__all__ = ["settings_issues"]

ERROR_HANDLERS = {"fail", "ignore", "retry"}
SCHEDULE_TYPES = {"value", "configVar"}
DATA_TYPES = {
    "string", "boolean", "number", "date", "timestamp", "picklist", "code", "schedule",
    "connection", "credential", "jsonForm", "objectSelection", "objectFieldMap", "htmlElement",
}  # fmt: skip
COLLECTION_TYPES = {"valuelist", "keyvaluelist"}


def settings_issues(model: IntegrationDefinition) -> list[DefinitionIssue]:
    """Issues with enumerated values and numeric limits; unknown data types are warnings."""
    issues: list[DefinitionIssue] = []
    for cv in model.required_config_vars:
        if cv.data_type is not None and cv.data_type not in DATA_TYPES:
            issues.append(
                DefinitionIssue(
                    None,
                    None,
                    None,
                    f"config variable '{cv.key}' has unknown dataType '{cv.data_type}'",
                    "use one of " + ", ".join(sorted(DATA_TYPES)),
                    "warning",
                )
            )
        if cv.time_zone and not _is_time_zone(cv.time_zone):
            issues.append(
                DefinitionIssue(
                    None,
                    None,
                    None,
                    f"config variable '{cv.key}' has unknown timeZone '{cv.time_zone}'",
                    "use an IANA name like Europe/Paris (or leave it empty for UTC)",
                )
            )
        if cv.collection_type is not None and cv.collection_type not in COLLECTION_TYPES:
            issues.append(
                DefinitionIssue(
                    None,
                    None,
                    None,
                    f"config variable '{cv.key}' has unknown collectionType '{cv.collection_type}'",
                    "use valuelist or keyvaluelist",
                )
            )
    for flow in model.flows:
        issues += _retry_issues(flow)
        issues += _queue_issues(flow, model.preprocess_flow_name)
        for step in all_steps(flow.steps):
            issues += _step_settings(flow.name, step)
    return issues


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _retry_issues(flow: Flow) -> list[DefinitionIssue]:
    """retryConfig limits (runtime-semantics 2.8): 0-10 attempts, 0-60 minutes apart, and only
    for flows invoked asynchronously."""
    retry = flow.retry_config
    if retry is None:
        return []
    found: list[DefinitionIssue] = []

    def add(message: str, fix: str) -> None:
        found.append(DefinitionIssue(flow.name, None, None, message, fix))

    attempts, delay = retry.max_attempts, retry.delay_minutes
    if attempts is not None and not 0 <= attempts <= 10:
        add(f"retryConfig.maxAttempts {attempts} is outside 0-10", "use 0 to 10")
    if delay is not None and not 0 <= delay <= 60:
        add(f"retryConfig.delayMinutes {delay} is outside 0-60", "use 0 to 60")
    if flow.is_synchronous and attempts:
        add(
            "a synchronous flow cannot have retryConfig (its caller waits for one run)",
            "remove retryConfig, or make the flow asynchronous",
        )
    return found


def _queue_issues(flow: Flow, preprocess_flow: str | None = None) -> list[DefinitionIssue]:
    """queueConfig rules as spectral enforces them (runtime-semantics 2.7, 3.6); each issue names
    the flow and the queueConfig field at fault."""
    queue = flow.queue_config
    if queue is None:
        return []
    found: list[tuple[str, str, str]] = []
    trigger = flow.steps[0] if flow.steps else None
    scheduled = trigger is not None and trigger.schedule is not None
    fifo = bool(queue.uses_fifo_queue)

    def add(field: str, message: str, fix: str) -> None:
        found.append((f"queueConfig.{field}", message, fix))

    if fifo and queue.singleton_executions:
        add(
            "usesFifoQueue",
            "queueConfig cannot use both usesFifoQueue and singletonExecutions",
            "keep usesFifoQueue for webhook flows or singletonExecutions for scheduled flows",
        )
    if fifo and scheduled:
        add(
            "usesFifoQueue",
            "a scheduled flow cannot use a FIFO queue",
            "remove usesFifoQueue, or use singletonExecutions to skip overlapping runs",
        )
    if fifo and flow.is_synchronous:
        add(
            "usesFifoQueue",
            "a synchronous flow cannot use a FIFO queue (queued runs answer asynchronously)",
            "set isSynchronous: false or remove usesFifoQueue",
        )
    if fifo and trigger is not None and _component_key(trigger) == "management-triggers":
        add(
            "usesFifoQueue",
            "a management (lifecycle) flow cannot use a FIFO queue",
            "remove usesFifoQueue from this flow",
        )
    if fifo and preprocess_flow is not None and flow.name == preprocess_flow:
        add(
            "usesFifoQueue",
            "the preprocess flow cannot use a FIFO queue",
            "remove usesFifoQueue from the preprocess flow",
        )
    if queue.singleton_executions and not scheduled:
        add(
            "singletonExecutions",
            "singletonExecutions only applies to scheduled flows",
            "remove singletonExecutions, or give the trigger a schedule",
        )
    limit = queue.concurrency_limit
    if limit is not None and not 2 <= limit <= 15:
        add(
            "concurrencyLimit",
            f"queueConfig.concurrencyLimit {limit} is outside 2-15",
            "use 2 to 15, or leave it out for one at a time",
        )
    elif limit is not None and not fifo:
        add(
            "concurrencyLimit",
            "queueConfig.concurrencyLimit needs usesFifoQueue: true",
            "set usesFifoQueue: true (throttled) or remove concurrencyLimit",
        )
    return [DefinitionIssue(flow.name, None, field, message, fix) for field, message, fix in found]


def _component_key(step: Step) -> str:
    return step.action.component.key


def _step_settings(flow: str, step: Step) -> list[DefinitionIssue]:
    issues: list[DefinitionIssue] = []

    def add(message: str, fix: str, severity: Severity = "error") -> None:
        issues.append(DefinitionIssue(flow, step.name, None, message, fix, severity))

    config = step.error_config
    if config is not None:
        handler = config.error_handler_type
        if handler is not None and handler not in ERROR_HANDLERS:
            add(f"unknown errorHandlerType '{handler}'", "use fail, ignore or retry")
        if config.max_attempts is not None and not 0 <= config.max_attempts <= 5:
            add(f"errorConfig.maxAttempts {config.max_attempts} is outside 0-5", "use 0 to 5")
        if config.delay_seconds is not None and not 0 <= config.delay_seconds <= 60:
            add(f"errorConfig.delaySeconds {config.delay_seconds} is outside 0-60", "use 0 to 60")
    schedule = step.schedule
    if schedule is not None:
        if not step.is_trigger:
            add("only a trigger can have a schedule", "remove schedule from this step")
        if schedule.type not in SCHEDULE_TYPES:
            add(f"unknown schedule type '{schedule.type}'", "use value (a cron) or configVar")
        elif schedule.type == "value" and schedule.value and len(str(schedule.value).split()) != 5:
            add(
                f"schedule '{schedule.value}' is not a 5-field cron expression",
                "write minute hour day-of-month month day-of-week, e.g. '0 2 * * *'",
            )
        zone = (schedule.meta or {}).get("timeZone")
        if zone and not _is_time_zone(str(zone)):
            add(
                f"schedule timeZone '{zone}' is not a known time zone",
                "use an IANA name like Europe/Paris (or leave it empty for UTC)",
            )
    return issues
