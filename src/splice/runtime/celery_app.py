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
from typing import Any, ClassVar

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from splice.services import Services
from splice.services.startup import build_services
from splice.settings import Settings, get_settings

__all__ = ["CeleryDispatcher", "create_celery_app", "shutdown_worker_state"]

TASK_NAME = "splice.run_execution"


class _WorkerState:
    """Per-process loops and services, keyed by the settings object of the app that runs the task.

    Celery forks worker processes, so nothing here is shared across them; after a fork the state
    is dropped and rebuilt on first use.
    """

    by_settings: ClassVar[dict[int, tuple[Services, asyncio.AbstractEventLoop]]] = {}


def run_execution(task: Any, execution_id: str) -> None:
    """The one task: run an execution by ID with the settings of the app it was sent through."""
    settings: Settings = task.app.conf.splice_settings
    services, loop = _process_state(settings)
    services.executions.use_dispatcher(CeleryDispatcher(task.app).submit)
    loop.run_until_complete(
        services.executions.run(uuid.UUID(execution_id), worker=f"celery-{os.getpid()}")
    )


def create_celery_app(settings: Settings) -> Celery:
    """A Celery app on the configured broker with Splice's one task."""
    app = Celery("splice", broker=settings.runtime.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        splice_settings=settings,
    )
    app.task(name=TASK_NAME, bind=True, ignore_result=True)(run_execution)
    return app


def _process_state(settings: Settings) -> tuple[Services, asyncio.AbstractEventLoop]:
    key = id(settings)
    if key not in _WorkerState.by_settings:
        _WorkerState.by_settings[key] = (build_services(settings), asyncio.new_event_loop())
    return _WorkerState.by_settings[key]


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _reset_after_fork(**_: Any) -> None:
    _WorkerState.by_settings = {}


def shutdown_worker_state() -> None:
    """Close the process's database pools and loops (at worker shutdown, and in tests)."""
    for services, loop in _WorkerState.by_settings.values():
        loop.run_until_complete(services.db.dispose())
        loop.close()
    _WorkerState.by_settings = {}


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _dispose(**_: Any) -> None:
    shutdown_worker_state()


class CeleryDispatcher:
    """Sends execution IDs to the broker; Celery workers run them."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    async def start(self) -> None:
        """Nothing to start: the workers are separate processes."""

    def reserve(self) -> str | None:
        """Remote workers claim rows themselves: no reservations."""
        return None

    def release(self, owner: str) -> None:
        """Nothing is ever reserved."""

    async def submit(self, execution_id: uuid.UUID, *, claimed_by: str | None = None) -> None:
        await asyncio.to_thread(self._app.send_task, TASK_NAME, args=[str(execution_id)])

    async def stop(self) -> None:
        """Nothing to stop."""


def celery_from_environment() -> Celery:
    """The app ``celery -A`` and ``splice worker`` use."""
    return create_celery_app(get_settings())
