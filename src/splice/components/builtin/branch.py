"""The `branch` core component: choose which steps run next."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="branch",
    version=1,
    label="Branch",
    description="Choose which steps run next",
    category="Logic",
    actions=(
        ActionManifest(
            key="branchOnExpression",
            label="Branch on Expression",
            description="Runs the first branch whose condition holds, else Else",
            branching=True,
            dynamic_branches=True,
            inputs=(InputManifest("conditions", "Conditions", type="conditional", required=True),),
        ),
        ActionManifest(
            key="branchOnValue",
            label="Branch on Value",
            description="Runs the branch whose value equals the input value, else Else",
            branching=True,
            dynamic_branches=True,
            inputs=(
                InputManifest("inputValue", "Input Value", type="data", required=True),
                InputManifest(
                    "branchValueMappings",
                    "Value to Branch Mappings",
                    required=True,
                    collection="keyvaluelist",
                ),
            ),
        ),
        ActionManifest(
            key="selectExecutedStepResult",
            label="Select Executed Step Result",
            description="Returns the result of whichever listed step ran",
            inputs=(
                InputManifest(
                    "stepResults",
                    "Step Results",
                    type="data",
                    required=True,
                    collection="valuelist",
                ),
            ),
        ),
    ),
)
