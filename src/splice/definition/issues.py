"""What validation reports, and the structural view of a component catalog it checks against.

The catalog is a Protocol rather than ``splice.components.Registry`` because ``definition`` and
``components`` are independent layers: neither imports the other (import-linter contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = [
    "ActionInfo",
    "Catalog",
    "ComponentInfo",
    "DefinitionIssue",
    "InputInfo",
    "Severity",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class DefinitionIssue:
    """One problem, located by flow, step and input name (any may be None)."""

    flow: str | None
    step: str | None
    input: str | None
    message: str
    fix: str = ""
    severity: Severity = "error"

    @property
    def text(self) -> str:
        """``Flow 'X', step 'Y', input 'z': message (fix)``, leaving out unknown parts."""
        where = ", ".join(
            part
            for part in (
                f"Flow '{self.flow}'" if self.flow is not None else "",
                f"step '{self.step}'" if self.step is not None else "",
                f"input '{self.input}'" if self.input is not None else "",
            )
            if part
        )
        body = f"{self.message} ({self.fix})" if self.fix else self.message
        if not where:
            return body
        return f"{where[0].upper()}{where[1:]}: {body}"


class InputInfo(Protocol):
    """What validation reads from an input manifest."""

    @property
    def key(self) -> str: ...
    @property
    def required(self) -> bool: ...


class ActionInfo(Protocol):
    """What validation reads from an action manifest."""

    @property
    def key(self) -> str: ...
    @property
    def is_trigger(self) -> bool: ...
    @property
    def branching(self) -> bool: ...
    @property
    def schedule_support(self) -> str: ...
    @property
    def inputs(self) -> Sequence[InputInfo]: ...


class ComponentInfo(Protocol):
    """What validation reads from a component manifest."""

    @property
    def key(self) -> str: ...
    @property
    def actions(self) -> Sequence[ActionInfo]: ...
    def action(self, key: str) -> ActionInfo | None: ...
    def connection(self, key: str) -> object | None: ...
    def data_source(self, key: str) -> object | None: ...


class Catalog(Protocol):
    """Where validation looks components up (``splice.components.Registry`` fits)."""

    def get(self, key: str) -> ComponentInfo | None: ...
