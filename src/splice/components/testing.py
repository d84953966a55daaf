"""Helpers for component authors: call one action the way the engine would, with fakes.

```python
from splice.components.testing import MemoryState, invoke

async def test_get() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    result = await invoke(http.COMPONENT, "httpGet", {"url": "https://x.test"}, transport=transport)
    assert result == {"ok": True}
```

``invoke`` fills inputs the call leaves out from the manifest defaults (as the engine does) and
returns what the function returned: plain data or an ``ActionResult``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import httpx

from splice.components.context import ActionContext, InvokeFlow, LogSeverity, StepLogger
from splice.components.sdk import ComponentSpec

__all__ = ["MemoryState", "invoke", "make_context"]


class MemoryState:
    """A ``StateStore`` in a dict of dicts; ``instance`` and ``flow`` share one scope."""

    def __init__(self, initial: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.scopes: dict[str, dict[str, Any]] = {}
        for scope, values in (initial or {}).items():
            self.scopes[_scope(scope)] = dict(values)

    async def get(self, scope: str, key: str) -> Any:
        return self.scopes.get(_scope(scope), {}).get(key)

    async def set(self, scope: str, key: str, value: Any) -> None:
        self.scopes.setdefault(_scope(scope), {})[key] = value

    async def delete(self, scope: str, key: str) -> None:
        self.scopes.get(_scope(scope), {}).pop(key, None)

    async def keys(self, scope: str) -> list[str]:
        return list(self.scopes.get(_scope(scope), {}))


def _scope(scope: str) -> str:
    return "flow" if scope == "instance" else scope


def make_context(
    *,
    config_vars: Mapping[str, Any] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    state: Any = None,
    logs: list[tuple[LogSeverity, str]] | None = None,
    execution_id: str = "test-execution",
    webhook_urls: Mapping[str, str] | None = None,
    invoke_flow: InvokeFlow | None = None,
    step_results: Mapping[str, Any] | None = None,
    loops: Mapping[str, tuple[Any, int]] | None = None,
    trigger_payload: Mapping[str, Any] | None = None,
    **identity: Mapping[str, Any],
) -> ActionContext:
    """An ``ActionContext`` with fakes; ``logs`` collects ``(severity, message)`` pairs."""
    sink = logs if logs is not None else []
    return ActionContext(
        state=state if state is not None else MemoryState(),
        logger=StepLogger(lambda severity, message: sink.append((severity, message))),
        config_vars=config_vars or {},
        execution_id=execution_id,
        instance=identity.get("instance", {}),
        customer=identity.get("customer", {}),
        integration=identity.get("integration", {}),
        flow=identity.get("flow", {}),
        webhook_urls=webhook_urls or {},
        http_transport=transport,
        invoke_flow=invoke_flow,
        step_results=step_results or {},
        loops=loops or {},
        trigger_payload=trigger_payload,
        step_key="testStep",
        step_path="testStep",
    )


async def invoke(
    spec: ComponentSpec,
    action_key: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    config_vars: Mapping[str, Any] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    state: Any = None,
    logs: list[tuple[LogSeverity, str]] | None = None,
    context: ActionContext | None = None,
    **context_fields: Any,
) -> Any:
    """Run ``spec``'s ``action_key`` with ``inputs`` (defaults filled in) and return its result."""
    manifest = spec.manifest.action(action_key)
    if manifest is None:
        raise KeyError(f"component '{spec.manifest.key}' has no action '{action_key}'")
    function = spec.function(action_key)
    if function is None:
        raise LookupError(
            f"action '{action_key}' of component '{spec.manifest.key}' has no implementation"
        )
    given = dict(inputs or {})
    resolved = {item.key: given.pop(item.key, item.default) for item in manifest.inputs}
    resolved.update(given)
    ctx = context or make_context(
        config_vars=config_vars, transport=transport, state=state, logs=logs, **context_fields
    )
    result = function(ctx, resolved)
    if inspect.isawaitable(result):
        result = await result
    return result
