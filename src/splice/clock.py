"""The one place that reads the wall clock, so tests can control time without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["now", "to_iso"]


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_iso(value: datetime) -> str:
    """Format a datetime as ISO-8601 with millisecond precision and a `Z` suffix (JS Date friendly)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
