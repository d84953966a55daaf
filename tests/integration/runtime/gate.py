"""A loopback HTTP "third party" that holds each request until the test lets it through.

Queue tests run flows that POST ``{"n": ...}`` here: the gate records arrivals in order and how
many were inside at once, and answers only as many requests as ``release`` allowed, so a test
decides when each execution may end without sleeping. ``eventually`` polls a condition (bounded).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import yaml

from tests.loopback import serving

HOLD_SECONDS = 60.0


@dataclass
class Gate:
    """Arrivals in order, the most requests held at once, and the answers released so far."""

    url: str = ""
    arrived: list[str] = field(default_factory=list)
    inside: int = 0
    most_inside: int = 0
    answers: deque[int] = field(default_factory=deque)
    condition: threading.Condition = field(default_factory=threading.Condition)

    def release(self, count: int = 1, status: int = 200) -> None:
        """Let ``count`` held (or future) requests through, answered with ``status``."""
        with self.condition:
            self.answers.extend([status] * count)
            self.condition.notify_all()

    def enter(self, n: str) -> int:
        with self.condition:
            self.arrived.append(n)
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.condition.wait_for(lambda: bool(self.answers), timeout=HOLD_SECONDS)
            status = self.answers.popleft() if self.answers else 504
            self.inside -= 1
            return status


@contextmanager
def gate_server() -> Iterator[Gate]:
    """Serve a gate on 127.0.0.1 (a free port) until the block ends."""
    gate = Gate()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body: Any = json.loads(self.rfile.read(length) or b"{}")
            status = gate.enter(str(body.get("n")) if isinstance(body, dict) else "?")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: Any) -> None:
            return None

    with serving(Handler) as url:
        gate.url = f"{url}/gate"
        try:
            yield gate
        finally:
            gate.release(1000)  # nothing stays held when a test fails half-way


async def eventually(
    condition: Callable[[], Awaitable[bool]], what: str, *, timeout: float = 30.0
) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting until {what}")
        await asyncio.sleep(0.02)


def gated_definition(name: str, gate_url: str, queue_config: dict[str, Any] | None) -> str:
    """One webhook flow "Gated" that POSTs ``{"n": body.n}`` to the gate, with ``queueConfig``."""
    flow: dict[str, Any] = {
        "name": "Gated",
        "isSynchronous": False,
        "endpointSecurityType": "unsecured",
        "steps": [
            {
                "name": "Gate Trigger",
                "isTrigger": True,
                "action": {"key": "webhook", "component": {"key": "webhook-triggers"}},
                "inputs": {},
            },
            {
                "name": "Pass Gate",
                "action": {"key": "httpPost", "component": {"key": "http"}},
                "inputs": {
                    "url": {"type": "value", "value": gate_url},
                    "data": {
                        "type": "template",
                        "value": '{"n": "{{$gateTrigger.results.body.data.n}}"}',
                    },
                    "responseType": {"type": "value", "value": "json"},
                },
            },
        ],
    }
    if queue_config is not None:
        flow["queueConfig"] = queue_config
    return yaml.safe_dump({"definitionVersion": 7, "name": name, "flows": [flow]}, sort_keys=False)
