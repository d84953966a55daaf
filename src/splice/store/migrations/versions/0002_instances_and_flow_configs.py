"""Instances and their flow configs (each integration has a system instance for tests).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:55:32.801566
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "instances",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("needs_deploy", sa.Boolean(), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_instances_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_instances_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_instances_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["integration_versions.id"],
            name=op.f("fk_instances_version_id_integration_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instances")),
    )
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instances_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_instances_integration_id"), ["integration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_instances_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_instances_version_id"), ["version_id"], unique=False)

    op.create_table(
        "instance_flow_configs",
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("api_keys", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["integration_flows.id"],
            name=op.f("fk_instance_flow_configs_flow_id_integration_flows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_instance_flow_configs_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_flow_configs")),
    )
    with op.batch_alter_table("instance_flow_configs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instance_flow_configs_flow_id"), ["flow_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_instance_flow_configs_instance_id"), ["instance_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("instance_flow_configs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_flow_configs_instance_id"))
        batch_op.drop_index(batch_op.f("ix_instance_flow_configs_flow_id"))

    op.drop_table("instance_flow_configs")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instances_version_id"))
        batch_op.drop_index(batch_op.f("ix_instances_organization_id"))
        batch_op.drop_index(batch_op.f("ix_instances_integration_id"))
        batch_op.drop_index(batch_op.f("ix_instances_customer_id"))

    op.drop_table("instances")
