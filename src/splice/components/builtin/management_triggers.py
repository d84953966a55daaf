"""The `management-triggers` core component: start a flow when an instance is deployed or removed."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest

__all__ = ["MANIFEST"]

MANIFEST = ComponentManifest(
    key="management-triggers",
    version=1,
    label="Management Triggers",
    description="Start a flow when an instance is deployed or removed",
    category="Triggers",
    actions=(
        ActionManifest(
            key="instanceDeploy",
            label="Instance Deploy",
            description="Runs when an instance is deployed, and again on every redeploy",
            is_trigger=True,
        ),
        ActionManifest(
            key="instanceRemove",
            label="Instance Remove",
            description="Runs when an instance is removed",
            is_trigger=True,
        ),
    ),
)
