"""The `recursive-flow` core component: run a flow again with a cursor, page by page."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="recursive-flow",
    version=1,
    label="Recursive Flow",
    description="Run a flow again with a cursor, page by page",
    category="Platform",
    actions=(
        ActionManifest(
            key="recursiveTrigger",
            label="Recursive Trigger",
            description="Runs on invocation by invokeRecursive (and optionally on deploy)",
            is_trigger=True,
            inputs=(
                InputManifest("runOnDeploy", "Run on Deploy", type="boolean", default="false"),
                InputManifest("defaultCursor", "Default Cursor"),
            ),
        ),
        ActionManifest(key="getCursor", label="Get Cursor", description="Returns the cursor"),
        ActionManifest(
            key="setCursor",
            label="Set Cursor",
            description="Sets the cursor for the next invocation",
            inputs=(InputManifest("cursor", "Cursor", required=True),),
        ),
        ActionManifest(
            key="invokeRecursive",
            label="Invoke Recursive",
            description="Starts this flow again with the cursor",
        ),
    ),
)
