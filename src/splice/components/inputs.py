"""Input values as actions receive them, and helpers to coerce them.

The engine hands an action a dict of resolved inputs:

* ``value`` inputs: the literal string, as written (``"false"``, ``"50"``);
* ``reference`` / ``configVar`` inputs: whatever they point at (objects, lists, numbers, bytes);
* ``template`` inputs: a string;
* ``complex`` inputs: a list. A value list gives the resolved values; a key/value list gives
  ``{"key": ..., "value": ...}`` dicts (``kv_dict`` turns it into a dict); a condition tree gives
  ``{"key": branchName, "value": [operator, term, ...]}`` with each term resolved;
* inputs the step leaves out: the manifest's ``default`` (a string), else None.

Scalars arrive as strings, so each action coerces what it needs with the functions below. They
raise ``InputValueError`` (naming the input) for values they cannot coerce; the engine turns that
into a step failure that names the input.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "InputValueError",
    "as_bool",
    "as_float",
    "as_int",
    "as_list",
    "as_number",
    "as_str",
    "kv_dict",
    "kv_pairs",
    "maybe_json",
]

_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0", ""})


class InputValueError(ValueError):
    """An input value an action cannot use; ``input_key`` names the input when known.

    ``reason`` is the message without the input's name (the engine adds flow, step and input).
    """

    def __init__(self, reason: str, input_key: str | None = None) -> None:
        super().__init__(f"input '{input_key}' {reason}" if input_key else reason)
        self.reason = reason
        self.input_key = input_key


def _fail(key: str | None, wanted: str, value: Any) -> InputValueError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InputValueError(f"expects {wanted}, got {shown}", key)


def as_str(value: Any, default: str = "", *, key: str | None = None) -> str:
    """Text: None -> ``default``, bytes decoded as UTF-8, objects and lists as JSON."""
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def as_bool(value: Any, default: bool = False, *, key: str | None = None) -> bool:
    """``"true"/"yes"/"y"/"1"`` and ``"false"/"no"/"n"/"0"`` (any case); None/"" -> default."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise _fail(key, "a boolean", value)


def as_number(value: Any, default: float | None = None, *, key: str | None = None) -> float | int:
    """An int when the text is integral, else a float; None/"" -> default (error if none).

    Text is read as JavaScript's ``Number()`` reads decimal text: ASCII digits, no ``_``
    separators. ``"Infinity"`` and overflowing text (``"1e400"``) give ``inf``; callers that need
    a finite number check for it.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise _fail(key, "a number", value)
        return default
    if isinstance(value, str):
        text = value.strip()
        if "_" in text or not text.isascii():
            # Python reads "1_000" and non-ASCII digits ("١٢"); JavaScript's Number() does not
            raise _fail(key, "a number", value)
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise _fail(key, "a number", value) from None
        if math.isnan(number):
            raise _fail(key, "a number", value)
        return number
    raise _fail(key, "a number", value)


def as_int(value: Any, default: int | None = None, *, key: str | None = None) -> int:
    """An integer (``"50"``, ``"5.0"``, ``50``); None/"" -> default (error if none)."""
    number = as_number(value, None if default is None else float(default), key=key)
    if isinstance(number, float):
        if not number.is_integer():
            raise _fail(key, "an integer", value)
        return int(number)
    return number


def as_float(value: Any, default: float | None = None, *, key: str | None = None) -> float:
    """A float; None/"" -> default (error if none)."""
    return float(as_number(value, default, key=key))


def maybe_json(value: Any) -> Any:
    """Parse a string that holds JSON; anything else (and non-JSON text) unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if text:
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def as_list(value: Any, *, key: str | None = None) -> list[Any]:
    """A list: lists and tuples as-is, JSON-array text parsed, None/"" empty, else one item."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, str):
        parsed = maybe_json(value)
        if isinstance(parsed, list):
            return parsed
    return [value]


def kv_pairs(value: Any, *, key: str | None = None) -> list[tuple[str, Any]]:
    """Key/value pairs from a key/value list, a dict, or JSON-object text; None/"" -> []."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parsed = maybe_json(value)
        if not isinstance(parsed, dict | list):
            raise _fail(key, "a key/value list", value)
        value = parsed
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        pairs: list[tuple[str, Any]] = []
        for item in value:
            if isinstance(item, Mapping) and "key" in item:
                pairs.append((as_str(item["key"]), item.get("value")))
            elif isinstance(item, Mapping) and "name" in item:
                pairs.append((as_str(item["name"]), item.get("value")))
            else:
                raise _fail(key, "a key/value list", value)
        return pairs
    raise _fail(key, "a key/value list", value)


def kv_dict(value: Any, *, key: str | None = None) -> dict[str, Any]:
    """A key/value list as a dict (a later duplicate key wins)."""
    return dict(kv_pairs(value, key=key))
