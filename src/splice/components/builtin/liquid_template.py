"""The `liquid-template` core component: render Liquid templates."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="liquid-template",
    version=1,
    label="Liquid Template",
    description="Render Liquid templates",
    category="Data",
    actions=(
        ActionManifest(
            key="transform",
            label="Transform",
            description="Renders the Liquid template with the data available as data",
            inputs=(
                _in("data", "Data", "data"),
                _in("liquidTemplate", "Liquid Template", "code", required=True),
            ),
        ),
    ),
)
