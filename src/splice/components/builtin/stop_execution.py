"""The `stop-execution` core component: end the execution early (the response for sync callers)."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="stop-execution",
    version=1,
    label="Stop Execution",
    description="End the execution early, with an HTTP response for synchronous callers",
    category="Logic",
    actions=(
        ActionManifest(
            key="stopExecution",
            label="Stop Execution",
            description="Ends the execution",
            inputs=(
                InputManifest("statusCode", "Response Status Code", default="200"),
                InputManifest("jsonBody", "Response Body", type="code"),
                InputManifest("contentType", "Response Content Type", default="application/json"),
                InputManifest("headers", "Response Headers", collection="keyvaluelist"),
            ),
        ),
    ),
)
