"""FastAPI dependencies, declared once as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from splice.api.graphql.endpoint import bearer_token
from splice.errors import NotAuthenticated
from splice.services import Services
from splice.services.authz import Actor

__all__ = ["ActorDep", "ServicesDep"]


async def get_services(request: Request) -> Services:
    """The service bundle the app factory built (async: FastAPI runs a sync one in a thread)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_actor(request: Request, services: ServicesDep) -> Actor:
    """The caller of a REST route, from its bearer token."""
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("send 'Authorization: Bearer <access token>'")
    return await services.auth.authenticate(token)


ActorDep = Annotated[Actor, Depends(get_actor)]
