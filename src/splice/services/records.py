"""Read models the adapters shape: an integration as a draft or as one published version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from splice import ids
from splice.store.tables import Integration, IntegrationVersion, User

__all__ = ["IntegrationRecord"]


@dataclass(frozen=True)
class IntegrationRecord:
    """The draft (``version`` None) or a published version; both are GraphQL ``Integration``s."""

    integration: Integration
    version: IntegrationVersion | None = None
    published_by: User | None = None

    @property
    def global_id(self) -> str:
        """The canonical ID: the version's when this is a version, else the integration's."""
        row = self.version or self.integration
        return ids.encode("Integration", row.id)

    @property
    def is_draft(self) -> bool:
        """True for the editable draft."""
        return self.version is None

    @property
    def name(self) -> str:
        """Name (a version keeps the name it was published with)."""
        return self.version.name if self.version else self.integration.name

    @property
    def description(self) -> str:
        """Description."""
        return self.version.description if self.version else self.integration.description

    @property
    def category(self) -> str:
        """Category."""
        return self.version.category if self.version else self.integration.category

    @property
    def labels(self) -> list[str]:
        """Lower-cased labels."""
        return list(self.version.labels if self.version else self.integration.labels)

    @property
    def documentation(self) -> str:
        """Markdown documentation."""
        return self.version.documentation if self.version else self.integration.documentation

    @property
    def definition(self) -> dict[str, Any]:
        """The definition as parsed data."""
        return self.version.definition if self.version else self.integration.definition

    @property
    def version_number(self) -> int:
        """The version's number; for the draft, the latest published number (0 if none)."""
        return (
            self.version.version_number if self.version else self.integration.latest_version_number
        )

    @property
    def created_at(self) -> datetime:
        """When this version was published (or the draft created)."""
        return self.version.published_at if self.version else self.integration.created_at

    @property
    def is_available(self) -> bool:
        """Whether this version may be deployed (the draft never is)."""
        return self.version.is_available if self.version else False
