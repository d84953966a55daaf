"""ActionContext: the one object an action or trigger function receives next to its inputs.

It carries what the engine lets a component touch: a step-tagged logger, config variables, the
run's identity (execution, instance, customer, integration, flow), webhook URLs, persisted state
(through the ``StateStore`` port), an HTTP client factory on the run's transport, a way to invoke
sibling flows, and the results so far. The engine builds one per step; component code never
builds one itself (``splice.components.testing`` does it for tests).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, Protocol

import httpx

__all__ = [
    "ActionContext",
    "InvokeFlow",
    "LogSeverity",
    "StateScope",
    "StateStore",
    "StepLogger",
]

LogSeverity = Literal["debug", "info", "warn", "error", "metric"]
StateScope = Literal["instance", "flow", "integration", "crossFlow", "execution"]
"""``instance`` and ``flow`` name the same per-flow scope (Prismatic's ``instanceState``)."""

_EMPTY: Mapping[str, Any] = {}


class StateStore(Protocol):
    """Persisted values by scope; the engine keeps the ``execution`` scope in memory itself."""

    async def get(self, scope: str, key: str) -> Any: ...

    async def set(self, scope: str, key: str, value: Any) -> None: ...

    async def delete(self, scope: str, key: str) -> None: ...

    async def keys(self, scope: str) -> list[str]: ...


class InvokeFlow(Protocol):
    """Starts a sibling flow of the same instance; synchronous calls return its result.

    A flow with a queue (``queueConfig``) is asynchronous however it is called: the call queues
    it and returns ``{"executionId"}``.
    """

    def __call__(self, flow_name: str, data: Any, /, *, synchronous: bool) -> Awaitable[Any]: ...


LogEmitter = Callable[[LogSeverity, str], None]


class StepLogger:
    """``debug/info/warn/error/metric``: each call becomes one execution log line for the step."""

    __slots__ = ("_emit",)

    def __init__(self, emit: LogEmitter) -> None:
        self._emit = emit

    def _write(self, severity: LogSeverity, message: Any, args: tuple[Any, ...]) -> None:
        text = message if isinstance(message, str) else str(message)
        if args:
            text = " ".join([text, *(str(a) for a in args)])
        self._emit(severity, text)

    def debug(self, message: Any, *args: Any) -> None:
        self._write("debug", message, args)

    def info(self, message: Any, *args: Any) -> None:
        self._write("info", message, args)

    def warn(self, message: Any, *args: Any) -> None:
        self._write("warn", message, args)

    warning = warn

    def error(self, message: Any, *args: Any) -> None:
        self._write("error", message, args)

    def metric(self, message: Any, *args: Any) -> None:
        self._write("metric", message, args)


class _Shared(httpx.AsyncBaseTransport):
    """The run's transport lent to one client: closing the client leaves it open for the next."""

    __slots__ = ("_inner",)

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Do nothing: the transport belongs to whoever made the run."""


def _drop(severity: LogSeverity, message: str) -> None:
    """The default emitter: logs go nowhere."""


class ActionContext:
    """What an action may touch; plain attributes so building one per step stays cheap.

    ``step_results`` maps step keys to their data so far (what ``<key>.results`` references
    see); ``loops`` maps the keys of the loops the step runs inside to ``(currentItem, index)``.
    ``platform_url`` is the Splice server's URL when the run happens on one (else empty).
    The engine reuses one context for the steps of a run: read it during the call only.
    """

    __slots__ = (
        "_transport",
        "config_vars",
        "customer",
        "execution_id",
        "flow",
        "instance",
        "integration",
        "invoke_flow",
        "logger",
        "loops",
        "platform_url",
        "state",
        "step_key",
        "step_path",
        "step_results",
        "trigger_payload",
        "webhook_urls",
    )

    def __init__(
        self,
        *,
        state: StateStore,
        logger: StepLogger | None = None,
        config_vars: Mapping[str, Any] = _EMPTY,
        execution_id: str = "",
        instance: Mapping[str, Any] = _EMPTY,
        customer: Mapping[str, Any] = _EMPTY,
        integration: Mapping[str, Any] = _EMPTY,
        flow: Mapping[str, Any] = _EMPTY,
        webhook_urls: Mapping[str, str] = _EMPTY,
        http_transport: httpx.AsyncBaseTransport | None = None,
        invoke_flow: InvokeFlow | None = None,
        step_results: Mapping[str, Any] = _EMPTY,
        loops: Mapping[str, tuple[Any, int]] = _EMPTY,
        trigger_payload: Mapping[str, Any] | None = None,
        step_key: str = "",
        step_path: str = "",
        platform_url: str = "",
    ) -> None:
        self.logger = logger if logger is not None else StepLogger(_drop)
        self.config_vars = config_vars
        self.execution_id = execution_id
        self.instance = instance
        self.customer = customer
        self.integration = integration
        self.flow = flow
        self.webhook_urls = webhook_urls
        self.state = state
        self.invoke_flow = invoke_flow
        self.step_results = step_results
        self.loops = loops
        self.trigger_payload = trigger_payload
        self.step_key = step_key
        self.step_path = step_path
        self.platform_url = platform_url
        self._transport = http_transport

    def http_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` on the run's transport (tests and the server inject one).

        Close it (``async with``) when done; that leaves the shared transport open.
        """
        if self._transport is not None and "transport" not in kwargs:
            kwargs["transport"] = _Shared(self._transport)
        return httpx.AsyncClient(**kwargs)
