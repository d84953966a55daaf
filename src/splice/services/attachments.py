"""Documents kept alongside an integration: upload, list, download, delete (size-limited)."""

from __future__ import annotations

import mimetypes
import uuid

from sqlalchemy import select
from sqlalchemy.orm import defer

from splice import ids
from splice.errors import InvalidInput, NotFound, PayloadTooLarge
from splice.services.authz import Actor, Permission, require
from splice.services.integrations import IntegrationService
from splice.settings import Settings
from splice.store.db import Database
from splice.store.tables import Attachment, Integration

__all__ = ["AttachmentService"]


class AttachmentService:
    """Attachments of an integration (stored in the database, so backups include them)."""

    def __init__(self, settings: Settings, db: Database, integrations: IntegrationService) -> None:
        self._settings = settings
        self._db = db
        self._integrations = integrations

    async def upload(
        self,
        actor: Actor,
        integration_id: str,
        name: str,
        content: bytes,
        content_type: str | None = None,
    ) -> Attachment:
        """Store a file; refuses empty names and files over the limit."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        limit = self._settings.limits.attachment_bytes
        if len(content) > limit:
            raise PayloadTooLarge(
                f"the attachment is {len(content)} bytes; the limit is {limit} bytes",
                field="content",
                fix="attach a smaller file or a link to it",
            )
        name = (name or "").strip().replace("/", "_")
        if not name:
            raise InvalidInput("the attachment needs a file name", field="name")
        guessed = mimetypes.guess_type(name)[0]
        async with self._db.session() as session:
            record = await self._integrations.load_record(
                session, actor, integration_id, field="integration"
            )
            attachment = Attachment(
                integration_id=record.integration.id,
                name=name,
                content_type=content_type or guessed or "application/octet-stream",
                size=len(content),
                content=content,
                uploaded_by_id=actor.user_id,
            )
            session.add(attachment)
            await session.commit()
            return attachment

    async def list_for(self, actor: Actor, integration_pk: uuid.UUID) -> list[Attachment]:
        """Attachment metadata (without contents), newest first."""
        require(actor, Permission.READ)
        async with self._db.session() as session:
            rows = await session.execute(
                select(Attachment)
                .options(defer(Attachment.content))
                .where(Attachment.integration_id == integration_pk)
                .order_by(Attachment.created_at.desc(), Attachment.name)
            )
            return list(rows.scalars())

    async def get(self, actor: Actor, global_id: str) -> Attachment:
        """One attachment with its contents."""
        require(actor, Permission.READ)
        pk = ids.decode(global_id, "Attachment")
        async with self._db.session() as session:
            attachment = await session.get(Attachment, pk)
            integration = (
                await session.get(Integration, attachment.integration_id) if attachment else None
            )
            if (
                attachment is None
                or integration is None
                or integration.organization_id != actor.organization_id
                or (actor.is_customer_user and integration.customer_id != actor.customer_id)
            ):
                raise NotFound("attachment", global_id)
            return attachment

    async def delete(self, actor: Actor, global_id: str) -> Attachment:
        """Remove an attachment."""
        require(actor, Permission.EDIT_INTEGRATIONS)
        attachment = await self.get(actor, global_id)
        async with self._db.session() as session:
            row = await session.get(Attachment, attachment.id)
            if row is not None:
                await session.delete(row)
                await session.commit()
        return attachment
