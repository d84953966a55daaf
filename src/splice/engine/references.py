"""Reference paths (``stepKey.results.a.b[0].c``) parsed once and walked like lodash ``get``.

Segments split on ``.``; a segment may hold spaces and hyphens (``headers.X-Shopify-Topic``);
``[0]`` and ``["key"]`` are segments too. A digit segment indexes a list (and is a plain key in a
dict). A path that does not resolve gives None, never an error: conditions test such paths with
``exists``. A dict key that is missing is looked up again ignoring case, because senders choose
the case of header names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["ROOTS", "Reference", "parse_reference", "walk"]

ROOTS = frozenset({"results", "currentItem", "index"})

Segment = tuple[str, int | None]
_BRACKET = re.compile(r"\[\s*(?:(-?\d+)|'([^']*)'|\"([^\"]*)\")\s*\]")


@dataclass(frozen=True, slots=True)
class Reference:
    """``step`` is the step key, ``root`` one of ``results``/``currentItem``/``index``."""

    step: str
    root: str
    path: tuple[Segment, ...]


def _segment(text: str) -> Segment:
    return (text, int(text) if text.isdigit() else None)


def _split(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for part in text.split("."):
        if "[" not in part:
            if part:
                segments.append(_segment(part))
            continue
        head, _, rest = part.partition("[")
        if head:
            segments.append(_segment(head))
        rest = "[" + rest
        pos = 0
        for match in _BRACKET.finditer(rest):
            if match.start() != pos:
                break
            number, single, double = match.groups()
            if number is not None:
                segments.append((number, int(number)))
            else:
                segments.append(_segment(single if single is not None else double))
            pos = match.end()
        if pos != len(rest):  # not brackets after all: keep the text as one key
            segments.append(_segment(rest[pos:]))
    return segments


@lru_cache(maxsize=8192)
def parse_reference(text: str) -> Reference:
    """Parse ``stepKey.root.path``; a missing root means ``results``."""
    segments = _split(text.strip())
    if not segments:
        return Reference("", "results", ())
    step = segments[0][0]
    rest = segments[1:]
    if rest and rest[0][0] in ROOTS:
        return Reference(step, rest[0][0], tuple(rest[1:]))
    return Reference(step, "results", tuple(rest))


def walk(value: Any, path: tuple[Segment, ...]) -> Any:
    """The value at ``path`` inside ``value``, or None when any segment is missing."""
    for key, index in path:
        if isinstance(value, dict):
            found = value.get(key, _MISSING)
            if found is _MISSING:
                found = _fold(value, key)
            value = found
        elif isinstance(value, list | tuple):
            if index is None:
                if key == "length":
                    value = len(value)
                    continue
                return None
            value = value[index] if -len(value) <= index < len(value) else None
        elif isinstance(value, str) and key == "length":
            value = len(value)
        else:
            return None
        if value is None:
            return None
    return value


_MISSING = object()


def _fold(mapping: dict[Any, Any], key: str) -> Any:
    lowered = key.lower()
    for candidate, found in mapping.items():
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return found
    return None
