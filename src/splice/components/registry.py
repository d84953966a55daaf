"""The component registry: manifests by key and version, built explicitly (no global instance).

Built-ins come from ``splice.components.builtin.BUILTINS``; third-party packages expose manifests
through the ``splice.components`` entry-point group. A broken third-party package is logged and
skipped so that it cannot stop the server from starting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from splice.components.manifest import ActionManifest, ComponentManifest

__all__ = ["ENTRY_POINT_GROUP", "Registry"]

ENTRY_POINT_GROUP = "splice.components"

log = logging.getLogger(__name__)


class Registry:
    """Component manifests keyed by component key, then version."""

    def __init__(self, manifests: Iterable[ComponentManifest] = ()) -> None:
        self._by_key: dict[str, dict[int, ComponentManifest]] = {}
        for manifest in manifests:
            self.add(manifest)

    @classmethod
    def with_builtins(cls) -> Registry:
        """A registry holding every built-in component."""
        from splice.components.builtin import BUILTINS

        return cls(BUILTINS)

    def add(self, manifest: ComponentManifest) -> None:
        """Register a manifest; the same key and version twice is a programming error."""
        versions = self._by_key.setdefault(manifest.key, {})
        if manifest.version in versions:
            raise ValueError(
                f"component '{manifest.key}' version {manifest.version} is already registered"
            )
        versions[manifest.version] = manifest

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
        """Add the manifests third-party packages expose; returns the keys added."""
        added: list[str] = []
        for point in entry_points(group=group):
            try:
                manifests = _manifests_of(point.load())
                for manifest in manifests:
                    self.add(manifest)
                    added.append(manifest.key)
            except Exception:
                log.exception("skipping component entry point %r (%s)", point.name, point.value)
        return added


def _manifests_of(obj: Any) -> list[ComponentManifest]:
    """Accept a manifest, an object with a ``manifest`` attribute, or an iterable of either."""
    if isinstance(obj, ComponentManifest):
        return [obj]
    inner = getattr(obj, "manifest", None)
    if isinstance(inner, ComponentManifest):
        return [inner]
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes):
        return [m for item in obj for m in _manifests_of(item)]
    raise TypeError(f"expected a ComponentManifest, got {type(obj).__name__}")
