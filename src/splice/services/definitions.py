"""Definition handling shared by the integration services: parse, check, derive flow rows."""

from __future__ import annotations

from typing import Any

from splice.components.registry import Registry
from splice.definition import (
    DefinitionIssue,
    IntegrationDefinition,
    load,
    missing_components,
    to_data,
    validate,
)
from splice.errors import InvalidInput
from splice.store.repositories.integrations import FlowFacts

__all__ = ["blank_definition", "blocking_issues", "flow_facts", "parse_checked"]


def blank_definition(name: str, description: str) -> dict[str, Any]:
    """A new integration's definition: one flow started by a webhook."""
    return {
        "definitionVersion": 7,
        "name": name,
        "description": description,
        "category": "",
        "documentation": "",
        "labels": [],
        "endpointType": "flow_specific",
        "requiredConfigVars": [],
        "configPages": [],
        "flows": [
            {
                "name": "Flow 1",
                "description": "",
                "isSynchronous": False,
                "endpointSecurityType": "customer_optional",
                "steps": [
                    {
                        "name": "Flow 1 Trigger",
                        "description": "",
                        "isTrigger": True,
                        "action": {
                            "key": "webhook",
                            "component": {
                                "key": "webhook-triggers",
                                "version": "LATEST",
                                "isPublic": True,
                            },
                        },
                        "inputs": {},
                    }
                ],
            }
        ],
    }


def blocking_issues(model: IntegrationDefinition, registry: Registry) -> list[DefinitionIssue]:
    """Errors that make a definition unusable; missing components alone do not block import."""
    missing = set(missing_components(model, registry))
    return [
        issue
        for issue in validate(model, registry)
        if issue.severity == "error" and not _about_missing(issue, missing)
    ]


def _about_missing(issue: DefinitionIssue, missing: set[str]) -> bool:
    return any(f"'{key}'" in issue.message for key in missing)


def parse_checked(text: str, registry: Registry, *, max_bytes: int) -> dict[str, Any]:
    """Parse YAML text and refuse it when it has blocking issues; returns storable data."""
    model = load(text, max_bytes=max_bytes)
    issues = blocking_issues(model, registry)
    if issues:
        raise InvalidInput(
            "the definition has errors: " + "; ".join(issue.text for issue in issues),
            field="definition",
            fix="correct the definition and import it again",
            details=tuple(issue.text for issue in issues),
        )
    return to_data(model)


def flow_facts(definition: dict[str, Any]) -> list[FlowFacts]:
    """The columns of each flow row, derived from the stored definition data."""
    facts: list[FlowFacts] = []
    for flow in definition.get("flows") or []:
        trigger = (flow.get("steps") or [{}])[0]
        action = trigger.get("action") or {}
        facts.append(
            {
                "name": flow["name"],
                "description": flow.get("description") or "",
                "stable_key": flow.get("stableKey") or "",
                "is_synchronous": bool(flow.get("isSynchronous", False)),
                "trigger_component": (action.get("component") or {}).get("key", ""),
                "trigger_action": action.get("key", ""),
                "has_schedule": bool(trigger.get("schedule")),
            }
        )
    return facts
