"""The `log` core component: write execution log lines."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="log",
    version=1,
    label="Log",
    description="Write execution log lines",
    category="Logic",
    actions=(
        ActionManifest(
            key="writeLog",
            label="Write Log Message",
            description="Writes one execution log line",
            inputs=(
                _in("level", "Log Level", "picklist", default="info"),
                _in("message", "Message", required=True),
            ),
        ),
    ),
)
