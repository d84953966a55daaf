"""Integrations: the editable draft, its immutable published versions, flows and attachments.

The draft row and each version row both appear as GraphQL ``Integration`` objects; a version's
ID is accepted wherever an integration ID is.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from splice.store.tables.base import Base, Timestamped

__all__ = ["Attachment", "Integration", "IntegrationFlow", "IntegrationVersion"]


class Integration(Timestamped, Base):
    """The integration and its draft definition (stored as parsed data, dumped on export)."""

    __tablename__ = "integrations"
    __table_args__ = (UniqueConstraint("organization_id", "name", name="uq_integrations_org_name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integrations.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    labels: Mapped[list[str]] = mapped_column(default=list)
    documentation: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[dict[str, Any]] = mapped_column()
    has_unpublished_changes: Mapped[bool] = mapped_column(default=True)
    latest_version_number: Mapped[int] = mapped_column(Integer, default=0)
    icon_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class IntegrationVersion(Timestamped, Base):
    """A published, immutable version (only labels, availability, marketplace, template change)."""

    __tablename__ = "integration_versions"
    __table_args__ = (
        UniqueConstraint("integration_id", "version_number", name="uq_integration_versions_number"),
    )

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    version_number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    labels: Mapped[list[str]] = mapped_column(default=list)
    documentation: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[dict[str, Any]] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime] = mapped_column()
    is_available: Mapped[bool] = mapped_column(default=True)
    marketplace_configuration: Mapped[str] = mapped_column(
        String(40), default="NOT_AVAILABLE_IN_MARKETPLACE"
    )
    marketplace_overview: Mapped[str] = mapped_column(Text, default="")
    allow_multiple_marketplace_instances: Mapped[bool] = mapped_column(default=False)
    template_visibility: Mapped[str] = mapped_column(String(20), default="none")


class IntegrationFlow(Timestamped, Base):
    """A flow of the draft (version_id null) or of a published version; IDs stay stable by name."""

    __tablename__ = "integration_flows"

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integration_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    stable_key: Mapped[str] = mapped_column(String(200), default="")
    is_synchronous: Mapped[bool] = mapped_column(default=False)
    trigger_component: Mapped[str] = mapped_column(String(200), default="")
    trigger_action: Mapped[str] = mapped_column(String(200), default="")
    has_schedule: Mapped[bool] = mapped_column(default=False)


class Attachment(Timestamped, Base):
    """A document kept alongside an integration."""

    __tablename__ = "attachments"

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
