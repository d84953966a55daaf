"""Clock formatting: what JavaScript's Date parses and prism prints with toISOString."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from splice import clock


def test_now_is_aware_utc() -> None:
    assert clock.now().utcoffset() == timedelta(0)


def test_to_iso_has_milliseconds_and_z() -> None:
    value = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert clock.to_iso(value) == "2026-01-02T03:04:05.678Z"


def test_to_iso_converts_other_zones_to_utc() -> None:
    value = datetime(2026, 1, 2, 3, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    assert clock.to_iso(value) == "2026-01-02T01:00:00.000Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", clock.to_iso(clock.now()))
