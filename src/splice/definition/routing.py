"""Routing fields of instance-specific and shared endpoints (spec section 8; runtime §3.7).

``flowNameField``, ``externalCustomerIdField`` and ``externalCustomerUserIdField`` are reference
inputs. Without a preprocess flow they point into the raw request, as spectral writes them:
``payload.results.headers.x-acme-flow`` (a bare ``headers.x-acme-flow`` is read the same way).
With ``preprocessFlowName`` they point into the preprocess flow's result: ``<step key>.results.x``
names one of its steps, any other source (spectral's ``onExecution``) its last step. These are
the pure parts (parsing, checking, looking a path up); the router lives in
``splice.services.webhook_routing``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from splice.definition.issues import DefinitionIssue
from splice.definition.models import Input, IntegrationDefinition

__all__ = [
    "FLOW_SPECIFIC",
    "INSTANCE_SPECIFIC",
    "PAYLOAD_SOURCE",
    "REQUEST_ROOTS",
    "ROUTED_TYPES",
    "SHARED_INSTANCE",
    "FieldPath",
    "field_path",
    "lookup",
    "routing_issues",
]

FLOW_SPECIFIC = "flow_specific"
INSTANCE_SPECIFIC = "instance_specific"
SHARED_INSTANCE = "shared_instance"
ROUTED_TYPES = (INSTANCE_SPECIFIC, SHARED_INSTANCE)
PAYLOAD_SOURCE = "payload"
REQUEST_ROOTS = ("headers", "queryParameters", "body", "rawBody", "pathFragment")
FIELD_KEYS = {
    "flow_name_field": "flowNameField",
    "external_customer_id_field": "externalCustomerIdField",
    "external_customer_user_id_field": "externalCustomerUserIdField",
}


@dataclass(frozen=True)
class FieldPath:
    """A routing field split into its source (step key, ``payload`` or None) and its path."""

    source: str | None
    path: tuple[str, ...]

    @property
    def text(self) -> str:
        """The path as written after ``results.`` (for messages)."""
        return ".".join(self.path)


def field_path(value: str) -> FieldPath:
    """Split ``<source>.results.<path>``, ``results.<path>`` or a bare ``<path>``."""
    parts = tuple(p for p in value.strip().split(".") if p != "")
    if len(parts) >= 2 and parts[1] == "results":
        return FieldPath(parts[0], parts[2:])
    if parts[:1] == ("results",):
        return FieldPath(None, parts[1:])
    return FieldPath(None, parts)


def lookup(data: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in nested dicts and lists, or None; header names ignore case."""
    current = data
    for index, part in enumerate(path):
        if isinstance(current, Mapping):
            if part in current:
                current = current[part]
            elif index > 0 and path[index - 1] == "headers":
                current = next(
                    (v for k, v in current.items() if str(k).lower() == part.lower()), None
                )
            else:
                return None
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def routing_issues(model: IntegrationDefinition) -> list[DefinitionIssue]:
    """Issues with ``endpointType``, the routing fields and ``preprocessFlowName``."""
    issues: list[DefinitionIssue] = []

    def add(message: str, fix: str, severity: Any = "error") -> None:
        issues.append(DefinitionIssue(None, None, None, message, fix, severity))

    endpoint = model.endpoint_type or FLOW_SPECIFIC
    preprocess = model.preprocess_flow_name
    fields: dict[str, Input] = {
        wire: value
        for attr, wire in FIELD_KEYS.items()
        if (value := getattr(model, attr)) is not None
    }
    flow_names = [flow.name for flow in model.flows]
    issues += _mechanism_issues(model)
    if preprocess is not None and preprocess not in flow_names:
        add(
            f"preprocessFlowName '{preprocess}' names no flow",
            "use the name of one of the flows: " + ", ".join(repr(n) for n in flow_names),
        )
    if endpoint not in ROUTED_TYPES:
        if preprocess is not None or fields:
            used = ", ".join((["preprocessFlowName"] if preprocess else []) + sorted(fields))
            add(
                f"{used} only apply to instance_specific and shared_instance endpoints; "
                f"this integration's endpointType is {endpoint}",
                "set endpointType to instance_specific or shared_instance, or remove them",
                "warning",
            )
        return issues
    if "flowNameField" not in fields:
        add(
            f"endpointType {endpoint} needs flowNameField (a preprocess flow or routing "
            "fields tell which flow a request is for)",
            "set flowNameField, e.g. {type: reference, value: payload.results.headers.x-flow}, "
            "or point it into the result of the flow named by preprocessFlowName",
        )
    if endpoint == SHARED_INSTANCE and "externalCustomerIdField" not in fields:
        add(
            "endpointType shared_instance needs externalCustomerIdField (it picks the customer "
            "by external ID)",
            "set externalCustomerIdField, e.g. "
            "{type: reference, value: payload.results.headers.x-customer-id}",
        )
    for wire, field in fields.items():
        issues += _field_issues(wire, field, preprocess)
    return issues


