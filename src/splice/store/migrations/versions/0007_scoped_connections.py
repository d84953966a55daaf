"""Scoped (integration-agnostic) connections and customers' values of them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scoped_config_variables",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("stable_key", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("variable_scope", sa.String(length=20), nullable=False),
        sa.Column("managed_by", sa.String(length=20), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_scoped_config_variables_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoped_config_variables")),
        sa.UniqueConstraint(
            "organization_id", "stable_key", name="uq_scoped_config_variables_org_stable_key"
        ),
    )
    with op.batch_alter_table("scoped_config_variables", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scoped_config_variables_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "customer_config_variables",
        sa.Column("scoped_config_variable_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_config_variables_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scoped_config_variable_id"],
            ["scoped_config_variables.id"],
            name=op.f(
                "fk_customer_config_variables_scoped_config_variable_id_scoped_config_variables"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_config_variables")),
        sa.UniqueConstraint(
            "scoped_config_variable_id",
            "customer_id",
            name="uq_customer_config_variables_scoped_customer",
        ),
    )
    with op.batch_alter_table("customer_config_variables", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_config_variables_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_config_variables_scoped_config_variable_id"),
            ["scoped_config_variable_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_config_variables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_config_variables_scoped_config_variable_id"))
        batch_op.drop_index(batch_op.f("ix_customer_config_variables_customer_id"))
    op.drop_table("customer_config_variables")

    with op.batch_alter_table("scoped_config_variables", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scoped_config_variables_organization_id"))
    op.drop_table("scoped_config_variables")
