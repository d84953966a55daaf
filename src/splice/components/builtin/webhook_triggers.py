"""The `webhook-triggers` core component: start a flow with an HTTP request to the flow's webhook URL."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="webhook-triggers",
    version=1,
    label="Webhook",
    description="Start a flow with an HTTP request to the flow's webhook URL",
    category="Triggers",
    actions=(
        ActionManifest(
            key="webhook",
            label="Webhook",
            description="Runs when the flow's webhook URL receives a request",
            is_trigger=True,
            schedule_support="INVALID",
            inputs=(
                InputManifest("statusCode", "Response Status Code", comments="For async callers"),
                InputManifest("contentType", "Response Content Type"),
                InputManifest("headers", "Response Headers", collection="keyvaluelist"),
                InputManifest("body", "Response Body", type="text"),
            ),
        ),
    ),
)
