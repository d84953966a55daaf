"""The component registry: manifests and functions by key and version, built explicitly.

There is no global instance. Built-ins come from ``splice.components.builtin.SPECS`` (manifests in
``BUILTINS``); third-party packages expose ``ComponentSpec``s (or bare manifests) through the
``splice.components`` entry-point group. A manifest without functions lists and validates like
any other; running one of its actions fails the step. A broken third-party package is logged and skipped
so that it cannot stop the server from starting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import Any

from splice.components.manifest import ActionManifest, ComponentManifest
from splice.components.sdk import ActionFunction, ComponentSpec

__all__ = ["ENTRY_POINT_GROUP", "Registry"]

ENTRY_POINT_GROUP = "splice.components"

log = logging.getLogger(__name__)


_NO_FUNCTIONS: Mapping[str, ActionFunction] = MappingProxyType({})


class Registry:
    """Component manifests (and their functions) keyed by component key, then version."""

    def __init__(self, components: Iterable[ComponentManifest | ComponentSpec] = ()) -> None:
        self._by_key: dict[str, dict[int, ComponentManifest]] = {}
        self._functions: dict[tuple[str, int], Mapping[str, ActionFunction]] = {}
        self._latest_functions: dict[str, Mapping[str, ActionFunction]] = {}
        self._source_functions: dict[tuple[str, int], Mapping[str, ActionFunction]] = {}
        for item in components:
            self.add(item)

    @classmethod
    def with_builtins(cls) -> Registry:
        """A registry holding every built-in component."""
        from splice.components.builtin import SPECS

        return cls(SPECS)

    def add(self, component: ComponentManifest | ComponentSpec) -> None:
        """Register a spec or a bare manifest; the same key and version twice is an error."""
        sources = _NO_FUNCTIONS
        if isinstance(component, ComponentSpec):
            manifest, functions = component.manifest, component.functions
            sources = component.data_source_functions
        else:
            manifest, functions = component, _NO_FUNCTIONS
        versions = self._by_key.setdefault(manifest.key, {})
        if manifest.version in versions:
            raise ValueError(
                f"component '{manifest.key}' version {manifest.version} is already registered"
            )
        versions[manifest.version] = manifest
        self._functions[(manifest.key, manifest.version)] = functions
        self._source_functions[(manifest.key, manifest.version)] = sources
        self._latest_functions[manifest.key] = self._functions[(manifest.key, max(versions))]

    def function(
        self, component_key: str, action_key: str, version: int | None = None
    ) -> ActionFunction | None:
        """The function of an action or trigger, or None when unknown or not implemented."""
        if version is None:
            functions = self._latest_functions.get(component_key)
        else:
            functions = self._functions.get((component_key, version))
        return functions.get(action_key) if functions else None

    def data_source_function(
        self, component_key: str, data_source_key: str, version: int | None = None
    ) -> ActionFunction | None:
        """The function of a data source, or None when unknown or not implemented."""
        manifest = self.get(component_key, version)
        if manifest is None:
            return None
        return self._source_functions[(manifest.key, manifest.version)].get(data_source_key)

    def get(self, key: str, version: int | None = None) -> ComponentManifest | None:
        """The manifest of ``key`` at ``version``, or its latest version when none is given."""
        versions = self._by_key.get(key)
        if not versions:
            return None
        if version is None:
            return versions[max(versions)]
        return versions.get(version)

    def get_action(
        self, component_key: str, action_key: str, version: int | None = None
    ) -> ActionManifest | None:
        """The action ``action_key`` of a component, or None when either is unknown."""
        manifest = self.get(component_key, version)
        return manifest.action(action_key) if manifest else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._by_key

    def manifests(self) -> list[ComponentManifest]:
        """Every registered manifest, sorted by key, then version."""
        return [
            versions[number]
            for key, versions in sorted(self._by_key.items())
            for number in sorted(versions)
        ]

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> list[str]:
        """Add the components third-party packages expose; returns the keys added."""
        added: list[str] = []
        for point in entry_points(group=group):
            try:
                components = _components_of(point.load())
                for component in components:
                    self.add(component)
                    added.append(
                        component.key
                        if isinstance(component, ComponentManifest)
                        else component.manifest.key
                    )
            except Exception:
                log.exception("skipping component entry point %r (%s)", point.name, point.value)
        return added


def _components_of(obj: Any) -> list[ComponentManifest | ComponentSpec]:
    """Accept a spec, a manifest, an object with a ``manifest`` attribute, or an iterable."""
    if isinstance(obj, ComponentManifest | ComponentSpec):
        return [obj]
    inner = getattr(obj, "manifest", None)
    if isinstance(inner, ComponentManifest):
        return [inner]
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        return [m for item in obj for m in _components_of(item)]
    raise TypeError(f"expected a ComponentManifest, got {type(obj).__name__}")
