"""String coercion of input values (spec section 1: "scalar values are strings").

Exports write every input ``value`` as a string, but hand-written YAML may say ``value: 100`` or
``value: no``. The loader turns such scalars back into strings, using the number's text as written
when the YAML loader kept it (``yaml_text``), so ``1e3`` stays ``"1e3"``. The same functions run
inside the models, so data built in code is coerced the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["coerce_config_var", "coerce_definition_data", "coerce_input", "scalar_text"]

_ROUTING_FIELDS = ("externalCustomerIdField", "externalCustomerUserIdField", "flowNameField")


def scalar_text(value: Any) -> Any:
    """A non-string scalar as the string an export would hold; anything else unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        text = getattr(value, "yaml_text", None)
        return text if isinstance(text, str) else str(value)
    return value


def coerce_input(data: Any) -> Any:
    """Coerce one input object ``{type, value, name?, meta?}``; complex values recursively."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    if "value" in out:
        if out.get("type") == "complex":
            if isinstance(out["value"], list):
                out["value"] = [_complex_item(item) for item in out["value"]]
        elif not isinstance(out["value"], dict | list):
            out["value"] = scalar_text(out["value"])
    if "name" in out:
        name = out["name"]
        out["name"] = coerce_input(name) if isinstance(name, dict) else scalar_text(name)
    return out


def _complex_item(item: Any) -> Any:
    """A value-list entry, key/value pair or condition-tree node."""
    if isinstance(item, dict):
        return coerce_input(item)
    if isinstance(item, list):
        return [_complex_item(part) for part in item]
    return item


def _coerce_inputs(holder: dict[str, Any]) -> None:
    inputs = holder.get("inputs")
    if isinstance(inputs, dict):
        holder["inputs"] = {key: coerce_input(value) for key, value in inputs.items()}


def _coerce_steps(steps: Any) -> Any:
    if not isinstance(steps, list):
        return steps
    out: list[Any] = []
    for step in steps:
        if isinstance(step, dict):
            step = dict(step)
            _coerce_inputs(step)
            if isinstance(step.get("schedule"), dict):
                step["schedule"] = coerce_input(step["schedule"])
            if "steps" in step:
                step["steps"] = _coerce_steps(step["steps"])
            if isinstance(step.get("branches"), list):
                step["branches"] = [
                    {**b, "steps": _coerce_steps(b.get("steps"))}
                    if isinstance(b, dict) and "steps" in b
                    else b
                    for b in step["branches"]
                ]
        out.append(step)
    return out


def coerce_config_var(data: Any) -> Any:
    """Coerce a config variable's ``defaultValue`` and the values of its ``inputs``."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    if "defaultValue" in out and not isinstance(out["defaultValue"], dict | list):
        out["defaultValue"] = scalar_text(out["defaultValue"])
    _coerce_inputs(out)
    return out


def coerce_definition_data(data: Any) -> Any:
    """Apply the spec's string coercion to a whole parsed definition (a new structure)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in _ROUTING_FIELDS:
        if key in out:
            out[key] = coerce_input(out[key])
    if isinstance(out.get("requiredConfigVars"), list):
        out["requiredConfigVars"] = [coerce_config_var(cv) for cv in out["requiredConfigVars"]]
    if isinstance(out.get("flows"), list):
        flows: list[Any] = []
        for flow in out["flows"]:
            if isinstance(flow, dict):
                flow = dict(flow)
                if "steps" in flow:
                    flow["steps"] = _coerce_steps(flow["steps"])
                for section, field in (
                    ("retryConfig", "uniqueRequestIdField"),
                    ("queueConfig", "dedupeIdField"),
                ):
                    holder = flow.get(section)
                    if isinstance(holder, dict) and field in holder:
                        flow[section] = {**holder, field: coerce_input(holder[field])}
            flows.append(flow)
        out["flows"] = flows
    return out
