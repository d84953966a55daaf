"""Instances (an integration version deployed to a customer), their config values and flow configs.

Every integration also has one system instance (customer = the org's system customer) that
test runs use; its flow configs follow the draft's flows. ``version_id`` is the version the
instance is configured for; ``deployed_version_id`` the one its webhooks run, with the config
values snapshotted at that deploy in ``deployed_config`` (still encrypted). Secret config
values (connection inputs, write-only values) are stored encrypted (``services/secrets.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from splice.store.tables.base import Base, Timestamped

__all__ = ["Instance", "InstanceConfigValue", "InstanceFlowConfig"]


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
    enabled_at: Mapped[datetime | None] = mapped_column()  # the last change from paused
    deployed_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("integration_versions.id", ondelete="SET NULL"), index=True
    )
    from_marketplace: Mapped[bool] = mapped_column(default=False)
    deployed_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InstanceConfigValue(Timestamped, Base):
    """The value an instance gives one config variable (absent row: the default applies).

    ``value`` holds scalar values (ciphertext for secrets); ``values`` holds a connection's
    inputs as ``[{name, type, value}]`` with every input value encrypted.
    """

    __tablename__ = "instance_config_values"
    __table_args__ = (
        UniqueConstraint("instance_id", "key", name="uq_instance_config_values_instance_key"),
    )

    instance_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)
    values: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    schedule_type: Mapped[str | None] = mapped_column(String(20))
    time_zone: Mapped[str | None] = mapped_column(String(64))


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
