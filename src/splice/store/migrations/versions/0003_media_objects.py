"""Media objects: icons uploaded through signed PUT URLs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:13:38.863790
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "media_objects",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("object_ref", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_media_objects_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_media_objects_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_objects")),
    )
    with op.batch_alter_table("media_objects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_objects_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("media_objects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_objects_organization_id"))

    op.drop_table("media_objects")
