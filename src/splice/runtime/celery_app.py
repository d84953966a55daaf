"""Scaled-out executions: a Celery app whose one task runs ``ExecutionService.run`` by ID.

The task carries only the execution ID (the committed row is the truth). ``acks_late`` with
``reject_on_worker_lost`` hands a task whose worker died to another worker, and the execution's
lease makes running it twice impossible. Each worker process keeps one event loop, one service
bundle and one dispatcher, built when the process first runs a task.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import uuid
from typing import Any, ClassVar

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from splice.services import Services
from splice.services.startup import build_services
from splice.settings import Settings, get_settings

__all__ = ["CeleryDispatcher", "create_celery_app", "shutdown_worker_state"]

TASK_NAME = "splice.run_execution"
log = logging.getLogger(__name__)


class _WorkerState:
    """Per-process loops and services, keyed by the settings object of the app that runs the task.

    Celery forks worker processes, so nothing here is shared across them; after a fork the state
    is dropped and rebuilt on first use.
    """

    by_settings: ClassVar[
        dict[int, tuple[Services, asyncio.AbstractEventLoop, CeleryDispatcher]]
    ] = {}


def run_execution(task: Any, execution_id: str) -> None:
    """The one task: run an execution by ID with the settings of the app it was sent through."""
    settings: Settings = task.app.conf.splice_settings
    services, loop, _ = _process_state(settings, task.app)
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


def _process_state(
    settings: Settings, app: Celery
) -> tuple[Services, asyncio.AbstractEventLoop, CeleryDispatcher]:
    key = id(settings)
    if key not in _WorkerState.by_settings:
        services, dispatcher = build_services(settings), CeleryDispatcher(app)
        # flows a task calls or queues are sent to the broker like any other execution
        services.executions.use_dispatcher(dispatcher.submit)
        _WorkerState.by_settings[key] = (services, asyncio.new_event_loop(), dispatcher)
    return _WorkerState.by_settings[key]


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _reset_after_fork(**_: Any) -> None:
    _WorkerState.by_settings = {}


def shutdown_worker_state() -> None:
    """Close the process's database pools and loops (at worker shutdown, and in tests)."""
    for services, loop, dispatcher in _WorkerState.by_settings.values():
        loop.run_until_complete(dispatcher.stop())
        loop.run_until_complete(services.db.dispose())
        loop.close()
    _WorkerState.by_settings = {}


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _dispose(**_: Any) -> None:
    shutdown_worker_state()


class CeleryDispatcher:
    """Sends execution IDs to the broker from a publisher thread; Celery workers run them.

    ``submit`` only queues the ID, so a webhook is answered once its row is committed, without
    waiting for a broker round trip: kombu's client blocks, and one thread per call had cost
    more CPU than the webhook itself. The thread publishes IDs in the order they came, each
    batch on one pooled producer. An ID that could not be published, or that was still queued
    when the process died, belongs to a committed pending row: the sweeper dispatches it again.
    """

    def __init__(self, app: Celery, *, stop_timeout: float = 10.0) -> None:
        self._app = app
        self._stop_timeout = stop_timeout
        self._ids: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def start(self) -> None:
        """Nothing to start: the workers are separate processes, the publisher starts on use."""

    def reserve(self) -> str | None:
        """Remote workers claim rows themselves: no reservations."""
        return None

    def release(self, owner: str) -> None:
        """Nothing is ever reserved."""

    async def submit(self, execution_id: uuid.UUID, *, claimed_by: str | None = None) -> None:
        self._publisher()
        self._ids.put(str(execution_id))

    async def stop(self) -> None:
        """Publish what is queued (for up to ``stop_timeout`` seconds), then end the thread."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._ids.put(None)
        await asyncio.to_thread(thread.join, self._stop_timeout)
        if thread.is_alive():
            log.warning(
                "the broker did not take every queued execution within %g s; the "
                "sweeper dispatches the rest",
                self._stop_timeout,
            )

    def _publisher(self) -> None:
        """Start the thread on first use (also after a fork, which keeps no threads)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._publish, name="splice-celery-publisher", daemon=True
                )
                self._thread.start()

    def _publish(self) -> None:
        while (first := self._ids.get()) is not None:
            batch: list[str | None] = [first]
            while True:  # whatever queued meanwhile goes out on the same producer
                try:
                    batch.append(self._ids.get_nowait())
                except queue.Empty:
                    break
            stopping = None in batch
            self._send([execution_id for execution_id in batch if execution_id is not None])
            if stopping:
                return

    def _send(self, execution_ids: list[str]) -> None:
        sent = 0
        try:
            with self._app.producer_or_acquire() as producer:
                for execution_id in execution_ids:
                    self._app.send_task(TASK_NAME, args=[execution_id], producer=producer)
                    sent += 1
        except Exception:
            log.exception(
                "the broker took %d of %d execution(s); the sweeper dispatches the rest again",
                sent,
                len(execution_ids),
            )


def celery_from_environment() -> Celery:
    """The app ``celery -A`` and ``splice worker`` use."""
    return create_celery_app(get_settings())
