"""Checks inside one flow: trigger placement, step keys, references, loops and branches.

Steps are walked in execution order with a scope: the step keys that have run by then (the trigger,
earlier steps, and steps inside earlier loops and branches) plus the enclosing loops, whose
``currentItem`` and ``index`` only their own body may read (spec sections 5.3, 11, 12, 16).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from splice.definition.issues import DefinitionIssue
from splice.definition.models import Flow, Input, Step

__all__ = ["FlowChecker", "all_steps", "input_terms", "template_parts"]

_LOOP_ACTIONS = {"loopOverItems", "loopNTimes"}
_BRANCH_INPUTS = {"branchOnExpression": "conditions", "branchOnValue": "branchValueMappings"}
_LOOP_ROOTS = {"currentItem", "index"}
_REF_PLACEHOLDER = re.compile(r"\{\{\$([^}]*)\}\}")
_VAR_PLACEHOLDER = re.compile(r"\{\{#([^}]*)\}\}")
_HEAD = re.compile(r"^([^.\[]*)(?:[.\[]([^.\[\]]*))?")


def all_steps(steps: list[Step]) -> Iterator[Step]:
    """Every step, nested ones included, in document order."""
    for step in steps:
        yield step
        yield from all_steps(step.steps or [])
        for branch in step.branches or []:
            yield from all_steps(branch.steps)


def input_terms(data: Any) -> Iterator[tuple[str, Any]]:
    """``(type, value)`` of every simple input inside an input (complex lists, names, conditions)."""
    if isinstance(data, Input):
        data = {"type": data.type, "value": data.value, "name": data.name}
    if isinstance(data, list):
        for item in data:
            yield from input_terms(item)
    elif isinstance(data, dict) and isinstance(data.get("type"), str):
        if data["type"] == "complex":
            yield from input_terms(data.get("value"))
        else:
            yield data["type"], data.get("value")
        if isinstance(data.get("name"), dict):
            yield from input_terms(data["name"])


def template_parts(text: str) -> tuple[list[str], list[str]]:
    """The reference paths (``{{$...}}``) and config var keys (``{{#...}}``) of a template."""
    refs = [m.strip() for m in _REF_PLACEHOLDER.findall(text)]
    keys = [m.strip() for m in _VAR_PLACEHOLDER.findall(text)]
    return refs, keys


@dataclass
class _Scope:
    visible: set[str] = field(default_factory=set)
    loops: tuple[str, ...] = ()


class FlowChecker:
    """Collects the issues of one flow; ``config_vars`` are the integration's config var keys."""

    def __init__(self, flow: Flow, config_vars: set[str]) -> None:
        self.flow = flow
        self.config_vars = config_vars
        self.issues: list[DefinitionIssue] = []
        self.names_by_key: dict[str, str] = {}
        self.trigger_key = flow.steps[0].key if flow.steps else ""

    def issue(self, step: str | None, inp: str | None, message: str, fix: str) -> None:
        self.issues.append(DefinitionIssue(self.flow.name, step, inp, message, fix))

    def run(self) -> list[DefinitionIssue]:
        """Check the flow and return its issues."""
        if not self.flow.steps:
            self.issue(None, None, "the flow has no steps", "add a trigger step")
            return self.issues
        if not self.flow.steps[0].is_trigger:
            self.issue(
                self.flow.steps[0].name,
                None,
                "the first step of a flow must be its trigger",
                "set isTrigger: true on the first step",
            )
        self._check_keys()
        self._walk(self.flow.steps, _Scope(), top=True)
        return self.issues

    def _check_keys(self) -> None:
        for step in all_steps(self.flow.steps):
            key = step.key
            if not key:
                self.issue(
                    step.name,
                    None,
                    "the step name gives an empty step key",
                    "use letters or digits in the name",
                )
            elif key in self.names_by_key:
                self.issue(
                    step.name,
                    None,
                    f"steps '{self.names_by_key[key]}' and '{step.name}' share the step key {key}",
                    "rename one of them; step keys must be unique within a flow",
                )
            else:
                self.names_by_key[key] = step.name

    def _walk(self, steps: list[Step], scope: _Scope, *, top: bool = False) -> None:
        for index, step in enumerate(steps):
            if step.is_trigger and not (top and index == 0):
                self.issue(
                    step.name,
                    None,
                    "only the first step of a flow may be a trigger",
                    "remove isTrigger from this step",
                )
            self._check_inputs(step, scope)
            self._check_shape(step, scope)
            if step.steps is not None:
                inner = _Scope(set(scope.visible), (*scope.loops, step.key))
                self._walk(step.steps, inner)
                scope.visible |= inner.visible
            scope.visible.add(step.key)
            if step.branches is not None:
                after = set(scope.visible)
                for branch in step.branches:
                    inner = _Scope(set(scope.visible), scope.loops)
                    self._walk(branch.steps, inner)
                    after |= inner.visible
                scope.visible = after

    def _check_inputs(self, step: Step, scope: _Scope) -> None:
        for name, inp in step.inputs.items():
            for kind, value in input_terms(inp):
                if not isinstance(value, str):
                    continue
                if kind == "reference" and value:
                    self._check_reference(step, name, value, scope)
                elif kind == "configVar" and value:
                    self._check_config_var(step.name, name, value)
                elif kind == "template":
                    refs, keys = template_parts(value)
                    for ref in refs:
                        self._check_reference(step, name, ref, scope)
                    for key in keys:
                        self._check_config_var(step.name, name, key)
        if step.schedule is not None and step.schedule.type == "configVar":
            self._check_config_var(step.name, None, str(step.schedule.value or ""))

    def _check_config_var(self, step: str, inp: str | None, key: str) -> None:
        if key not in self.config_vars:
            self.issue(
                step,
                inp,
                f"config variable '{key}' is not declared",
                "add it to requiredConfigVars or correct the name",
            )

    def _check_reference(self, step: Step, inp: str, path: str, scope: _Scope) -> None:
        match = _HEAD.match(path)
        head, root = (match.group(1), match.group(2)) if match else ("", None)
        fix = f"start the path with a step key of this flow, such as '{self.trigger_key}.results'"
        if head in scope.loops:
            if root not in _LOOP_ROOTS:
                self.issue(
                    step.name,
                    inp,
                    f"reference '{path}': inside loop '{head}' only currentItem and index exist",
                    f"use '{head}.currentItem' or '{head}.index'",
                )
        elif head in scope.visible:
            if root in _LOOP_ROOTS:
                self.issue(
                    step.name,
                    inp,
                    f"reference '{path}': {root} is only available inside loop '{head}'",
                    f"read '{head}.results' instead",
                )
            elif root != "results":
                self.issue(
                    step.name,
                    inp,
                    f"reference '{path}' must continue with .results",
                    f"write '{head}.results...'",
                )
        elif head in self.names_by_key:
            self.issue(
                step.name,
                inp,
                f"reference '{path}' points at step '{self.names_by_key[head]}', "
                "which has not run at this point",
                "reference the trigger or a step that runs earlier",
            )
        else:
            self.issue(step.name, inp, f"reference '{path}' names no step of this flow", fix)

    def _check_shape(self, step: Step, scope: _Scope) -> None:
        component, action = step.action.component.key, step.action.key
        if component == "loop" and action in _LOOP_ACTIONS and step.steps is None:
            self.issue(step.name, None, "a loop step needs nested steps", "add steps: [...]")
        if component == "loop" and action == "breakLoop" and not scope.loops:
            self.issue(
                step.name, None, "breakLoop is only allowed inside a loop", "move it into a loop"
            )
        if component == "branch" and action in _BRANCH_INPUTS:
            self._check_branch_names(step, _BRANCH_INPUTS[action])
        names = [branch.name for branch in step.branches or []]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.issue(
                step.name, None, f"branch name '{name}' appears twice", "give branches unique names"
            )

    def _check_branch_names(self, step: Step, input_key: str) -> None:
        inp = step.inputs.get(input_key)
        entries = inp.value if inp is not None and isinstance(inp.value, list) else []
        expected = [_entry_name(entry) for entry in entries] + ["Else"]
        actual = [branch.name for branch in step.branches or []]
        if actual != expected:
            self.issue(
                step.name,
                input_key,
                f"branches {actual} do not match the {input_key} names followed by Else "
                f"({expected})",
                f"give the step one branch per {input_key} entry, in order, then Else",
            )


def _entry_name(entry: Any) -> str:
    """The branch name of a condition or value-mapping entry (a string or a simple input)."""
    name = entry.get("name") if isinstance(entry, dict) else None
    if isinstance(name, dict):
        name = name.get("value")
    return "" if name is None else str(name)
