"""Uploaded media (integration icons) received through a signed, unauthenticated PUT URL."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from splice.store.tables.base import Base, Timestamped

__all__ = ["MediaObject"]


class MediaObject(Timestamped, Base):
    """A file announced by ``uploadMedia``; ``content`` arrives with the PUT."""

    __tablename__ = "media_objects"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    object_ref: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
