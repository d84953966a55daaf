"""The `datetime` core component: read and shift dates and times."""

from __future__ import annotations

from splice.components.manifest import ActionManifest, ComponentManifest, InputManifest

__all__ = ["MANIFEST"]

_in = InputManifest

MANIFEST = ComponentManifest(
    key="datetime",
    version=1,
    label="Date/Time",
    description="Read and shift dates and times",
    category="Data",
    actions=(
        ActionManifest(
            key="getCurrentDateTime",
            label="Get Current Date/Time",
            description="Returns the current UTC date and time",
        ),
        ActionManifest(
            key="adjustDateTime",
            label="Adjust Date/Time",
            description="Shifts a date/time by the given amounts (empty means 0)",
            inputs=(
                _in("dateTimeInput", "Date/Time", required=True),
                _in("secondsInput", "Seconds"),
                _in("minutesInput", "Minutes"),
                _in("hoursInput", "Hours"),
                _in("daysInput", "Days"),
            ),
        ),
    ),
)
