"""placeholder"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["DefinitionIssue", "missing_components", "validate"]


@dataclass(frozen=True)
class DefinitionIssue:
    flow: str | None
    step: str | None
    input: str | None
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"


def validate(model: Any, registry: Any) -> list[DefinitionIssue]:
    return []


def missing_components(model: Any, registry: Any) -> list[str]:
    return []
