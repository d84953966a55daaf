"""Binary downloads that GraphQL links to: attachments and integration icons."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from splice.api.deps import ActorDep, ServicesDep
from splice.errors import NotFound

__all__ = ["router"]

router = APIRouter()


@router.get("/attachments/{attachment_id}")
async def download_attachment(
    attachment_id: str, actor: ActorDep, services: ServicesDep
) -> Response:
    """The attachment's bytes, as a download."""
    attachment = await services.attachments.get(actor, attachment_id)
    return Response(
        attachment.content,
        media_type=attachment.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.name)}"},
    )


@router.get("/integrations/{integration_id}/icon.png")
async def integration_icon(integration_id: str, actor: ActorDep, services: ServicesDep) -> Response:
    """The integration's PNG icon."""
    record = await services.integrations.get(actor, integration_id)
    if record.integration.icon_png is None:
        raise NotFound("icon of integration", integration_id, fix="upload one first")
    return Response(record.integration.icon_png, media_type="image/png")


@router.put("/media/upload/{token}", status_code=204)
async def receive_upload(token: str, request: Request, services: ServicesDep) -> Response:
    """The signed upload URL ``uploadMedia`` hands out (no Authorization header, like prism)."""
    await services.media.receive(token, await request.body(), request.headers.get("content-type"))
    return Response(status_code=204)
