"""Component manifests: what a component offers, as pure data that can be listed without running it.

The decorator SDK (a later module) builds these same objects from code; built-in components that
have no implementation yet are declared here directly. Validation and ``listComponents`` read
manifests only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ActionManifest",
    "Collection",
    "ComponentManifest",
    "ConnectionManifest",
    "DataSourceManifest",
    "InputManifest",
    "ScheduleSupport",
]

Collection = Literal["valuelist", "keyvaluelist"]
ScheduleSupport = Literal["INVALID", "VALID", "REQUIRED"]


@dataclass(frozen=True, slots=True)
class InputManifest:
    """One input of an action, connection or data source; ``key`` is the YAML input key."""

    key: str
    label: str
    type: str = "string"
    required: bool = False
    default: str | None = None
    collection: Collection | None = None
    comments: str = ""


@dataclass(frozen=True, slots=True)
class ActionManifest:
    """An action or trigger of a component; ``branching`` actions choose one of their branches."""

    key: str
    label: str
    description: str = ""
    is_trigger: bool = False
    inputs: tuple[InputManifest, ...] = ()
    is_polling_trigger: bool = False
    schedule_support: ScheduleSupport = "INVALID"
    branching: bool = False
    dynamic_branches: bool = False

    def input(self, key: str) -> InputManifest | None:
        """The input with this key, if the action declares it."""
        return next((spec for spec in self.inputs if spec.key == key), None)

    @property
    def required_inputs(self) -> tuple[str, ...]:
        """Keys of the inputs a step must supply."""
        return tuple(spec.key for spec in self.inputs if spec.required)


@dataclass(frozen=True, slots=True)
class ConnectionManifest:
    """A connection type a config variable can hold (``connection: {key, component}``)."""

    key: str
    label: str
    inputs: tuple[InputManifest, ...] = ()


@dataclass(frozen=True, slots=True)
class DataSourceManifest:
    """A data source a config variable can use to offer choices (``dataSource: {key, component}``)."""

    key: str
    label: str
    description: str = ""
    inputs: tuple[InputManifest, ...] = ()


@dataclass(frozen=True, slots=True)
class ComponentManifest:
    """A component: a stable ``key`` (never an import path), a version and what it offers."""

    key: str
    version: int
    label: str
    description: str = ""
    category: str = ""
    public: bool = True
    actions: tuple[ActionManifest, ...] = ()
    connections: tuple[ConnectionManifest, ...] = ()
    data_sources: tuple[DataSourceManifest, ...] = ()

    def action(self, key: str) -> ActionManifest | None:
        """The action or trigger with this key, if the component has it."""
        return next((a for a in self.actions if a.key == key), None)

    def connection(self, key: str) -> ConnectionManifest | None:
        """The connection with this key, if the component has it."""
        return next((c for c in self.connections if c.key == key), None)

    def data_source(self, key: str) -> DataSourceManifest | None:
        """The data source with this key, if the component has it."""
        return next((d for d in self.data_sources if d.key == key), None)
