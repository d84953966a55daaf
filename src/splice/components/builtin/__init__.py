"""Built-in components, listed explicitly (no import-time discovery, no global registry).

Each module holds one core component: ``COMPONENT`` (a ``ComponentSpec`` built with the SDK) once
it is implemented, or only ``MANIFEST`` while it is declared but not implemented. Input keys are
the ones Prismatic's exports use (spec sections 14-15). ``SPECS`` is what the registry loads;
``BUILTINS`` lists the same components' manifests.
"""

from __future__ import annotations

from types import ModuleType

from splice.components.builtin import (
    branch,
    change_data_format,
    code,
    collection_tools,
    cross_flow,
    csv,
    datetime,
    hash,
    http,
    liquid_template,
    log,
    loop,
    management_triggers,
    math,
    messagepack,
    persist_data,
    prismatic,
    python_code,
    recursive_flow,
    schedule_triggers,
    sleep,
    stop_execution,
    text_manipulation,
    webhook_triggers,
)
from splice.components.manifest import ComponentManifest
from splice.components.sdk import ComponentSpec

__all__ = ["BUILTINS", "SPECS"]

_MODULES: tuple[ModuleType, ...] = (
    branch,
    change_data_format,
    code,
    collection_tools,
    cross_flow,
    csv,
    datetime,
    hash,
    http,
    liquid_template,
    log,
    loop,
    management_triggers,
    math,
    messagepack,
    persist_data,
    prismatic,
    python_code,
    recursive_flow,
    schedule_triggers,
    sleep,
    stop_execution,
    text_manipulation,
    webhook_triggers,
)


def _spec(module: ModuleType) -> ComponentSpec:
    spec = getattr(module, "COMPONENT", None)
    if isinstance(spec, ComponentSpec):
        return spec
    manifest = module.MANIFEST
    assert isinstance(manifest, ComponentManifest), module.__name__
    return ComponentSpec(manifest)


SPECS: tuple[ComponentSpec, ...] = tuple(_spec(module) for module in _MODULES)
BUILTINS: tuple[ComponentManifest, ...] = tuple(spec.manifest for spec in SPECS)
