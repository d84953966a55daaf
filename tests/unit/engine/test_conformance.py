"""The real ``slack-interactivity-router.yaml`` export runs on the engine.

"Registration Endpoint" needs only flow-control components. "Route Request" also needs
change-data-format and http, which are replaced here by small stub components so that the test
checks the engine's wiring (references, persisted state, the POST target) and not those
components.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from splice.components import ActionContext, Registry, component
from splice.components.builtin import SPECS
from splice.components.testing import MemoryState
from splice.definition import IntegrationDefinition, load
from splice.engine import RunContext, compile_flow, run_flow
from tests.unit.definition.corpus import corpus_file, params, valid_files
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


def _split_payload_stubs(finished_after: int) -> list[Any]:
    """Stand-ins for http, collection-tools, prismatic, messagepack, sleep, text-manipulation."""
    polls: dict[str, int] = {}

    http = component("http", label="HTTP (stub)")

    @http.action("httpGet", label="GET")
    def get(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        url = inputs["url"]
        if "jsonplaceholder" in url:
            return [{"id": i, "body": f"c{i}"} for i in range(120)]
        return f"packed:{url.rsplit('/', 1)[-1]}".encode()

    tools = component("collection-tools", label="Collection tools (stub)")

    @tools.action("chunks", label="Chunks")
    def chunks(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        items, size = inputs["listInput"], int(inputs["numberInput"])
        return [items[i : i + size] for i in range(0, len(items), size)]

    @tools.action("flatten", label="Flatten")
    def flatten(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return [x for part in inputs["listInput"] for x in part]

    prismatic = component("prismatic", label="Prismatic (stub)")

    @prismatic.action("rawRequest", label="Raw")
    def raw(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        variables = {p["key"]: p["value"] for p in inputs["variables"]}
        execution = variables["executionId"]
        polls[execution] = polls.get(execution, 0) + 1
        ended = "2026-01-01T00:00:00Z" if polls[execution] > finished_after else None
        node = {"resultsUrl": f"https://results.test/{execution}"}
        result = {"id": execution, "endedAt": ended, "stepResults": {"nodes": [node]}}
        return {"data": {"data": {"executionResult": result}}}

    msgpack = component("messagepack", label="MessagePack (stub)")

    @msgpack.action("decodeMessage", label="Decode")
    def decode(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return {"data": [inputs["message"].decode()]}

    sleep = component("sleep", label="Sleep (stub)")

    @sleep.action("sleep", label="Sleep")
    def nap(ctx: ActionContext, inputs: dict[str, Any]) -> None:
        ctx.logger.info(f"slept {inputs['ms']} ms")

    text = component("text-manipulation", label="Text (stub)")

    @text.action("upperCase", label="Upper")
    def upper(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return str(inputs["text"]).upper()

    return [c.build() for c in (http, tools, prismatic, msgpack, sleep, text)]


async def test_split_payload_example_nested_loops_branch_and_break() -> None:
    definition = load(corpus_file("split-payload-example.yml").read_bytes())
    stubs = _split_payload_stubs(finished_after=1)
    replaced = {s.manifest.key for s in stubs}
    registry = Registry([*(s for s in SPECS if s.manifest.key not in replaced), *stubs])
    flows = {f.name: f for f in definition.flows}
    state = MemoryState()
    invoked: list[Any] = []

    async def invoke_flow(name: str, data: Any, /, *, synchronous: bool) -> Any:
        invoked.append(data)
        sink = ListSink()
        context = RunContext(execution_id=f"ex{len(invoked)}", config_vars={}, state=state)
        result = await run_flow(
            flows[name], payload(data), registry=registry, sink=sink, context=context
        )
        assert result.status == "succeeded", result.error
        assert result.data[0] == data[0]["body"].upper()
        return {"executionId": f"ex{len(invoked)}"}

    sink = ListSink()
    context = RunContext(
        execution_id="main",
        config_vars={"Prismatic Connection": {"fields": {}}},
        state=state,
        invoke_flow=invoke_flow,
    )
    result = await run_flow(
        flows["Main Flow"], payload(None), registry=registry, sink=sink, context=context
    )
    assert result.status == "succeeded", result.error
    assert [len(chunk) for chunk in invoked] == [50, 50, 20]
    assert result.data == ["packed:ex1", "packed:ex2", "packed:ex3"]
    paths = sink.paths()
    # first poll: not finished -> Else (sleep); second poll: finished -> break
    assert "loopOverExecutions[0].loopNTimes[0].branchOnExpression.Else.sleep" in paths
    assert (
        "loopOverExecutions[0].loopNTimes[1].branchOnExpression.Execution Finished?.breakLoop"
        in paths
    )
    assert "loopOverExecutions[0].loopNTimes[2].rawGraphqlRequest" not in paths
    by_path = sink.by_path()
    # the completed iteration ended with the Else branch's sleep step (result None)
    assert by_path["loopOverExecutions[2].loopNTimes"].data == [None]
    assert by_path["loopOverItems"].data == [{"executionId": f"ex{i}"} for i in (1, 2, 3)]


@pytest.mark.parametrize("path", params(valid_files()))
def test_every_corpus_flow_compiles(path: Path) -> None:
    """Compiling never fails: unknown components become steps that fail when they run."""
    definition = load(path.read_bytes())
    registry = Registry.with_builtins()
    for target in definition.flows:
        compiled = compile_flow(target, registry)
        assert compiled.name == target.name
        assert compile_flow(target, registry) is compiled
