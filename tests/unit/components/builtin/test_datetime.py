"""datetime: a fixed clock, ISO text results like JavaScript's toISOString."""

from __future__ import annotations

import datetime as dt

import pytest

from splice.components.builtin import datetime as datetime_module
from splice.components.inputs import InputValueError
from splice.components.testing import invoke

FIXED = dt.datetime(2024, 5, 31, 23, 59, 30, 123456, tzinfo=dt.UTC)
SPEC = datetime_module.make_component(now=lambda: FIXED)


async def test_get_current_date_time_reads_the_injected_clock() -> None:
    assert await invoke(SPEC, "getCurrentDateTime", {}) == "2024-05-31T23:59:30.123Z"


async def test_adjust_adds_every_unit_and_empty_means_zero() -> None:
    result = await invoke(
        SPEC,
        "adjustDateTime",
        {
            "dateTimeInput": "2024-02-28T22:00:00Z",
            "secondsInput": "30",
            "minutesInput": "",
            "hoursInput": "3",
            "daysInput": "1",
        },
    )
    assert result == "2024-03-01T01:00:30.000Z"  # 2024 is a leap year


async def test_adjust_accepts_negative_amounts_offsets_and_epoch_milliseconds() -> None:
    assert (
        await invoke(
            SPEC,
            "adjustDateTime",
            {"dateTimeInput": "2024-01-01T09:00:00+02:00", "daysInput": "-1"},
        )
        == "2023-12-31T07:00:00.000Z"
    )
    assert (
        await invoke(
            SPEC, "adjustDateTime", {"dateTimeInput": 1_700_000_000_000, "hoursInput": "1"}
        )
        == "2023-11-14T23:13:20.000Z"
    )


async def test_adjust_reads_an_iana_zone_suffix() -> None:
    result = await invoke(
        SPEC, "adjustDateTime", {"dateTimeInput": "2024-07-01T12:00:00[America/New_York]"}
    )
    assert result == "2024-07-01T16:00:00.000Z"


@pytest.mark.parametrize("value", ["next tuesday", "", "2024-01-01T00:00:00[Mars/Olympus]"])
async def test_adjust_refuses_what_is_not_a_date(value: str) -> None:
    with pytest.raises(InputValueError, match="dateTimeInput"):
        await invoke(SPEC, "adjustDateTime", {"dateTimeInput": value})


async def test_get_current_date_time_in_epoch_seconds() -> None:
    assert await invoke(SPEC, "getCurrentDateTime", {"displayEpochInSeconds": "true"}) == int(
        FIXED.timestamp()
    )
    assert await invoke(SPEC, "getCurrentDateTime", {"displayEpochInSeconds": "false"}) == (
        "2024-05-31T23:59:30.123Z"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [("daysInput", "1e10"), ("hoursInput", "1e400"), ("secondsInput", "-1e20")],
)
async def test_adjust_names_an_amount_too_large_for_a_date(key: str, value: str) -> None:
    with pytest.raises(InputValueError, match=f"input '{key}' is too large to shift a date by"):
        await invoke(SPEC, "adjustDateTime", {"dateTimeInput": "2024-01-01T00:00:00Z", key: value})


async def test_adjust_names_an_epoch_out_of_range() -> None:
    with pytest.raises(InputValueError, match="input 'dateTimeInput' is out of the date range"):
        await invoke(SPEC, "adjustDateTime", {"dateTimeInput": "99999999999999999999"})
