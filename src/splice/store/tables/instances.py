"""Instances (an integration version deployed to a customer) and their per-flow configs.

Every integration also has one system instance (customer = the org's system customer) that
test runs use; its flow configs follow the draft's flows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from splice.store.tables.base import Base, Timestamped

__all__ = ["Instance", "InstanceFlowConfig"]


class Instance(Timestamped, Base):
    """One integration deployed for one customer (or the integration's test instance)."""

    __tablename__ = "instances"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integration_versions.id", ondelete="RESTRICT"), index=True
    )
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    is_system: Mapped[bool] = mapped_column(default=False)
    needs_deploy: Mapped[bool] = mapped_column(default=True)
    deployed_at: Mapped[datetime | None] = mapped_column()


class InstanceFlowConfig(Timestamped, Base):
    """An instance's configuration of one flow: its webhook identity and API keys."""

    __tablename__ = "instance_flow_configs"

    instance_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integration_flows.id", ondelete="CASCADE"), index=True
    )
    api_keys: Mapped[list[str]] = mapped_column(default=list)
