"""Cross-reference validation of a loaded definition against a component catalog (spec 16).

Missing components are reported once per component (listing where it is used) and also returned
by ``missing_components``: import accepts them, publishing and deploying do not. Every other issue
names the flow, step and input at fault.
"""

from __future__ import annotations

from splice.definition.flow_checks import FlowChecker, all_steps, input_terms
from splice.definition.issues import ActionInfo, Catalog, DefinitionIssue, Severity
from splice.definition.models import ComponentRef, IntegrationDefinition, Step
from splice.definition.parse import SUPPORTED_VERSIONS
from splice.definition.routing import routing_issues
from splice.definition.settings_checks import settings_issues

__all__ = ["DefinitionIssue", "missing_components", "validate"]

ENDPOINT_TYPES = {"flow_specific", "instance_specific", "shared_instance"}
SECURITY_TYPES = {"unsecured", "customer_optional", "customer_required", "organization"}
INPUT_TYPES = {"value", "reference", "configVar", "template", "complex", "dataSource"}
INPUT_TYPES |= {"scopedConfigVar"}


def _uses(model: IntegrationDefinition) -> dict[str, list[str]]:
    """Component key -> where it is used (steps, then config vars), in document order."""
    uses: dict[str, list[str]] = {}
    for flow in model.flows:
        for step in all_steps(flow.steps):
            where = f"flow '{flow.name}' step '{step.name}'"
            uses.setdefault(step.action.component.key, []).append(where)
    for cv in model.required_config_vars:
        for ref in (cv.connection, cv.data_source):
            if ref is not None:
                uses.setdefault(ref.component.key, []).append(f"config var '{cv.key}'")
    return uses


def missing_components(model: IntegrationDefinition, registry: Catalog) -> list[str]:
    """Keys of the components the definition uses that the catalog does not have, sorted."""
    return sorted(key for key in _uses(model) if registry.get(key) is None)


def validate(model: IntegrationDefinition, registry: Catalog) -> list[DefinitionIssue]:
    """Every issue of the definition; an empty list means it can be published."""
    issues = _document_issues(model)
    config_vars = {cv.key for cv in model.required_config_vars}
    for flow in model.flows:
        issues += FlowChecker(flow, config_vars).run()
        for step in all_steps(flow.steps):
            issues += _step_issues(flow.name, step, flow.steps[0] is step, registry)
    issues += _config_var_issues(model, registry)
    issues += settings_issues(model)
    for key, where in sorted(_uses(model).items()):
        if registry.get(key) is None:
            shown = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
            issues.append(
                DefinitionIssue(
                    None,
                    None,
                    None,
                    f"component '{key}' is not installed (used by {shown})",
                    "install the component; import works without it, publish and deploy do not",
                )
            )
    return issues


def _document_issues(model: IntegrationDefinition) -> list[DefinitionIssue]:
    issues: list[DefinitionIssue] = []

    def add(message: str, fix: str, flow: str | None = None) -> None:
        issues.append(DefinitionIssue(flow, None, None, message, fix))

    if model.definition_version not in SUPPORTED_VERSIONS:
        add(f"unsupported definition version {model.definition_version}", "use version 7")
    if not model.name.strip():
        add("the integration name is empty", "set a name")
    if not model.flows:
        add("the integration has no flows", "add a flow")
    flow_names = [flow.name for flow in model.flows]
    for name in sorted({n for n in flow_names if flow_names.count(n) > 1}):
        add(f"flow name '{name}' is used by more than one flow", "rename the flows apart", name)
    for flow in model.flows:
        if not flow.name.strip():
            add("a flow has an empty name", "name every flow")
        security = flow.endpoint_security_type
        if security is not None and security not in SECURITY_TYPES:
            add(
                f"unknown endpointSecurityType '{security}'",
                "use one of " + ", ".join(sorted(SECURITY_TYPES)),
                flow.name,
            )
    endpoint = model.endpoint_type
    if endpoint is not None and endpoint not in ENDPOINT_TYPES:
        add(f"unknown endpointType '{endpoint}'", "use one of " + ", ".join(sorted(ENDPOINT_TYPES)))
    else:
        issues += routing_issues(model)
    return issues


