"""The SDK builds frozen manifests and specs; the registry serves functions next to manifests."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from splice.components import (
    ActionContext,
    ActionResult,
    ComponentSpec,
    Input,
    InputManifest,
    Registry,
    component,
)
from splice.components.manifest import ActionManifest, ComponentManifest
from splice.components.testing import MemoryState, invoke


def _build() -> tuple[ComponentSpec, Any]:
    demo = component("demo", label="Demo", description="A demo", category="Test")

    @demo.action("echo", label="Echo", inputs=[Input("text", "Text", required=True)])
    async def echo(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return inputs["text"]

    @demo.trigger("hook", label="Hook", schedule_support="VALID")
    def hook(ctx: ActionContext, inputs: dict[str, Any]) -> Any:
        return ctx.trigger_payload

    demo.connection("apiKey", label="API Key", inputs=[Input("apiKey", "API Key")])
    return demo.build(), echo


def test_decorator_returns_function_unchanged_and_build_freezes() -> None:
    spec, echo = _build()
    assert spec.function("echo") is echo
    assert spec.manifest == ComponentManifest(
        key="demo",
        version=1,
        label="Demo",
        description="A demo",
        category="Test",
        actions=(
            ActionManifest("echo", "Echo", inputs=(InputManifest("text", "Text", required=True),)),
            ActionManifest("hook", "Hook", is_trigger=True, schedule_support="VALID"),
        ),
        connections=(
            dataclasses.replace(
                spec.manifest.connections[0], inputs=(InputManifest("apiKey", "API Key"),)
            ),
        ),
    )
    with pytest.raises(TypeError):
        spec.functions["other"] = echo  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.manifest.key = "x"  # type: ignore[misc]


def test_duplicate_action_key_is_an_error() -> None:
    demo = component("demo", label="Demo")
    demo.action("a", label="A")(lambda ctx, inputs: None)
    with pytest.raises(ValueError, match="already has 'a'"):
        demo.action("a", label="A again")(lambda ctx, inputs: None)


def test_input_helper_matches_manifest_fields() -> None:
    made = Input("k", "K", type="boolean", required=True, default="false", comments="c")
    assert made == InputManifest("k", "K", "boolean", True, "false", None, "c")


def test_registry_serves_functions_and_bare_manifests() -> None:
    spec, echo = _build()
    bare = ComponentManifest(
        key="bare", version=1, label="Bare", actions=(ActionManifest("x", "X"),)
    )
    registry = Registry([spec, bare])
    assert registry.function("demo", "echo") is echo
    assert registry.function("demo", "echo", 1) is echo
    assert registry.function("demo", "missing") is None
    assert registry.function("bare", "x") is None
    assert registry.function("nope", "x") is None
    assert registry.get_action("bare", "x") == ActionManifest("x", "X")
    assert [m.key for m in registry.manifests()] == ["bare", "demo"]


def test_builtin_registry_keeps_manifests_and_implements_flow_control() -> None:
    from splice.components.builtin import BUILTINS, SPECS

    registry = Registry.with_builtins()
    assert [s.manifest for s in SPECS] == list(BUILTINS)
    assert registry.manifests() == sorted(BUILTINS, key=lambda m: (m.key, m.version))


async def test_invoke_fills_defaults_and_uses_transport() -> None:
    demo = component("demo", label="Demo")

    @demo.action("fetch", label="Fetch", inputs=[Input("path", "Path", default="/x")])
    async def fetch(ctx: ActionContext, inputs: dict[str, Any]) -> ActionResult:
        async with ctx.http_client(base_url="https://api.test") as client:
            response = await client.get(inputs["path"])
        await ctx.state.set("flow", "seen", inputs["path"])
        ctx.logger.info("fetched", inputs["path"])
        return ActionResult(data=response.json(), status_code=201)

    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"p": request.url.path})
    )
    state = MemoryState()
    logs: list[tuple[str, str]] = []
    result = await invoke(demo.build(), "fetch", {}, transport=transport, state=state, logs=logs)
    assert result == ActionResult(data={"p": "/x"}, status_code=201)
    assert await state.get("instance", "seen") == "/x"
    assert logs == [("info", "fetched /x")]


async def test_invoke_unimplemented_action_says_so() -> None:
    bare = ComponentSpec(
        ComponentManifest(key="b", version=1, label="B", actions=(ActionManifest("x", "X"),))
    )
    with pytest.raises(LookupError, match="no implementation"):
        await invoke(bare, "x")


def test_flow_control_manifests_equal_the_declared_ones() -> None:
    """The SDK-built flow-control components describe exactly what the manifests did."""
    import json
    from pathlib import Path

    from splice.components.builtin import BUILTINS

    snapshot = json.loads((Path(__file__).parent / "builtin_manifests.json").read_text())
    built = {m.key: json.loads(json.dumps(dataclasses.asdict(m))) for m in BUILTINS}
    for key, expected in snapshot.items():
        assert built[key] == expected, key
    registry = Registry.with_builtins()
    for key in snapshot:
        manifest = registry.get(key)
        assert manifest is not None
        for action in manifest.actions:
            assert registry.function(key, action.key) is not None, (key, action.key)


async def test_http_clients_share_the_run_transport_without_closing_it() -> None:
    from splice.components.testing import make_context

    closed: list[bool] = []

    class Recording(httpx.MockTransport):
        async def aclose(self) -> None:
            closed.append(True)

    transport = Recording(lambda request: httpx.Response(204))
    ctx = make_context(transport=transport)
    for _ in range(2):
        async with ctx.http_client() as client:
            assert (await client.get("https://x.test")).status_code == 204
    assert closed == []


def test_entry_points_may_expose_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    from splice.components import registry as registry_module

    spec, echo = _build()

    class Point:
        name, value = "demo", "demo:COMPONENT"

        def load(self) -> Any:
            return [spec]

    monkeypatch.setattr(registry_module, "entry_points", lambda group: [Point()])
    registry = Registry()
    assert registry.load_entry_points() == ["demo"]
    assert registry.function("demo", "echo") is echo
