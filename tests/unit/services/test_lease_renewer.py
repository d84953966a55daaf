"""LeaseRenewer: renews on a timer until stopped, and keeps going after a failed renewal."""

from __future__ import annotations

import asyncio

from splice.services.lease_renewer import LeaseRenewer


async def test_it_renews_again_and_again_and_past_a_failure() -> None:
    calls: list[int] = []
    third = asyncio.Event()

    async def renew() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        if len(calls) == 3:
            third.set()

    renewer = LeaseRenewer(renew, 0.001)
    await asyncio.wait_for(third.wait(), 10)
    renewer.stop()
    assert calls[:3] == [0, 1, 2] and not renewer.active


async def test_stop_cancels_a_renewal_under_way_and_plans_no_more() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def renew() -> None:
        nonlocal calls
        calls += 1
        started.set()
        await release.wait()

    renewer = LeaseRenewer(renew, 0.001)
    await asyncio.wait_for(started.wait(), 10)
    renewer.stop()
    release.set()
    for _ in range(20):  # turns of the loop in which a rearmed timer would fire
        await asyncio.sleep(0.002)
    assert calls == 1


async def test_nothing_runs_when_stopped_before_the_first_interval() -> None:
    calls = 0

    async def renew() -> None:
        nonlocal calls
        calls += 1

    renewer = LeaseRenewer(renew, 0.001)
    renewer.stop()
    for _ in range(20):
        await asyncio.sleep(0.002)
    assert calls == 0
