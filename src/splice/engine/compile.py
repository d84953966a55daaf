"""A flow compiled once for running: step kinds, functions and input resolvers looked up ahead.

Compiling never fails: an unknown component or an action without implementation compiles to a
step that fails when it runs (so that error handling applies and the message names the step).
Compiled flows are cached per (flow object, registry) while the flow object is alive.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from splice.components.manifest import ActionManifest
from splice.components.registry import Registry
from splice.components.sdk import ActionFunction
from splice.definition import Flow, Step, step_key
from splice.engine.inputs import Constant, Resolver, compile_input

__all__ = ["CompiledFlow", "CompiledStep", "StepKind", "compile_flow"]

StepKind = Literal["action", "trigger", "loop_items", "loop_n", "break", "stop"]

_KINDS: dict[tuple[str, str], StepKind] = {
    ("loop", "loopOverItems"): "loop_items",
    ("loop", "loopNTimes"): "loop_n",
    ("loop", "breakLoop"): "break",
    ("stop-execution", "stopExecution"): "stop",
}


@dataclass(slots=True, eq=False)
class CompiledStep:
    """One step ready to run; ``constants`` are inputs that never change, ``dynamic`` resolve."""

    name: str
    key: str
    kind: StepKind
    component: str
    action: str
    function: ActionFunction | None
    missing: str | None
    constants: dict[str, Any]
    dynamic: tuple[tuple[str, Resolver], ...]
    children: tuple[CompiledStep, ...] = ()
    branches: dict[str, tuple[CompiledStep, ...]] | None = None
    handler: str = "fail"
    retries: int = 0
    delay_seconds: float = 0.0
    backoff: bool = False
    ignore_final_error: bool = False


@dataclass(slots=True, eq=False)
class CompiledFlow:
    name: str
    trigger: CompiledStep | None
    steps: tuple[CompiledStep, ...]
    is_synchronous: bool


_step_key = lru_cache(maxsize=16384)(step_key)


def _version(step: Step) -> int | None:
    version = step.action.component.version
    if isinstance(version, int):
        return version
    if isinstance(version, str) and version.isdigit():
        return int(version)
    return None


def _compile_step(step: Step, registry: Registry, is_trigger: bool) -> CompiledStep:
    component_key, action_key = step.action.component.key, step.action.key
    version = _version(step)
    manifest = registry.get(component_key, version) or registry.get(component_key)
    action: ActionManifest | None = manifest.action(action_key) if manifest else None
    function = None
    missing = None
    if manifest is None:
        missing = f"component '{component_key}' is not installed in this Splice"
    elif action is None:
        missing = f"component '{component_key}' has no action '{action_key}'"
    else:
        function = registry.function(component_key, action_key, manifest.version)
        if function is None:
            missing = (
                f"action '{action_key}' of component '{component_key}' has no implementation "
                "in this Splice version"
            )
    constants: dict[str, Any] = {}
    dynamic: list[tuple[str, Resolver]] = []
    specs = {spec.key: spec for spec in action.inputs} if action else {}
    for spec in specs.values():
        if spec.key not in step.inputs:
            constants[spec.key] = spec.default
    for key, given in step.inputs.items():
        resolver = compile_input(given.type, given.value, specs.get(key))
        if isinstance(resolver, Constant):
            constants[key] = resolver.value
        else:
            dynamic.append((key, resolver))
    kind: StepKind = "trigger" if is_trigger else _KINDS.get((component_key, action_key), "action")
    compiled = CompiledStep(
        name=step.name,
        key=_step_key(step.name),
        kind=kind,
        component=component_key,
        action=action_key,
        function=function,
        missing=missing,
        constants=constants,
        dynamic=tuple(dynamic),
        children=tuple(_compile_step(s, registry, False) for s in step.steps or ()),
        branches=(
            {
                b.name: tuple(_compile_step(s, registry, False) for s in b.steps)
                for b in step.branches
            }
            if step.branches is not None
            else None
        ),
    )
    config = step.error_config
    if config is not None:
        compiled.handler = (config.error_handler_type or "fail").lower()
        compiled.retries = max(0, config.max_attempts or 0) if compiled.handler == "retry" else 0
        compiled.delay_seconds = float(config.delay_seconds or 0)
        compiled.backoff = bool(config.uses_exponential_backoff)
        compiled.ignore_final_error = bool(config.ignore_final_error)
    return compiled


_CACHE: dict[tuple[int, int], tuple[weakref.ref[Flow], Registry, CompiledFlow]] = {}
_CACHE_LIMIT = 512


def compile_flow(flow: Flow, registry: Registry) -> CompiledFlow:
    """The compiled form of ``flow`` against ``registry`` (cached while ``flow`` is alive)."""
    cache_key = (id(flow), id(registry))
    cached = _CACHE.get(cache_key)
    if cached is not None and cached[0]() is flow and cached[1] is registry:
        return cached[2]
    steps = flow.steps
    has_trigger = bool(steps) and steps[0].is_trigger
    trigger = _compile_step(steps[0], registry, True) if has_trigger else None
    body = tuple(_compile_step(s, registry, False) for s in (steps[1:] if has_trigger else steps))
    compiled = CompiledFlow(flow.name, trigger, body, flow.is_synchronous)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    ref = weakref.ref(flow, lambda _ref: _CACHE.pop(cache_key, None))
    _CACHE[cache_key] = (ref, registry, compiled)
    return compiled
