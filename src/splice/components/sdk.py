"""The component SDK: declare a component as data plus functions, and get a frozen spec back.

```python
from splice.components import ActionContext, Input, component

log = component("log", label="Log", category="Logic")

@log.action("writeLog", label="Write Log Message", inputs=[Input("message", "Message")])
def write_log(ctx: ActionContext, inputs: dict[str, Any]) -> None:
    ctx.logger.info(inputs["message"])

COMPONENT = log.build()
```

Decorators return the function unchanged and register nothing globally: ``build()`` freezes
the manifest and the functions into a ``ComponentSpec``, which a ``Registry`` is given
explicitly. An action function takes ``(ctx, inputs)`` and may be ``async def`` or ``def``; it
returns the step's data, or an ``ActionResult`` to also set the content type, status code and
headers of a synchronous response, or the branch taken. A trigger function reads
``ctx.trigger_payload`` and returns the payload (its step's results), or a ``TriggerResult`` to
also answer asynchronous webhook callers or choose a branch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from splice.components.context import ActionContext
from splice.components.manifest import (
    ActionManifest,
    Collection,
    ComponentManifest,
    ConnectionManifest,
    DataSourceManifest,
    InputManifest,
    ScheduleSupport,
)

__all__ = [
    "ActionError",
    "ActionFunction",
    "ActionResult",
    "ComponentBuilder",
    "ComponentSpec",
    "HttpResponse",
    "Input",
    "TriggerResult",
    "component",
]

ActionFunction = Callable[[ActionContext, dict[str, Any]], Awaitable[Any] | Any]


class ActionError(Exception):
    """Raise from an action to fail its step with this message as the cause, shown as it is (the
    engine adds the flow and step). Any other exception is shown with its class name, which
    helps with a bug but is noise in a message meant for the integration's author."""


F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class ActionResult:
    """A richer return value: data plus the sync-response fields and the branch taken."""

    data: Any = None
    content_type: str | None = None
    status_code: int | None = None
    headers: Mapping[str, str] | None = None
    branch: str | None = None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """The HTTP answer for a webhook's caller; ``body`` None means ``{"executionId": ...}``."""

    status_code: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass(frozen=True, slots=True)
class TriggerResult:
    """A trigger's richer return value: the payload (its step's results), the answer for
    asynchronous webhook callers, and the branch taken by a branching trigger."""

    payload: Any = None
    response: HttpResponse | None = None
    branch: str | None = None


@dataclass(frozen=True)
class ComponentSpec:
    """A built component: its manifest and a function per implemented action/trigger key."""

    manifest: ComponentManifest
    functions: Mapping[str, ActionFunction] = field(default_factory=dict)
    data_source_functions: Mapping[str, ActionFunction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "functions", MappingProxyType(dict(self.functions)))
        object.__setattr__(
            self, "data_source_functions", MappingProxyType(dict(self.data_source_functions))
        )

    @property
    def key(self) -> str:
        return self.manifest.key

    def function(self, action_key: str) -> ActionFunction | None:
        """The function of ``action_key``, or None when the action has no implementation."""
        return self.functions.get(action_key)


def Input(
    key: str,
    label: str,
    *,
    type: str = "string",
    required: bool = False,
    default: str | None = None,
    collection: Collection | None = None,
    comments: str = "",
) -> InputManifest:
    """Declare one input; ``key`` is the YAML input key, values arrive as strings unless typed."""
    return InputManifest(key, label, type, required, default, collection, comments)


class ComponentBuilder:
    """Collects actions, triggers, connections and data sources; ``build()`` freezes them."""

    def __init__(
        self,
        key: str,
        *,
        label: str,
        description: str = "",
        version: int = 1,
        category: str = "",
        public: bool = True,
    ) -> None:
        self._key = key
        self._label = label
        self._description = description
        self._version = version
        self._category = category
        self._public = public
        self._actions: list[ActionManifest] = []
        self._connections: list[ConnectionManifest] = []
        self._data_sources: list[DataSourceManifest] = []
        self._functions: dict[str, ActionFunction] = {}
        self._source_functions: dict[str, ActionFunction] = {}

    def _add(self, manifest: ActionManifest, function: ActionFunction | None) -> None:
        if any(a.key == manifest.key for a in self._actions):
            raise ValueError(f"component '{self._key}' already has '{manifest.key}'")
        self._actions.append(manifest)
        if function is not None:
            self._functions[manifest.key] = function

    def action(
        self,
        key: str,
        *,
        label: str,
        description: str = "",
        inputs: Sequence[InputManifest] = (),
        branching: bool = False,
        dynamic_branches: bool = False,
    ) -> Callable[[F], F]:
        """Declare an action implemented by the decorated ``(ctx, inputs)`` function."""
        manifest = ActionManifest(
            key=key,
            label=label,
            description=description,
            inputs=tuple(inputs),
            branching=branching,
            dynamic_branches=dynamic_branches,
        )

        def decorate(function: F) -> F:
            self._add(manifest, function)
            return function

        return decorate

    def trigger(
        self,
        key: str,
        *,
        label: str,
        description: str = "",
        inputs: Sequence[InputManifest] = (),
        schedule_support: ScheduleSupport = "INVALID",
        is_polling_trigger: bool = False,
        branching: bool = False,
        dynamic_branches: bool = False,
    ) -> Callable[[F], F]:
        """Declare a trigger; its function gets ``ctx.trigger_payload`` and returns the payload."""
        manifest = ActionManifest(
            key=key,
            label=label,
            description=description,
            is_trigger=True,
            inputs=tuple(inputs),
            is_polling_trigger=is_polling_trigger,
            schedule_support=schedule_support,
            branching=branching,
            dynamic_branches=dynamic_branches,
        )

        def decorate(function: F) -> F:
            self._add(manifest, function)
            return function

        return decorate

    def connection(self, key: str, *, label: str, inputs: Sequence[InputManifest] = ()) -> None:
        """Declare a connection type config variables can hold."""
        self._connections.append(ConnectionManifest(key, label, tuple(inputs)))

    def data_source(
        self,
        key: str,
        *,
        label: str,
        description: str = "",
        inputs: Sequence[InputManifest] = (),
    ) -> Callable[[F], F]:
        """Declare a data source implemented by the decorated function."""
        manifest = DataSourceManifest(key, label, description, tuple(inputs))

        def decorate(function: F) -> F:
            self._data_sources.append(manifest)
            self._source_functions[key] = function
            return function

        return decorate

    def declare(self, manifest: ActionManifest) -> None:
        """Add an action or trigger that has no implementation (it lists and validates only)."""
        self._add(manifest, None)

    def build(self) -> ComponentSpec:
        """The frozen spec: the manifest plus the functions registered so far."""
        manifest = ComponentManifest(
            key=self._key,
            version=self._version,
            label=self._label,
            description=self._description,
            category=self._category,
            public=self._public,
            actions=tuple(self._actions),
            connections=tuple(self._connections),
            data_sources=tuple(self._data_sources),
        )
        return ComponentSpec(manifest, dict(self._functions), dict(self._source_functions))


def component(
    key: str,
    *,
    label: str,
    description: str = "",
    version: int = 1,
    category: str = "",
    public: bool = True,
) -> ComponentBuilder:
    """Start declaring the component ``key`` (a stable string, never an import path)."""
    return ComponentBuilder(
        key,
        label=label,
        description=description,
        version=version,
        category=category,
        public=public,
    )
