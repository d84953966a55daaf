"""Helpers the core components share beyond ``splice.components.inputs``.

Binary values travel as ``bytes`` (or as a binary step result ``{data: bytes, contentType}``,
the shape ``http`` returns for ``responseType: binary``); crossing into JSON (JavaScript, JSON
text) they become base64 text.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

from splice.components.context import ActionContext
from splice.components.inputs import InputValueError

__all__ = [
    "as_bytes",
    "as_object",
    "is_unset",
    "json_default",
    "parse_json_text",
    "step_results_view",
    "text_input",
    "to_json_text",
    "to_text",
    "unwrap_binary",
    "utf8_text",
]


def is_unset(value: Any) -> bool:
    """``None`` and ``""`` both mean the input was left empty."""
    return value is None or (isinstance(value, str) and value == "")


def unwrap_binary(value: Any) -> Any:
    """The ``data`` of a binary step result or of a trigger body (``{data, contentType}``)."""
    if isinstance(value, Mapping) and "data" in value and set(value) <= {"data", "contentType"}:
        return value["data"]
    return value


class _NotFinite(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotFinite(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _NotFinite(f"the number {_shorten(text)} is too large")
    return number


def _finite_int(text: str) -> int:
    try:
        number = int(text)
        float(number)
    except (OverflowError, ValueError):
        raise _NotFinite(f"the number {_shorten(text)} is too large") from None
    return number


def _shorten(text: str) -> str:
    return text if len(text) <= 24 else text[:21] + "..."


def utf8_text(raw: bytes | bytearray | memoryview, key: str) -> str:
    """Bytes decoded as UTF-8; bytes that are not UTF-8 fail naming the input ``key``."""
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputValueError(
            f"holds binary data that is not UTF-8 text (byte 0x{raw[error.start]:02x} "
            f"at offset {error.start})",
            key,
        ) from None


def parse_json_text(value: Any, key: str) -> Any:
    """Parse JSON text (``str`` or UTF-8 bytes); values that are not text are returned as is.

    Parsing is strict, like ``JSON.parse``: ``NaN``, ``Infinity`` and numbers too large for a
    double are refused (they would not survive a trip back to JSON).
    """
    value = unwrap_binary(value)
    if isinstance(value, bytes | bytearray | memoryview):
        value = utf8_text(value, key)
    if not isinstance(value, str):
        return value
    try:
        return json.loads(
            value,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_finite_int,
        )
    except json.JSONDecodeError as error:
        raise InputValueError(
            f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})", key
        ) from None
    except _NotFinite as error:
        raise InputValueError(f"is not valid JSON ({error})", key) from None


def as_object(value: Any, key: str) -> dict[str, Any]:
    """An object input: a mapping as a dict, JSON-object text parsed, empty as ``{}``."""
    if is_unset(value):
        return {}
    parsed = parse_json_text(value, key) if isinstance(value, str | bytes) else value
    if isinstance(parsed, Mapping):
        return dict(parsed)
    raise InputValueError(f"expects an object, got {type(parsed).__name__}", key)


def as_bytes(value: Any, key: str) -> bytes:
    """Binary input: bytes, a binary step result ``{data, contentType}``, a Node ``Buffer`` as
    JSON (``{type: "Buffer", data: [...]}`` or a byte list), or base64 text."""
    if isinstance(value, Mapping) and value.get("type") == "Buffer":
        value = value.get("data")
    value = unwrap_binary(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise InputValueError("expects binary data; the text is not base64", key) from None
    raise InputValueError(f"expects binary data, got {type(value).__name__}", key)


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback: bytes as base64 text, dates as ISO-8601, sets as lists."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json_text(value: Any) -> str:
    """``JSON.stringify`` of a value: compact, non-ASCII kept, bytes as base64."""
    return json.dumps(value, default=json_default, ensure_ascii=False, separators=(",", ":"))


def to_text(value: Any) -> str:
    """The string form of a value: text as is, bytes as UTF-8, numbers as JavaScript prints
    them (``3``, not ``3.0``), ``true``/``false``, objects and lists as JSON; None is ``""``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return to_json_text(value)


def text_input(value: Any, key: str) -> str:
    """``to_text`` for an input that may hold binary data: bytes and a binary step result
    (``{data: bytes, contentType}``) are decoded as UTF-8 (failing, naming ``key``, when they
    are not UTF-8) instead of being written out as JSON."""
    if isinstance(value, Mapping) and isinstance(value.get("data"), bytes | bytearray | memoryview):
        value = unwrap_binary(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return utf8_text(value, key)
    return to_text(value)


def step_results_view(ctx: ActionContext) -> dict[str, dict[str, Any]]:
    """Results so far the way code steps read them: ``stepResults.<stepKey>.results``.

    ``ctx.step_results`` holds each step's data by step key; each loop the step runs inside adds
    ``currentItem`` and ``index`` next to its ``results`` (``stepResults.loopOverItems.currentItem``).
    """
    view: dict[str, dict[str, Any]] = {
        key: {"results": value} for key, value in ctx.step_results.items()
    }
    for key, (item, index) in ctx.loops.items():
        view.setdefault(key, {"results": None}).update(currentItem=item, index=index)
    return view