def _mechanism_issues(model: IntegrationDefinition) -> list[DefinitionIssue]:
    """Spectral's own keys, when a hand-made YAML carries them: one preprocess flow, one mechanism.

    Spectral turns a flow's ``preprocessFlowConfig`` into ``preprocessFlowName`` and the
    integration's ``triggerPreprocessFlowConfig`` into request field paths, and refuses several
    preprocess flows or both at once; a YAML that still holds those keys gets the same checks.
    """
    issues: list[DefinitionIssue] = []
    marked = [
        flow.name
        for flow in model.flows
        if (flow.model_extra or {}).get("preprocessFlowConfig") is not None
    ]
    if len(marked) > 1:
        issues.append(
            DefinitionIssue(
                None,
                None,
                None,
                "more than one preprocess flow: " + ", ".join(repr(n) for n in marked),
                "keep preprocessFlowConfig on one flow and name it in preprocessFlowName",
            )
        )
    elif marked and model.preprocess_flow_name not in (None, marked[0]):
        issues.append(
            DefinitionIssue(
                None,
                None,
                None,
                f"preprocessFlowName '{model.preprocess_flow_name}' is not the flow marked with "
                f"preprocessFlowConfig ('{marked[0]}')",
                "name one preprocess flow, in preprocessFlowName",
            )
        )
    if (model.model_extra or {}).get("triggerPreprocessFlowConfig") is not None and (
        marked or model.preprocess_flow_name is not None
    ):
        issues.append(
            DefinitionIssue(
                None,
                None,
                None,
                "triggerPreprocessFlowConfig and a preprocess flow are two routing mechanisms; "
                "use one",
                "remove triggerPreprocessFlowConfig, or the preprocess flow",
            )
        )
    return issues


def _field_issues(wire: str, field: Input, preprocess: str | None) -> list[DefinitionIssue]:
    def issue(message: str, fix: str) -> DefinitionIssue:
        return DefinitionIssue(None, None, None, f"{wire}: {message}", fix)

    if field.type not in ("reference", "value") or not isinstance(field.value, str):
        return [
            issue(
                f"must be a reference to a field, not a {field.type} input",
                f"write {wire}: {{type: reference, value: payload.results.headers.x-flow}}",
            )
        ]
    parsed = field_path(field.value)
    if not parsed.path:
        return [issue("names no field", "give the path of the field after '.results.'")]
    if preprocess is None:
        if parsed.path[0] not in REQUEST_ROOTS:
            return [
                issue(
                    f"'{field.value}' does not point into the request",
                    "start the path with " + ", ".join(REQUEST_ROOTS) + " (e.g. "
                    "payload.results.body.data.event), or use a preprocess flow",
                )
            ]
        return []
    if parsed.source == PAYLOAD_SOURCE:
        return [
            issue(
                f"'{field.value}' reads the request while preprocessFlowName is set; a "
                "preprocess flow and request field paths are two routing mechanisms",
                f"point it into the preprocess flow's result (e.g. onExecution.results.{parsed.text}) "
                "or remove preprocessFlowName",
            )
        ]
    return []
