"""Instance config values (secrets encrypted), the deployed version and config, marketplace origin

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:30:13.569068
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instance_config_values",
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("schedule_type", sa.String(length=20), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instances.id"],
            name=op.f("fk_instance_config_values_instance_id_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_config_values")),
        sa.UniqueConstraint("instance_id", "key", name="uq_instance_config_values_instance_key"),
    )
    with op.batch_alter_table("instance_config_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instance_config_values_instance_id"), ["instance_id"], unique=False
        )

    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deployed_version_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("from_marketplace", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("deployed_config", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_instances_deployed_version_id"), ["deployed_version_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_instances_deployed_version_id_integration_versions"),
            "integration_versions",
            ["deployed_version_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_instances_deployed_version_id_integration_versions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_instances_deployed_version_id"))
        batch_op.drop_column("deployed_config")
        batch_op.drop_column("from_marketplace")
        batch_op.drop_column("deployed_version_id")

    with op.batch_alter_table("instance_config_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_config_values_instance_id"))

    op.drop_table("instance_config_values")
