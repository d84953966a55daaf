"""Splice components: manifests (what a component offers) and the registry that holds them.

The decorator SDK that turns Python functions into these manifests lands here later; for now the
package exposes the manifest data types and the registry.
"""

from __future__ import annotations

from splice.components.manifest import (
    ActionManifest,
    ComponentManifest,
    ConnectionManifest,
    DataSourceManifest,
    InputManifest,
)
from splice.components.registry import Registry

__all__ = [
    "ActionManifest",
    "ComponentManifest",
    "ConnectionManifest",
    "DataSourceManifest",
    "InputManifest",
    "Registry",
]
