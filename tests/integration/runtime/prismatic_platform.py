"""A live Splice app (ASGI, no port) and a way to run one `prismatic` action through the engine.

Each action runs as the second step of a one-flow integration with a refresh-token connection,
so inputs are resolved, defaulted and coerced exactly as in a deployed flow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import yaml

from splice.api.app import create_app
from splice.components.testing import MemoryState
from splice.definition import load
from splice.engine import RunContext, StepResult, run_flow
from splice.runtime.dispatch import Dispatcher
from splice.runtime.inline import InlineDispatcher
from splice.services import Services
from splice.services.startup import build_services, prepare
from splice.settings import Settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.graphql_calls import graphql_data
from tests.unit.engine.helpers import ListSink, payload, registry

__all__ = ["BASE", "Counting", "Platform", "running_platform"]

BASE = "http://splice.test"


class Counting(httpx.AsyncBaseTransport):
    """The app's ASGI transport, counting token exchanges."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.token_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            self.token_requests += 1
        return await self.inner.handle_async_request(request)


@dataclass
class Platform:
    http: httpx.AsyncClient
    services: Services
    transport: Counting
    access: str
    refresh: str
    dispatcher: Dispatcher | None = None

    async def settle(self) -> None:
        """Wait until the inline dispatcher has run everything submitted so far."""
        assert isinstance(self.dispatcher, InlineDispatcher)
        await self.dispatcher.join()

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        return await graphql_data(self.http, self.access, query, **variables)

    async def step(self, action: str, refresh: str | None = None, **inputs: Any) -> StepResult:
        """Run ``action`` as the second step of a flow and return its step result."""
        step_inputs: dict[str, Any] = {"connection": {"type": "configVar", "value": "Conn"}}
        for key, value in inputs.items():
            if isinstance(value, dict):
                pairs = [{"name": k, "type": "value", "value": v} for k, v in value.items()]
                step_inputs[key] = {"type": "complex", "value": pairs}
            else:
                step_inputs[key] = {"type": "value", "value": value}
        document = {
            "definitionVersion": 7,
            "name": "P",
            "flows": [
                {
                    "name": "F",
                    "steps": [
                        {
                            "name": "Trigger",
                            "isTrigger": True,
                            "action": {
                                "key": "webhook",
                                "component": {"key": "webhook-triggers", "version": "LATEST"},
                            },
                            "inputs": {},
                        },
                        {
                            "name": "Call",
                            "action": {
                                "key": action,
                                "component": {"key": "prismatic", "version": "LATEST"},
                            },
                            "inputs": step_inputs,
                        },
                    ],
                }
            ],
        }
        flow = load(yaml.safe_dump(document)).flows[0]
        connection = {"key": "apiKey", "fields": {"apiKey": refresh or self.refresh}}
        context = RunContext(
            execution_id="exec-1",
            config_vars={"Conn": connection},
            state=MemoryState(),
            http_transport=self.transport,
            platform_url=BASE,
        )
        sink = ListSink()
        await run_flow(flow, payload(), registry=registry(), sink=sink, context=context)
        return sink.by_path()["call"]

    async def ok(self, action: str, **inputs: Any) -> dict[str, Any]:
        result = await self.step(action, **inputs)
        assert result.status == "succeeded", result.error
        data: dict[str, Any] = result.data
        assert data["status"] == 200
        return dict(data["data"])


@asynccontextmanager
async def running_platform(settings: Settings) -> AsyncIterator[Platform]:
    """The app with its dispatcher started, and the owner's tokens."""
    services = build_services(settings)
    await prepare(services)
    app = create_app(settings, services)
    dispatcher: Dispatcher = app.state.dispatcher
    await dispatcher.start()
    pair = await services.auth.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert pair.refresh_token
    transport = Counting(httpx.ASGITransport(app=app))
    services.executions.http_transport = transport
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            yield Platform(
                http, services, transport, pair.access_token, pair.refresh_token, dispatcher
            )
    finally:
        await dispatcher.stop()
        await services.db.dispose()
