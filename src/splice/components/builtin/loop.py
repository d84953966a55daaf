"""The `loop` core component: run the nested steps once per item, or N times."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="loop",
    version=1,
    label="Loop",
    description="Run the nested steps once per item, or N times",
    category="Logic",
    actions=(
        ActionManifest(
            key="loopOverItems",
            label="Loop Over Items",
            description="Runs the nested steps for each item of a list",
            inputs=(InputManifest("items", "Items", type="data", required=True),),
        ),
        ActionManifest(
            key="loopNTimes",
            label="Loop N Times",
            description="Runs the nested steps a number of times",
            inputs=(InputManifest("iterationCount", "Number of Iterations", default="1000"),),
        ),
        ActionManifest(
            key="breakLoop",
            label="Break Loop",
            description="Leaves the innermost loop",
        ),
    ),
)
