"""The `sleep` core component: wait before the next step."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="sleep",
    version=1,
    label="Sleep",
    description="Wait before the next step",
    category="Logic",
    actions=(
        ActionManifest(
            key="sleep",
            label="Sleep",
            description="Waits the given number of milliseconds",
            inputs=(InputManifest("ms", "Milliseconds", default="1000"),),
        ),
    ),
)
