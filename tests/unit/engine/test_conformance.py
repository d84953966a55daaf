"""The real ``slack-interactivity-router.yaml`` export runs on the engine.

"Registration Endpoint" needs only flow-control components. "Route Request" also needs
change-data-format and http, which are replaced here by small stub components so that the test
checks the engine's wiring (references, persisted state, the POST target) and not those
components.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import httpx

from splice.components import ActionContext, Registry, component
from splice.components.builtin import SPECS
from splice.components.testing import MemoryState
from splice.definition import IntegrationDefinition, load
from splice.engine import RunContext, run_flow
from tests.unit.definition.corpus import corpus_file
from tests.unit.engine.helpers import ListSink, payload


def _stubs() -> list[Any]:
    cdf = component("change-data-format", label="Change Data Format (stub)")

    @cdf.action("deserializeFormData", label="Form")
    def form(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        body = inputs["data"]
        text = body["data"] if isinstance(body, dict) else body
        return {k: v[0] for k, v in parse_qs(text).items()}

    @cdf.action("deserializeFromJson", label="JSON")
    def from_json(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return json.loads(inputs["data"])

    http = component("http", label="HTTP (stub)")

    @http.action("httpPost", label="POST")
    async def post(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        async with ctx.http_client() as client:
            response = await client.post(inputs["url"], json=inputs["data"])
        return response.json()

    return [cdf.build(), http.build()]


def _registry() -> Registry:
    stubs = _stubs()
    replaced = {s.manifest.key for s in stubs}
    return Registry([*(s for s in SPECS if s.manifest.key not in replaced), *stubs])


def _definition() -> IntegrationDefinition:
    return load(corpus_file("slack-interactivity-router.yaml").read_bytes())


async def _run(
    definition: IntegrationDefinition, name: str, data: Any, state: MemoryState, **extra: Any
) -> tuple[Any, ListSink]:
    target = next(f for f in definition.flows if f.name == name)
    sink = ListSink()
    context = RunContext(execution_id="e", config_vars={}, state=state, **extra)
    result = await run_flow(target, payload(data), registry=_registry(), sink=sink, context=context)
    return result, sink


async def test_registration_endpoint_registers_and_deregisters() -> None:
    definition = _definition()
    state = MemoryState()
    registration = {
        "event": "register",
        "channelId": "C123",
        "instanceInteractivityWebhookUrl": "https://hooks.test/c123",
    }
    result, sink = await _run(definition, "Registration Endpoint", registration, state)
    assert result.status == "succeeded", result.error
    assert await state.get("crossFlow", "C123") == "https://hooks.test/c123"
    assert sink.paths() == [
        "integrationTrigger",
        "branchOnValue",
        "branchOnValue.Register.logRegistration",
        "branchOnValue.Register.crossFlowSaveValue",
    ]
    assert sink.logs[0].message == (
        'Registering Slack Channel "C123" to send requests to "https://hooks.test/c123"'
    )
    assert sink.by_path()["branchOnValue.Register.crossFlowSaveValue"].data == {
        "key": "C123",
        "value": "https://hooks.test/c123",
    }

    result, sink = await _run(
        definition, "Registration Endpoint", {"event": "deregister", "channelId": "C123"}, state
    )
    assert result.status == "succeeded", result.error
    assert await state.get("crossFlow", "C123") is None
    assert sink.by_path()["branchOnValue"].data == "Deregister"

    result, sink = await _run(definition, "Registration Endpoint", {"event": "other"}, state)
    assert result.status == "succeeded"
    assert sink.paths() == ["integrationTrigger", "branchOnValue"]
    assert sink.by_path()["branchOnValue"].data == "Else"


async def test_route_request_posts_to_the_registered_url() -> None:
    definition = _definition()
    state = MemoryState({"crossFlow": {"C9": "https://hooks.test/c9"}})
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    form = "payload=" + json.dumps({"channel": {"id": "C9"}, "type": "block_actions"})
    result, sink = await _run(
        definition,
        "Route Request",
        form,
        state,
        http_transport=httpx.MockTransport(handler),
    )
    assert result.status == "succeeded", result.error
    assert [str(r.url) for r in seen] == ["https://hooks.test/c9"]
    assert sink.by_path()["crossFlowGetValue"].data == "https://hooks.test/c9"
    assert result.data == {"ok": True}
