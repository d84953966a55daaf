"""``splice server`` with a request recorder in front of the app (test-only entry point).

The e2e tests need to see what prism sent (which paths, over which scheme, with which form
fields and GraphQL variables). This runs the real ``splice server`` command, but wraps the app
that command builds in ``RequestRecorder``, which appends one JSON line per HTTP request to the
file named by ``SPLICE_TEST_REQUEST_LOG`` *before* the app answers. Run it as
``python -m tests.e2e.recording_server server --port ...`` from the repository root.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestRecorder", "main"]

REQUEST_LOG_ENV = "SPLICE_TEST_REQUEST_LOG"
MAX_RECORDED_BODY = 256 * 1024


class RequestRecorder:
    """ASGI middleware: buffer each request body, record the request, then pass it on."""

    def __init__(self, app: ASGIApp, path: Path) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self._record(scope, body)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _record(self, scope: Scope, body: bytes) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        entry: dict[str, Any] = {
            "scheme": scope["scheme"],
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode("latin-1"),
            "headers": headers,
            "body": body[:MAX_RECORDED_BODY].decode("utf-8", errors="replace"),
        }
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


def main() -> None:
    """Patch ``create_app`` as seen by ``splice.cli.server``, then run the ``splice`` CLI."""
    from splice.cli import server as server_command
    from splice.cli.main import main as splice_main

    path = Path(os.environ[REQUEST_LOG_ENV])
    build = server_command.create_app  # type: ignore[attr-defined]

    def create_recorded_app(settings: Any, services: Any = None) -> Any:
        return RequestRecorder(build(settings, services), path)

    server_command.create_app = create_recorded_app  # type: ignore[attr-defined]
    splice_main()


if __name__ == "__main__":
    main()
