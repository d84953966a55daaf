"""Data source log lines (log type DATA_SOURCE), kept per instance and config variable

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_source_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("config_variable_key", sa.String(length=200), nullable=False),
        sa.Column("log_type", sa.String(length=20), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_data_source_logs_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_source_logs")),
    )
    with op.batch_alter_table("data_source_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_data_source_logs_instance_key_time",
            ["instance_id", "config_variable_key", "timestamp"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("data_source_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_data_source_logs_instance_key_time")
    op.drop_table("data_source_logs")
