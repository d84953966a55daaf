"""The `math` core component: arithmetic on numeric strings."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="math",
    version=1,
    label="Math",
    description="Arithmetic on numeric strings",
    category="Data",
    actions=(
        ActionManifest(
            key="add",
            label="Add",
            description="Returns the sum of the numbers",
            inputs=(_in("numbers", "Numbers", required=True, collection="valuelist"),),
        ),
    ),
)
