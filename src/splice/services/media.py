"""Media uploads the prism way: ``uploadMedia`` announces a file, a signed PUT URL receives it.

The upload URL carries a short-lived signed token instead of credentials (prism sends the PUT
without an Authorization header); the object URL is what ``updateIntegration(avatarUrl)`` takes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from splice import clock, ids
from splice.errors import InvalidInput, NotAuthenticated, NotFound, PayloadTooLarge
from splice.services.authz import Actor, Permission, require
from splice.services.icons import MAX_ICON_BYTES
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import MediaObject

__all__ = ["MediaService", "media_content_for_url"]

UPLOAD_TTL = timedelta(minutes=15)
MEDIA_TYPES = ("AVATAR", "ATTACHMENT")


@dataclass(frozen=True)
class PresignedUpload:
    """Where to PUT the bytes (token) and the ID of the object they become."""

    token: str
    media_id: str


class MediaService:
    """Announce uploads, receive their bytes, find them again by object URL."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db

    @property
    def _secret(self) -> str:
        return self._settings.auth.secret_key.get_secret_value()

    async def presign(
        self, actor: Actor, object_ref: str, file_name: str, media_type: str
    ) -> PresignedUpload:
        """Record an expected upload and sign a token for its PUT."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        if media_type not in MEDIA_TYPES:
            raise InvalidInput(f"unknown media type {media_type!r}", field="mediaType")
        async with self._db.session() as session:
            media = MediaObject(
                organization_id=actor.organization_id,
                uploaded_by_id=actor.user_id,
                object_ref=object_ref,
                media_type=media_type,
                file_name=file_name,
            )
            session.add(media)
            await session.commit()
        token = jwt.encode(
            {"typ": "media-upload", "mid": str(media.id), "exp": clock.now() + UPLOAD_TTL},
            self._secret,
            algorithm="HS256",
        )
        return PresignedUpload(token, ids.encode("MediaObject", media.id))

    async def receive(self, token: str, content: bytes, content_type: str | None) -> None:
        """Store the bytes of a PUT to a signed upload URL."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"])
            if claims.get("typ") != "media-upload":
                raise NotAuthenticated("this URL is not an upload URL")
            media_pk = uuid.UUID(claims["mid"])
        except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
            raise NotAuthenticated(
                "the upload URL is invalid or has expired", fix="ask uploadMedia for a new one"
            ) from exc
        if len(content) > MAX_ICON_BYTES:
            raise PayloadTooLarge(f"uploads are limited to {MAX_ICON_BYTES} bytes")
        async with self._db.session() as session:
            media = await session.get(MediaObject, media_pk)
            if media is None:
                raise NotFound("upload", token)
            media.content = content
            media.content_type = content_type or "application/octet-stream"
            await session.commit()


async def media_content_for_url(session: AsyncSession, actor: Actor, url: str) -> bytes:
    """The uploaded bytes an object URL (``…/media/objects/<id>``) names."""
    media_id = url.rstrip("/").rsplit("/", 1)[-1]
    media = await session.get(MediaObject, ids.decode(media_id, "MediaObject"))
    if media is None or media.organization_id != actor.organization_id:
        raise NotFound("uploaded media", url, field="avatarUrl")
    if media.content is None:
        raise InvalidInput(
            "nothing was uploaded to this URL yet", field="avatarUrl", fix="PUT the file first"
        )
    return media.content
