"""The app factory: ``create_app(settings)`` wires services, GraphQL, auth and file routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from splice import __version__
from splice.api import auth_routes, files, oauth_callback, webhooks
from splice.api.graphql.endpoint import GraphQLEndpoint
from splice.api.graphql.executable import build_schema
from splice.api.limits import BodySizeLimit
from splice.api.problems import install_problem_handlers
from splice.runtime.dispatch import Dispatcher
from splice.runtime.inline import InlineDispatcher
from splice.runtime.scheduler import Scheduler
from splice.runtime.sweeper import Sweeper
from splice.services import Services
from splice.services.startup import build_services, prepare
from splice.settings import Settings

__all__ = ["SpliceApp", "create_app"]

log = logging.getLogger(__name__)


def choose_dispatcher(settings: Settings, services: Services) -> Dispatcher:
    """Celery workers when a broker is configured, else the in-process pool."""
    if settings.runtime.distributed:
        from splice.runtime.celery_app import CeleryDispatcher, create_celery_app

        return CeleryDispatcher(create_celery_app(settings))
    return InlineDispatcher(services.executions, workers=settings.runtime.workers)


class SpliceApp(FastAPI):
    """FastAPI, with webhook calls handed to ``trigger_app`` ahead of its middleware stack.

    A webhook needs none of what the stack does for the API (error pages, exception handlers,
    FastAPI's own body limit, routing), and each layer wraps every call and every message sent.
    ``trigger_app`` applies the request-size limit itself.
    """

    trigger_app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trigger_app is not None and webhooks.is_trigger_path(scope):
            scope["app"] = self
            await self.trigger_app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """Build the ASGI app; the lifespan migrates, bootstraps and disposes the database."""
    services = services or build_services(settings)

    dispatcher = choose_dispatcher(settings, services)
    services.executions.use_dispatcher(dispatcher.submit)
    sweeper = Sweeper(
        services.executions, dispatcher, interval=settings.runtime.sweep_interval_seconds
    )
    scheduler = Scheduler(
        services.schedules, dispatcher, interval=settings.runtime.scheduler_interval_seconds
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        created = await prepare(services)
        if created is not None:
            log.warning(
                "created organization %r with owner %s", created.organization_name, created.email
            )
        await dispatcher.start()
        await sweeper.start()
        await scheduler.start()
        yield
        await scheduler.stop()
        await sweeper.stop()
        await dispatcher.stop()
        await services.db.dispose()

    app = SpliceApp(title="Splice", version=__version__, lifespan=lifespan, docs_url="/docs")
    app.state.services = services
    app.state.dispatcher = dispatcher
    install_problem_handlers(app)
    endpoint = GraphQLEndpoint(build_schema(), services, dispatcher.submit)
    app.add_api_route("/api", endpoint.get, methods=["GET"], include_in_schema=False)
    app.add_api_route("/api", endpoint.post, methods=["POST"], include_in_schema=False)
    app.include_router(auth_routes.router)
    app.include_router(files.router)
    app.include_router(webhooks.router)
    app.include_router(oauth_callback.router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodySizeLimit, max_bytes=settings.limits.request_bytes)
    app.trigger_app = BodySizeLimit(
        webhooks.TriggerRoute(services), max_bytes=settings.limits.request_bytes
    )
    return app
