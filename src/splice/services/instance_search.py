"""Field matches of the instances list that Prismatic's ``listInstances`` inputs send.

``compatibility`` has no definition in the sources; Splice reads it as the number of the
integration version an instance is configured for (the version its config values fit), so
``compatibility: 2`` lists the instances set up for version 2. Test instances match no number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists

from splice.store.tables import Customer, Instance, IntegrationVersion

__all__ = ["InstanceMatch"]


def _contains(text: str) -> str:
    """A case-insensitive LIKE pattern for ``text`` with its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class InstanceMatch:
    """Exact and contains matches on an instance, its customer and its version (all optional)."""

    name: str | None = None
    description: str | None = None
    description_icontains: str | None = None
    customer_external_id: str | None = None
    compatibility: int | None = None

    def apply(self, stmt: Any) -> Any:
        """``stmt`` (a select of instances) narrowed by every match that is set."""
        if self.name is not None:
            stmt = stmt.where(Instance.name == self.name)
        if self.description is not None:
            stmt = stmt.where(Instance.description == self.description)
        if self.description_icontains:
            pattern = _contains(self.description_icontains)
            stmt = stmt.where(Instance.description.ilike(pattern, escape="\\"))
        if self.customer_external_id is not None:
            stmt = stmt.where(
                exists().where(
                    Customer.id == Instance.customer_id,
                    Customer.external_id == self.customer_external_id,
                )
            )
        if self.compatibility is not None:
            stmt = stmt.where(
                exists().where(
                    IntegrationVersion.id == Instance.version_id,
                    IntegrationVersion.version_number == self.compatibility,
                )
            )
        return stmt
