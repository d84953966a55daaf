"""A loopback HTTP server that records what flows send to "external" services."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.loopback import serving


@dataclass
class Received:
    """One request the recorder got."""

    path: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"

    @property
    def route(self) -> str:
        """The path without its query string."""
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (the last value of a repeated name)."""
        return dict(parse_qsl(urlsplit(self.path).query))


Responder = Callable[[Received], tuple[int, Any]]


@dataclass
class Recorder:
    """The server's URL and every request it received, in order.

    ``respond`` decides each answer (status, JSON-able body); by default every request gets
    200 with ``{}``.
    """

    url: str
    requests: list[Received] = field(default_factory=list)
    respond: Responder = lambda _received: (200, {})


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """Serve on 127.0.0.1 (a free port) until the block ends, recording every request."""
    recorder = Recorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            received = Received(
                self.path, dict(self.headers.items()), self.rfile.read(length), self.command
            )
            recorder.requests.append(received)
            status, answer = recorder.respond(received)
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

        def log_message(self, *_: Any) -> None:
            return None

    with serving(Handler) as recorder.url:
        yield recorder
