"""Executions keep their retryConfig uniqueRequestIdField value (newer invocations cancel retries)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 03:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("unique_request_id", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("unique_request_id")
