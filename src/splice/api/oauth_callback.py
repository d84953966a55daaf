"""``/oauth2/callback``: where an OAuth 2.0 provider sends the user after authorizing a connection.

The sealed ``state`` names an instance's config variable or a scoped connection's value; the
service exchanges the code for a token and stores it encrypted there. The user gets a short
HTML page either way.
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from splice.api.deps import ServicesDep
from splice.errors import UserError

__all__ = ["router"]

router = APIRouter()
PAGE = "<!doctype html><title>{title}</title><h1>{title}</h1><p>{text}</p>"


@router.get("/oauth2/callback", include_in_schema=False)
async def oauth_callback(
    services: ServicesDep, state: str = "", code: str = "", error: str = ""
) -> HTMLResponse:
    """Finish an authorization; the page says whether the connection is now authorized."""
    if error:
        text = f"The provider refused the authorization: {error}."
        return HTMLResponse(PAGE.format(title="Authorization failed", text=html.escape(text)), 400)
    try:
        what = await services.instances.complete_authorization(state, code)
    except UserError as exc:
        return HTMLResponse(
            PAGE.format(title="Authorization failed", text=html.escape(exc.text)),
            exc.status_code,
        )
    text = f"{what[:1].upper()}{what[1:]} is authorized. You can close this window."
    return HTMLResponse(PAGE.format(title="Authorization complete", text=html.escape(text)))
