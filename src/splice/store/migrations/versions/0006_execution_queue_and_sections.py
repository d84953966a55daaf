"""Execution queue columns (FIFO limit, dedupe ID) and labelled log sections

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=20),
            type_=sa.String(length=40),
            existing_nullable=False,
        )  # room for canceled_as_duplicate
        batch_op.add_column(sa.Column("queue_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dedupe_id", sa.String(length=500), nullable=True))
        batch_op.create_index(
            "ix_executions_flow_config_status", ["flow_config_id", "status"], unique=False
        )
    op.create_table(
        "execution_sections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name=op.f("fk_execution_sections_execution_id_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_sections")),
    )
    with op.batch_alter_table("execution_sections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_execution_sections_execution", ["execution_id", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("execution_sections", schema=None) as batch_op:
        batch_op.drop_index("ix_execution_sections_execution")
    op.drop_table("execution_sections")
    op.execute("UPDATE executions SET status = 'canceled' WHERE status = 'canceled_as_duplicate'")
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.drop_index("ix_executions_flow_config_status")
        batch_op.drop_column("dedupe_id")
        batch_op.drop_column("queue_limit")
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=40),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