def _config_var_issues(model: IntegrationDefinition, registry: Catalog) -> list[DefinitionIssue]:
    issues: list[DefinitionIssue] = []
    keys = [cv.key for cv in model.required_config_vars]
    declared = set(keys)

    def add(message: str, fix: str, severity: Severity = "error") -> None:
        issues.append(DefinitionIssue(None, None, None, message, fix, severity))

    for key in sorted({k for k in keys if keys.count(k) > 1}):
        add(f"config variable '{key}' is declared more than once", "remove the duplicate")
    for cv in model.required_config_vars:
        for name, inp in (cv.inputs or {}).items():
            unknown = {
                value
                for kind, value in input_terms(inp)
                if kind == "configVar" and isinstance(value, str) and value
            } - declared
            for value in sorted(unknown):
                add(
                    f"config variable '{cv.key}', input '{name}': "
                    f"config variable '{value}' is not declared",
                    "add it to requiredConfigVars or correct the name",
                )
        for ref, kind in ((cv.connection, "connection"), (cv.data_source, "data source")):
            if ref is not None and not _offers(registry, ref, kind):
                add(
                    f"config variable '{cv.key}': component {ref.component.key} has no "
                    f"{kind} {ref.key}",
                    f"use a {kind} the component offers",
                    "warning",
                )
    for page in model.config_pages:
        for element in page.elements:
            if element.type == "configVar" and element.value not in declared:
                add(
                    f"config page '{page.name}' shows config variable '{element.value}', "
                    "which is not declared",
                    "add it to requiredConfigVars or remove the element",
                )
    return issues


def _offers(registry: Catalog, ref: ComponentRef | object, kind: str) -> bool:
    """Whether an installed component has the referenced connection or data source."""
    component_key = getattr(getattr(ref, "component", None), "key", "")
    manifest = registry.get(component_key)
    if manifest is None:
        return True  # reported once as a missing component
    key = str(getattr(ref, "key", ""))
    found = manifest.connection(key) if kind == "connection" else manifest.data_source(key)
    return found is not None


def _step_issues(flow: str, step: Step, is_first: bool, registry: Catalog) -> list[DefinitionIssue]:
    """Action, trigger placement, required and unknown inputs, schedule support."""
    manifest = registry.get(step.action.component.key)
    if manifest is None:
        return []
    action = manifest.action(step.action.key)
    issues: list[DefinitionIssue] = []

    def add(inp: str | None, message: str, fix: str, severity: Severity = "error") -> None:
        issues.append(DefinitionIssue(flow, step.name, inp, message, fix, severity))

    if action is None:
        known = ", ".join(a.key for a in manifest.actions if a.is_trigger == step.is_trigger)
        add(
            None,
            f"component {manifest.key} has no action {step.action.key}",
            f"use one of: {known}" if known else "use an action of another component",
        )
        return issues
    if step.is_trigger and not action.is_trigger:
        add(None, f"{manifest.key}.{action.key} is not a trigger", "use a trigger action")
    if is_first is False and action.is_trigger:
        add(None, f"trigger {manifest.key}.{action.key} can only start a flow", "move or remove it")
    issues += _input_issues(flow, step, action)
    if action.schedule_support == "REQUIRED" and step.schedule is None:
        add(None, "this trigger needs a schedule", "add schedule: {type, value: <cron>}")
    if action.schedule_support == "INVALID" and step.schedule is not None:
        add(None, "this trigger does not use a schedule", "remove schedule", "warning")
    if step.branches is not None and not action.branching and not action.is_trigger:
        add(None, f"{manifest.key}.{action.key} does not branch", "remove branches", "warning")
    return issues


def _input_issues(flow: str, step: Step, action: ActionInfo) -> list[DefinitionIssue]:
    issues: list[DefinitionIssue] = []
    declared = {spec.key for spec in action.inputs}
    for spec in action.inputs:
        if spec.required and spec.key not in step.inputs:
            issues.append(
                DefinitionIssue(
                    flow,
                    step.name,
                    spec.key,
                    "a required input is missing",
                    f"add inputs.{spec.key} to the step",
                )
            )
    for name, inp in step.inputs.items():
        if inp.type not in INPUT_TYPES:
            issues.append(
                DefinitionIssue(
                    flow,
                    step.name,
                    name,
                    f"unknown input type '{inp.type}'",
                    "use value, reference, configVar, template or complex",
                )
            )
        if name not in declared:
            issues.append(
                DefinitionIssue(
                    flow,
                    step.name,
                    name,
                    f"action {action.key} has no such input; it is ignored",
                    "remove it or check the spelling",
                    "warning",
                )
            )
    return issues
