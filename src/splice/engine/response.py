"""Webhook responses from step results, and the cheap size check behind the result-size limit."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from splice.components.sdk import ActionResult, HttpResponse
from splice.engine.results import WebhookResponse

__all__ = ["fits", "http_response", "json_bytes", "step_response"]

_JSON = "application/json"


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def json_bytes(value: Any) -> bytes:
    """JSON for a result; bytes as UTF-8 text (base64 when binary), dates as ISO 8601."""
    return json.dumps(value, default=_default, ensure_ascii=False).encode("utf-8")


def _body(data: Any, content_type: str | None) -> tuple[bytes, str]:
    if isinstance(data, bytes | bytearray):
        return bytes(data), content_type or "application/octet-stream"
    if content_type is not None and isinstance(data, str):
        return data.encode("utf-8"), content_type
    return (b"" if data is None and content_type else json_bytes(data)), content_type or _JSON


def step_response(data: Any, meta: ActionResult | None) -> WebhookResponse:
    """The answer for a synchronous caller from a step's data and optional ActionResult.

    Data goes out as JSON unless the step names a content type: then text and bytes go out as
    they are (so a stop-execution ``jsonBody`` string is sent verbatim).
    """
    content_type = meta.content_type if meta is not None else None
    body, content_type = _body(data, content_type)
    status = meta.status_code if meta is not None and meta.status_code is not None else 200
    headers = dict(meta.headers) if meta is not None and meta.headers else {}
    return WebhookResponse(status, content_type, headers, body)


def http_response(response: HttpResponse, execution_id: str) -> WebhookResponse:
    """A trigger's async response; no body means ``{"executionId": ...}``."""
    data = response.body if response.body is not None else {"executionId": execution_id}
    body, content_type = _body(data, response.content_type or _JSON)
    return WebhookResponse(response.status_code, content_type, dict(response.headers), body)


def fits(value: Any, limit: int) -> bool:
    """Whether ``value`` is at most about ``limit`` bytes (JSON-ish estimate, stops early)."""
    if value is None or isinstance(value, bool | int | float):
        return True
    budget = limit
    stack = [value]
    while stack:
        item = stack.pop()
        # built-in types before the Mapping ABC, whose isinstance check is slow for non-mappings;
        # tuples of types, not X | Y unions, which isinstance checks about twice as slowly
        if isinstance(item, str):
            budget -= len(item) + 2
        elif isinstance(item, (bytes, bytearray)):
            budget -= len(item)
        elif isinstance(item, (list, tuple, set, frozenset)):
            budget -= 2 + len(item)
            stack.extend(item)
        elif item is None or isinstance(item, (bool, int, float)):
            budget -= 8
        elif isinstance(item, (dict, Mapping)):
            budget -= 2 + 2 * len(item)
            for key, inner in item.items():
                budget -= len(key) + 3 if isinstance(key, str) else 8
                stack.append(inner)
        else:
            budget -= 8
        if budget < 0:
            return False
    return True
