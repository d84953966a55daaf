"""Token endpoints of the prism contract: ``/auth/meta``, ``/oauth/token``, ``/auth/revoke``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import JSONResponse

from splice.api.deps import ServicesDep
from splice.errors import NotAuthenticated, UserError

__all__ = ["router"]

router = APIRouter()

SCOPE = "openid profile email offline_access"


@router.get("/auth/meta")
async def auth_meta(services: ServicesDep) -> dict[str, str]:
    """Where the token endpoint lives; prism always calls ``https://<domain>/oauth/token``."""
    auth = services.settings.auth
    return {
        "domain": services.settings.server.token_domain(),
        "clientId": auth.client_id,
        "audience": auth.audience,
    }


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


@router.post("/oauth/token", response_model=None)
async def oauth_token(
    services: ServicesDep,
    grant_type: Annotated[str, Form()],
    refresh_token: Annotated[str | None, Form()] = None,
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    tenant_id: Annotated[str | None, Form()] = None,
) -> dict[str, Any] | JSONResponse:
    """OAuth 2 token endpoint: ``refresh_token`` and ``password`` grants."""
    try:
        if grant_type == "refresh_token":
            pair = await services.auth.refresh(refresh_token or "")
        elif grant_type == "password":
            pair = await services.auth.login(username or "", password or "", label="cli login")
        else:
            return _oauth_error(
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not supported; use refresh_token or password",
            )
    except NotAuthenticated as exc:
        return _oauth_error("access_denied", exc.text)
    except UserError as exc:
        return _oauth_error("invalid_request", exc.text)
    answer: dict[str, Any] = {
        "access_token": pair.access_token,
        "expires_in": pair.expires_in,
        "scope": SCOPE,
        "token_type": "Bearer",
    }
    if pair.refresh_token:
        answer["refresh_token"] = pair.refresh_token
    return answer


@router.post("/auth/revoke")
async def revoke(
    services: ServicesDep,
    request: Request,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, int]:
    """Revoke every refresh token of the user owning the given one (answer is always 200)."""
    token = (body or {}).get("refresh_token")
    revoked = await services.auth.revoke_all(token) if isinstance(token, str) and token else 0
    return {"revoked": revoked}
