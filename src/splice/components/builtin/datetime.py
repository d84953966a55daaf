"""The `datetime` core component: read and shift dates and times (spec 15).

Results are ISO-8601 UTC text with milliseconds and a ``Z`` (what JavaScript's
``Date.toISOString`` gives), so later steps and date conditions read them the same way.
``make_component(now=...)`` takes the clock; ``COMPONENT`` uses ``splice.clock.now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from splice import clock
from splice.components.context import ActionContext
from splice.components.inputs import InputValueError, as_bool, as_number
from splice.components.sdk import ComponentSpec, Input, component

__all__ = ["COMPONENT", "MANIFEST", "make_component", "parse_datetime"]

_UTC = dt.UTC


def parse_datetime(value: Any, key: str) -> dt.datetime:
    """An aware datetime from ISO text, epoch milliseconds or a datetime; naive means UTC.

    ISO text may end in an IANA zone in brackets (``2024-03-10T01:30:00[America/New_York]``).
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = _from_epoch_ms(value, key)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_text(value.strip(), key)
    else:
        raise InputValueError(f"expects a date/time, got {value!r}", key)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)


def _from_epoch_ms(ms: float, key: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(ms / 1000, _UTC)
    except (OverflowError, OSError, ValueError):
        raise InputValueError(
            f"is out of the date range ({ms!r} epoch milliseconds)", key
        ) from None


def _parse_text(text: str, key: str) -> dt.datetime:
    if text.lstrip("-").isdigit():
        return _from_epoch_ms(int(text), key)
    zone: dt.tzinfo | None = None
    if text.endswith("]") and "[" in text:
        text, _, name = text[:-1].partition("[")
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputValueError(f"names an unknown time zone {name!r}", key) from None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputValueError(f"expects an ISO-8601 date/time, got {text!r}", key) from None
    if zone is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


_UNITS = (
    ("secondsInput", "seconds"),
    ("minutesInput", "minutes"),
    ("hoursInput", "hours"),
    ("daysInput", "days"),
)


def _amount(inputs: dict[str, Any], key: str, unit: str) -> tuple[str, dt.timedelta]:
    """The input ``key`` as a timedelta of ``unit``; too large (or infinite) fails naming it."""
    number = as_number(inputs.get(key), 0, key=key)
    try:
        return key, dt.timedelta(**{unit: number})
    except OverflowError:
        raise InputValueError(f"is too large to shift a date by ({number!r} {unit})", key) from None


def make_component(*, now: Callable[[], dt.datetime] = clock.now) -> ComponentSpec:
    """The component, reading the time from ``now``."""
    builder = component(
        "datetime",
        label="Date/Time",
        description="Read and shift dates and times",
        category="Data",
    )

    @builder.action(
        "getCurrentDateTime",
        label="Get Current Date/Time",
        description="Returns the current UTC date and time",
        inputs=(
            Input(
                "displayEpochInSeconds",
                "Display Epoch In Seconds",
                type="boolean",
                default="false",
                comments="Return seconds since 1970-01-01T00:00:00Z instead of ISO text",
            ),
        ),
    )
    def get_current_date_time(ctx: ActionContext, inputs: dict[str, Any]) -> str | int:
        """ISO-8601 UTC text (``2024-05-31T23:59:30.123Z``); with ``displayEpochInSeconds``
        the whole seconds since the Unix epoch as a number (``1717199970``) instead.

        The spec names the input but not the result's shape; Splice returns the number alone.
        """
        current = now()
        if as_bool(inputs.get("displayEpochInSeconds"), key="displayEpochInSeconds"):
            return int(current.timestamp())
        return clock.to_iso(current)

    @builder.action(
        "adjustDateTime",
        label="Adjust Date/Time",
        description="Shifts a date/time by the given amounts (empty means 0)",
        inputs=(
            Input("dateTimeInput", "Date/Time", required=True),
            Input("secondsInput", "Seconds"),
            Input("minutesInput", "Minutes"),
            Input("hoursInput", "Hours"),
            Input("daysInput", "Days"),
        ),
    )
    def adjust_date_time(ctx: ActionContext, inputs: dict[str, Any]) -> str:
        """Shifted by elapsed time (a day is 24 hours), like adding milliseconds to a JS Date."""
        start = parse_datetime(inputs.get("dateTimeInput"), "dateTimeInput")
        parts = [_amount(inputs, key, unit) for key, unit in _UNITS]
        try:
            shifted = start.astimezone(_UTC) + sum((part for _, part in parts), dt.timedelta())
        except OverflowError:
            key = max(parts, key=lambda part: abs(part[1]))[0]
            raise InputValueError("moves the date out of range", key) from None
        return clock.to_iso(shifted)

    return builder.build()


COMPONENT = make_component()
MANIFEST = COMPONENT.manifest
