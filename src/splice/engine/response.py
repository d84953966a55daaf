"""Webhook responses from step results, and the recorded form of a result (which the
result-size limit measures)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from splice.components.sdk import ActionResult, HttpResponse
from splice.engine.results import WebhookResponse

__all__ = [
    "http_response",
    "json_bytes",
    "recorded_form",
    "recorded_size",
    "response_problem",
    "step_response",
]

_JSON = "application/json"
# headers that frame the message: the server sets them for the body it sends
_FRAMING = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade"}
)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field name


def response_problem(
    status: Any, content_type: Any, headers: Mapping[str, Any] | None
) -> str | None:
    """What makes these response fields impossible to send over HTTP, or None when they can be."""
    if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
        return f"the status code {status!r} is not an HTTP status code (an integer from 100 to 599)"
    if isinstance(content_type, str) and _breaks_line(content_type):
        return f"the content type {content_type!r} holds a line break"
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            return f"the header name {name!r} is not a valid HTTP field name"
        if _breaks_line(str(value)):
            return f"the value of header {name!r} holds a line break or NUL character"
    return None


def _breaks_line(text: str) -> bool:
    return "\r" in text or "\n" in text or "\0" in text


def _sendable(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (headers or {}).items() if k.lower() not in _FRAMING}


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
    headers = _sendable(meta.headers) if meta is not None else {}
    return WebhookResponse(status, content_type, headers, body)


def http_response(response: HttpResponse, execution_id: str) -> WebhookResponse:
    """A trigger's async response; no body means ``{"executionId": ...}``."""
    data = response.body if response.body is not None else {"executionId": execution_id}
    body, content_type = _body(data, response.content_type or _JSON)
    return WebhookResponse(response.status_code, content_type, _sendable(response.headers), body)


def recorded_form(data: Any, content_type: str | None) -> tuple[str | bytes, str]:
    """A step result as it is recorded: (data, content type).

    Bytes, and text that names a non-JSON content type, stay as they are; everything else
    becomes JSON text (prism parses ``data`` as a JSON string for ``application/json``). The
    engine measures this form against the result-size limit and hands it to the sink with the
    result, so each result is serialised once.
    """
    if isinstance(data, bytes | bytearray):
        return bytes(data), content_type or "application/octet-stream"
    if isinstance(data, str) and content_type and not content_type.endswith("json"):
        return data, content_type
    return json.dumps(data, default=_default, ensure_ascii=False), _JSON


def recorded_size(recorded: str | bytes) -> int:
    """Bytes of a recorded result (UTF-8 for text)."""
    if isinstance(recorded, str) and not recorded.isascii():
        return len(recorded.encode("utf-8"))
    return len(recorded)
