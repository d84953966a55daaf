"""The `cross-flow` core component: invoke a sibling flow of the same instance."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="cross-flow",
    version=1,
    label="Cross Flow",
    description="Invoke a sibling flow of the same instance",
    category="Platform",
    actions=(
        ActionManifest(
            key="crossFlow",
            label="Cross-Flow Trigger",
            description="Runs when another flow of the instance invokes this flow",
            is_trigger=True,
        ),
        ActionManifest(
            key="invokeFlow",
            label="Invoke Flow",
            description="Starts a sibling flow with the given data",
            inputs=(
                InputManifest("flowName", "Flow Name", required=True),
                InputManifest("data", "Data", type="data"),
            ),
        ),
    ),
)
