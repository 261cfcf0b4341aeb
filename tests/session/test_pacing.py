"""Pacing against the emulator's strict sliding window, on real time.

These are the property the product exists for: any number of concurrent callers, zero
429s, never more than the ceiling in any one-second window, and close to the ceiling over
the run. The runs are short; the benchmark (benchmarks/bench_pacing.py) runs longer ones.
"""

from __future__ import annotations

import asyncio

import pytest
from load_support import calls

from insightly_async import InsightlySession, Pacer
from insightly_async.testing import FakeInsightly

pytest_plugins = ["session_fixtures"]

pytestmark = pytest.mark.realtime


@pytest.mark.parametrize("callers", [50, 200])
async def test_many_callers_stay_under_a_fast_ceiling(callers: int) -> None:
    # The same property at 40 per second, so that the run takes 3 seconds, not 12.
    async with FakeInsightly(seed=3, rate_limit=40, latency=0.02, jitter=0.02) as fake:
        async with InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, rate=39.2, max_in_flight=10
        ) as crm:
            await calls(crm, callers=callers, requests=120)
        assert fake.log.status_counts() == {200: 120}
        assert fake.log.max_in_window(1.0) <= 40
        assert fake.log.rate() >= 36


async def test_the_default_session_at_the_real_ceiling() -> None:
    async with FakeInsightly(seed=4, latency=0.15, jitter=0.05) as fake:
        assert fake.options.rate_limit == 10
        async with InsightlySession(api_key=fake.api_key, base_url=fake.base_url) as crm:
            await calls(crm, callers=100, requests=36)
        assert fake.log.status_counts() == {200: 36}
        assert fake.log.max_in_window(1.0) <= 10
        assert fake.log.rate() >= 9.0


async def test_sessions_sharing_a_pacer_share_the_ceiling() -> None:
    async with FakeInsightly(seed=5, rate_limit=20) as fake:
        pacer = Pacer(19.6)
        async with (
            InsightlySession(api_key=fake.api_key, base_url=fake.base_url, limiter=pacer) as one,
            InsightlySession(api_key=fake.user_key, base_url=fake.base_url, limiter=pacer) as two,
        ):
            await asyncio.gather(
                calls(one, callers=30, requests=30), calls(two, callers=30, requests=30)
            )
        assert fake.log.status_counts() == {200: 60}
        assert fake.log.max_in_window(1.0) <= 20


async def test_a_429_burst_slows_the_pacer_and_it_recovers() -> None:
    # The server allows 10 per second; this client believes 20 and finds out.
    async with FakeInsightly(seed=6, rate_limit=10) as fake:
        throttled_to: list[float] = []

        class Watched(Pacer):
            def on_throttled(self) -> None:
                super().on_throttled()
                throttled_to.append(self.rate)

        pacer = Watched(20, recovery_step=5, recovery_interval=0.25)
        async with InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, limiter=pacer, max_retries=10
        ) as crm:
            await calls(crm, callers=20, requests=30)
            assert fake.log.status_counts()[429] >= 1
            assert throttled_to  # every 429 was reported to the pacer...
            slowest = min(throttled_to)
            assert slowest <= 10  # ...which halved its rate at least once
            fake.options.rate_limit = None  # the other tenant went away
            await calls(crm, callers=5, requests=15)
            assert pacer.rate > slowest  # and climbs back while requests succeed
        assert fake.log.status_counts()[200] == 45  # every call succeeded in the end
