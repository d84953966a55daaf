"""Schedule ticks: cron with leading zeros and time zones, the lateness window, config-var schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from splice.services.schedules import Schedule, due_tick, schedule_of

WINDOW = timedelta(seconds=60)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_every_five_minutes_fires_on_the_tick_and_not_between() -> None:
    schedule = Schedule("*/5 * * * *", "")
    assert due_tick(schedule, at("2026-11-22T10:05:00"), WINDOW) == at("2026-11-22T10:05:00")
    assert due_tick(schedule, at("2026-11-22T10:05:30"), WINDOW) == at("2026-11-22T10:05:00")
    assert due_tick(schedule, at("2026-11-22T10:07:00"), WINDOW) is None


def test_leading_zeros_and_time_zones() -> None:
    schedule = Schedule("00 02 * * *", "America/Chicago")
    # 02:00 in Chicago (CST, UTC-6) is 08:00 UTC
    assert due_tick(schedule, at("2026-11-22T08:00:20"), WINDOW) == at("2026-11-22T08:00:00")
    assert due_tick(schedule, at("2026-11-22T02:00:20"), WINDOW) is None


def test_invalid_or_empty_cron_never_fires() -> None:
    assert due_tick(Schedule("not a cron", "UTC"), at("2026-11-22T10:00:00"), WINDOW) is None
    assert due_tick(Schedule("", "UTC"), at("2026-11-22T10:00:00"), WINDOW) is None


def test_schedule_from_value_or_config_variable() -> None:
    literal = {
        "steps": [
            {
                "schedule": {
                    "type": "value",
                    "value": "0 * * * *",
                    "meta": {"timeZone": "Europe/Paris"},
                }
            }
        ]
    }
    assert schedule_of(literal, {}) == Schedule("0 * * * *", "Europe/Paris")
    from_var = {"steps": [{"schedule": {"type": "configVar", "value": "Sync Schedule"}}]}
    assert schedule_of(from_var, {"Sync Schedule": "*/15 * * * *"}) == Schedule(
        "*/15 * * * *", "UTC"
    )
    assert schedule_of(from_var, {}) is None
    assert schedule_of({"steps": [{}]}, {}) is None


def test_a_schedule_variable_of_type_none_never_runs() -> None:
    from_var = {"steps": [{"schedule": {"type": "configVar", "value": "Sync Schedule"}}]}
    none = {"value": "* * * * *", "scheduleType": "none", "timeZone": ""}
    assert schedule_of(from_var, {"Sync Schedule": none}) is None
    minute = {**none, "scheduleType": "minute"}
    assert schedule_of(from_var, {"Sync Schedule": minute}) == Schedule("* * * * *", "UTC")
