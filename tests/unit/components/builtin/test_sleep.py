"""sleep waits through the injected sleeper, so the test never waits."""

from __future__ import annotations

import pytest

from splice.components.builtin import sleep as sleep_module
from splice.components.inputs import InputValueError
from splice.components.testing import invoke


async def test_sleep_waits_the_given_milliseconds() -> None:
    waited: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    spec = sleep_module.make_component(sleep=fake_sleep)
    assert await invoke(spec, "sleep", {"ms": "1000"}) is None
    assert await invoke(spec, "sleep", {}) is None  # default 1000
    assert await invoke(spec, "sleep", {"ms": "250"}) is None
    assert waited == [1.0, 1.0, 0.25]


@pytest.mark.parametrize("ms", ["-1", str(sleep_module.MAX_MS + 1), "soon"])
async def test_sleep_refuses_out_of_range(ms: str) -> None:
    async def fake_sleep(seconds: float) -> None:
        raise AssertionError("must not wait")

    with pytest.raises(InputValueError, match="ms"):
        await invoke(sleep_module.make_component(sleep=fake_sleep), "sleep", {"ms": ms})
