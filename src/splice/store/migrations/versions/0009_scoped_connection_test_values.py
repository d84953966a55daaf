"""Scoped connections carry an optional test value (Prismatic's isTest) for test instances

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scoped_config_variables") as batch:
        batch.add_column(sa.Column("test_values", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scoped_config_variables") as batch:
        batch.drop_column("test_values")
