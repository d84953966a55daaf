"""Checks of enumerations and execution settings: error, retry and queue policies, schedules and
config var data types (spec sections 3, 4, 6 and 10.2; limits as spectral enforces them)."""

from __future__ import annotations

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
        issues += _queue_issues(flow)
        for step in all_steps(flow.steps):
            issues += _step_settings(flow.name, step)
    return issues


def _queue_issues(flow: Flow) -> list[DefinitionIssue]:
    queue = flow.queue_config
    if queue is None:
        return []
    found: list[str] = []
    scheduled = bool(flow.steps) and flow.steps[0].schedule is not None
    if queue.uses_fifo_queue and queue.singleton_executions:
        found.append("queueConfig cannot use both usesFifoQueue and singletonExecutions")
    if queue.uses_fifo_queue and scheduled:
        found.append("a scheduled flow cannot use a FIFO queue")
    if queue.singleton_executions and not scheduled:
        found.append("singletonExecutions only applies to scheduled flows")
    limit = queue.concurrency_limit
    if limit is not None and not 2 <= limit <= 15:
        found.append(f"queueConfig.concurrencyLimit {limit} is outside 2-15")
    return [
        DefinitionIssue(flow.name, None, None, message, "correct queueConfig") for message in found
    ]


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
    return issues
