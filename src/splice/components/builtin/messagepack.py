"""The `messagepack` core component: decode MessagePack data."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="messagepack",
    version=1,
    label="MessagePack",
    description="Decode MessagePack data",
    category="Data",
    actions=(
        ActionManifest(
            key="decodeMessage",
            label="Decode",
            description="Returns the decoded object",
            inputs=(_in("message", "Message", "data", required=True),),
        ),
    ),
)
