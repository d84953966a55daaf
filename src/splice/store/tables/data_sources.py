"""Data source log lines: what a config variable's data source logged while an instance was configured.

They belong to no execution (data sources run in the config wizard), so they hang off the
instance and the config variable key; ``log_type`` is Prismatic's ``DATA_SOURCE``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from splice.ids import new_uuid
from splice.store.tables.base import Base

__all__ = ["DataSourceLogLine"]


class DataSourceLogLine(Base):
    """One log line of a data source run; ordered by (timestamp, id)."""

    __tablename__ = "data_source_logs"
    __table_args__ = (
        Index(
            "ix_data_source_logs_instance_key_time",
            "instance_id",
            "config_variable_key",
            "timestamp",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    instance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    config_variable_key: Mapped[str] = mapped_column(String(200))
    log_type: Mapped[str] = mapped_column(String(20), default="DATA_SOURCE")
    timestamp: Mapped[datetime] = mapped_column()
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
