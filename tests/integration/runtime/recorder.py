"""A loopback HTTP server that records what flows send to "external" services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request the recorder got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """The server's URL and every request it received, in order."""

    url: str
    requests: list[Received] = field(default_factory=list)


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """Serve on 127.0.0.1 (a free port) until the block ends; answers ``{}`` with 200."""
    recorder = Recorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            recorder.requests.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
