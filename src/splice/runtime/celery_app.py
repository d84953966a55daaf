"""Scaled-out executions: a Celery app whose one task runs ``ExecutionService.run`` by ID.

The task carries only the execution ID (the committed row is the truth). ``acks_late`` with
``reject_on_worker_lost`` hands a task whose worker died to another worker, and the execution's
lease makes running it twice impossible. Each worker process keeps one event loop and one
service bundle, built when the process starts.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from splice.services import Services
from splice.services.startup import build_services
from splice.settings import Settings, get_settings

__all__ = ["CeleryDispatcher", "create_celery_app"]

TASK_NAME = "splice.run_execution"


class _WorkerState:
    """Per-process loop and services (Celery forks workers; nothing is shared across them)."""

    loop: asyncio.AbstractEventLoop | None = None
    services: Services | None = None


def create_celery_app(settings: Settings) -> Celery:
    """A Celery app on the configured broker with Splice's one task."""
    app = Celery("splice", broker=settings.runtime.broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )

    @app.task(name=TASK_NAME, ignore_result=True)  # type: ignore[untyped-decorator]
    def run_execution(execution_id: str) -> None:
        services, loop = _process_state(settings)
        loop.run_until_complete(
            services.executions.run(uuid.UUID(execution_id), worker=f"celery-{os.getpid()}")
        )

    return app


def _process_state(settings: Settings) -> tuple[Services, asyncio.AbstractEventLoop]:
    if _WorkerState.loop is None or _WorkerState.services is None:
        _WorkerState.loop = asyncio.new_event_loop()
        _WorkerState.services = build_services(settings)
    return _WorkerState.services, _WorkerState.loop


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _reset_after_fork(**_: Any) -> None:
    _WorkerState.loop = None
    _WorkerState.services = None


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _dispose(**_: Any) -> None:
    if _WorkerState.loop is not None and _WorkerState.services is not None:
        _WorkerState.loop.run_until_complete(_WorkerState.services.db.dispose())


class CeleryDispatcher:
    """Sends execution IDs to the broker; Celery workers run them."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    async def start(self) -> None:
        """Nothing to start: the workers are separate processes."""

    async def submit(self, execution_id: uuid.UUID) -> None:
        await asyncio.to_thread(self._app.send_task, TASK_NAME, args=[str(execution_id)])

    async def stop(self) -> None:
        """Nothing to stop."""


def celery_from_environment() -> Celery:
    """The app ``celery -A`` and ``splice worker`` use."""
    return create_celery_app(get_settings())
