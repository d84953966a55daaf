"""The real ASGI app behind a synchronous httpx transport, for driving the sync CLI in-process."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from splice.api.app import create_app
from tests.conftest import make_settings


class AppTransport(httpx.BaseTransport):
    """Runs an ASGI app (lifespan included) on a private event loop in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._asgi = httpx.ASGITransport(app=app)
        self._lifespan: AbstractAsyncContextManager[Any] = app.router.lifespan_context(app)
        self._run(self._lifespan.__aenter__())

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def forward() -> httpx.Response:
            copy = httpx.Request(
                request.method, request.url, headers=request.headers, content=request.read()
            )
            answer = await self._asgi.handle_async_request(copy)
            body = await answer.aread()
            return httpx.Response(answer.status_code, headers=answer.headers, content=body)

        response: httpx.Response = self._run(forward())
        return response

    def close(self) -> None:
        """Keep the app alive: every CLI invocation closes its client, the fixture stops the app."""

    def shutdown(self) -> None:
        """Run the lifespan's shutdown and stop the loop."""
        self._run(self._lifespan.__aexit__(None, None, None))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture
def app_transport(tmp_path: Path) -> Iterator[AppTransport]:
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'splice.db'}")
    transport = AppTransport(create_app(settings))
    yield transport
    transport.shutdown()
