"""Executions (outbox rows with leases), step results, logs and persisted state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:25:48.345383
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "state_values",
        sa.Column("instance_id", sa.Uuid(), nullable=True),
        sa.Column("integration_id", sa.Uuid(), nullable=True),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_state_values_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_state_values_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_values")),
        sa.UniqueConstraint("scope", "owner", "key", name="uq_state_values_key"),
    )
    with op.batch_alter_table("state_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_state_values_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_state_values_integration_id"), ["integration_id"], unique=False
        )

    op.create_table(
        "executions",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("flow_config_id", sa.Uuid(), nullable=True),
        sa.Column("flow_id", sa.Uuid(), nullable=True),
        sa.Column("flow_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("is_synchronous", sa.Boolean(), nullable=False),
        sa.Column("trigger_kind", sa.String(length=40), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("payload_content_type", sa.String(length=200), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("replay_of_id", sa.Uuid(), nullable=True),
        sa.Column("resume_from", sa.String(length=500), nullable=True),
        sa.Column("retry_of_id", sa.Uuid(), nullable=True),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_config_id"],
            ["instance_flow_configs.id"],
            name=op.f("fk_executions_flow_config_id_instance_flow_configs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["integration_flows.id"],
            name=op.f("fk_executions_flow_id_integration_flows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_executions_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_executions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replay_of_id"],
            ["executions.id"],
            name=op.f("fk_executions_replay_of_id_executions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["retry_of_id"],
            ["executions.id"],
            name=op.f("fk_executions_retry_of_id_executions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executions")),
        sa.UniqueConstraint("flow_config_id", "scheduled_for", name="uq_executions_schedule_tick"),
    )
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_executions_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_executions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_executions_status_lease", ["status", "lease_expires_at"], unique=False
        )

    op.create_table(
        "execution_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("step_path", sa.String(length=500), nullable=True),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name=op.f("fk_execution_logs_execution_id_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_logs")),
    )
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_execution_logs_execution_time", ["execution_id", "timestamp", "id"], unique=False
        )

    op.create_table(
        "execution_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("step_path", sa.String(length=500), nullable=False),
        sa.Column("step_key", sa.String(length=200), nullable=False),
        sa.Column("step_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["executions.id"],
            name=op.f("fk_execution_steps_execution_id_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_steps")),
    )
    with op.batch_alter_table("execution_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_execution_steps_execution_id"), ["execution_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("execution_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_execution_steps_execution_id"))

    op.drop_table("execution_steps")
    with op.batch_alter_table("execution_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_execution_logs_execution_time")

    op.drop_table("execution_logs")
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.drop_index("ix_executions_status_lease")
        batch_op.drop_index(batch_op.f("ix_executions_organization_id"))
        batch_op.drop_index(batch_op.f("ix_executions_instance_id"))

    op.drop_table("executions")
    with op.batch_alter_table("state_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_values_integration_id"))
        batch_op.drop_index(batch_op.f("ix_state_values_instance_id"))

    op.drop_table("state_values")
