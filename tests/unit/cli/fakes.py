"""A fake Splice server behind ``httpx.MockTransport`` and a runner that wires it into the CLI."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from click.testing import CliRunner, Result

from splice.cli.main import cli
from splice.cli.state import AppState

NOW = 1_800_000_000.0
BASE = "http://splice.test"
Route = Callable[[httpx.Request], httpx.Response]


def make_jwt(exp: float | None = NOW + 3600, **claims: Any) -> str:
    """An unsigned JWT with the given ``exp`` (the CLI never checks signatures)."""
    if exp is not None:
        claims["exp"] = exp

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.signature"


@dataclass
class FakeServer:
    """Records every request; ``/api`` answers come from a queue, other paths from ``routes``."""

    api: list[httpx.Response] = field(default_factory=list)
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def answer(self, data: Any = None, *, status: int = 200, body: Any = ..., **extra: Any) -> None:
        """Queue one GraphQL answer (``{"data": data}`` unless ``body`` is given)."""
        payload = {"data": data, **extra} if body is ... else body
        if isinstance(payload, str):
            self.api.append(httpx.Response(status, text=payload))
        else:
            self.api.append(httpx.Response(status, json=payload))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api":
            if not self.api:
                raise AssertionError(f"unexpected GraphQL request: {request.content!r}")
            return self.api.pop(0)
        route = self.routes.get(request.url.path)
        if route is None:
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        return route(request)

    @property
    def graphql(self) -> list[dict[str, Any]]:
        """The JSON bodies of the GraphQL requests, in order."""
        return [json.loads(r.content) for r in self.requests if r.url.path == "/api"]

    @property
    def variables(self) -> list[dict[str, Any]]:
        """The ``variables`` of each GraphQL request."""
        return [body["variables"] for body in self.graphql]


@dataclass
class FakeClock:
    """Wall time that only moves when the code under test sleeps."""

    time: float = NOW
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds


@dataclass
class Invoker:
    """Runs ``splice`` in-process against a ``FakeServer`` with a controlled environment."""

    server: FakeServer
    env: dict[str, str]
    tty: bool = False
    clock: FakeClock = field(default_factory=FakeClock)

    def __call__(self, args: Sequence[str], *, input: str | bytes | None = None) -> Result:
        state = AppState(
            env=self.env,
            transport=httpx.MockTransport(self.server),
            now=self.clock.now,
            stdin_isatty=lambda: self.tty,
            sleep=self.clock.sleep,
        )
        return CliRunner().invoke(cli, list(args), obj=state, input=input, catch_exceptions=False)


def json_route(body: Mapping[str, Any], status: int = 200) -> Route:
    """A route answering every request with the same JSON."""
    return lambda _request: httpx.Response(status, json=dict(body))
