"""Custom scalars: DateTime as ISO-8601 with milliseconds and Z (JS Date parses it), JSONString."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ariadne import ScalarType

from splice import clock

__all__ = ["SCALARS"]

datetime_scalar = ScalarType("DateTime")
json_string_scalar = ScalarType("JSONString")


@datetime_scalar.serializer
def _serialize_datetime(value: Any) -> str:
    return clock.to_iso(value) if isinstance(value, datetime) else str(value)


@datetime_scalar.value_parser
def _parse_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@json_string_scalar.serializer
def _serialize_json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@json_string_scalar.value_parser
def _parse_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


SCALARS = (datetime_scalar, json_string_scalar)
