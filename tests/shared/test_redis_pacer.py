"""The Redis-backed pacer: one schedule for every process on the account."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest
import redis.asyncio

from insightly_async import InsightlySession, ValidationError
from insightly_async.redis import RedisPacer
from insightly_async.redis._pacer import _Offset
from insightly_async.testing import FakeInsightly

pytest_plugins = ["redis_fixtures"]


async def test_reservations_are_spaced_by_one_over_the_rate(redis_client: Any) -> None:
    pacer = RedisPacer(redis_client, key="acct", rate=20.0)
    started = time.monotonic()
    times = []
    for _ in range(5):
        await pacer.acquire()
        times.append(time.monotonic() - started)
    assert times[0] < 0.05  # the first goes at once
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.045 for gap in gaps), gaps  # 50 ms apart, never less
    assert times[-1] < 1.0


async def test_pacers_on_one_key_share_one_schedule(redis_url: str) -> None:
    # Two clients, as two processes would have: together they still get `rate`.
    one = redis.asyncio.Redis.from_url(redis_url)
    two = redis.asyncio.Redis.from_url(redis_url)
    try:
        first = RedisPacer(one, key="shared", rate=20.0)
        second = RedisPacer(two, key="shared", rate=20.0)
        started = time.monotonic()
        await asyncio.gather(*(p.acquire() for p in (first, second) for _ in range(10)))
        assert time.monotonic() - started >= 0.9  # 20 slots at 20/s: the last at 0.95 s
        separate = RedisPacer(one, key="other-account", rate=20.0)
        began = time.monotonic()
        await separate.acquire()
        assert time.monotonic() - began < 0.1  # another key, another schedule
    finally:
        await one.aclose()
        await two.aclose()


async def test_a_process_that_wakes_late_for_its_slot_takes_the_next_free_one(
    redis_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pacer = RedisPacer(redis_client, key="late", rate=9.8)
    assert pacer.lateness(9.8) == pytest.approx((10 / 9.8 - 1) / 2)  # 10 ms of 20 of slack
    loop = asyncio.get_running_loop()
    await pacer.acquire()  # slot 0, now
    started = loop.time()
    # The event loop is held up from 50 ms to 200 ms: the slot at 102 ms is missed.
    loop.call_later(0.05, time.sleep, 0.15)
    with caplog.at_level("DEBUG", logger="insightly_async"):
        await pacer.acquire()
    went = loop.time() - started
    # Not at 200 ms in the slot of 102 ms, where it would share a second with 10 more of
    # the fleet's slots, but in the next free one, 204 ms.
    assert went >= 0.2 - 0.002, went
    assert "late for a slot of the fleet: reserving another" in caplog.text
    other = RedisPacer(redis_client, key="late", rate=9.8)
    await other.acquire()
    assert loop.time() - started >= 0.3  # the missed slot was spent, not handed out again


class _SlowReplies:
    """A Redis client whose script replies can be held up on their way back."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.delays: list[float] = []  # the next replies' delays, in seconds

    def register_script(self, source: str) -> Any:
        script = self._client.register_script(source)

        async def run(**kwargs: Any) -> Any:
            reply = await script(**kwargs)
            if self.delays:
                await asyncio.sleep(self.delays.pop(0))
            return reply

        return run


async def test_a_reply_slow_to_arrive_does_not_move_the_slot_later(redis_client: Any) -> None:
    # The slot is a moment on Redis's clock: a process whose reply arrived 60 ms late
    # still sends at its slot, not 60 ms after it (into a second with 10 more slots).
    slow = _SlowReplies(redis_client)
    pacer = RedisPacer(slow, key="slow-reply", rate=9.8)
    loop = asyncio.get_running_loop()
    await pacer.acquire()  # slot 0, now
    started = loop.time()
    slow.delays = [0.06]
    await pacer.acquire()
    went = loop.time() - started
    assert 0.102 - 0.005 <= went < 0.102 + 0.03, went


async def test_a_reply_that_arrives_after_its_slot_gives_the_slot_up(
    redis_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    slow = _SlowReplies(redis_client)
    pacer = RedisPacer(slow, key="late-reply", rate=9.8)
    loop = asyncio.get_running_loop()
    await pacer.acquire()
    started = loop.time()
    slow.delays = [0.15]  # the slot at 102 ms is past when its reply comes
    with caplog.at_level("DEBUG", logger="insightly_async"):
        await pacer.acquire()
    went = loop.time() - started
    assert went >= 0.204 - 0.005, went  # the next free slot, not the missed one
    assert "late for a slot of the fleet: reserving another" in caplog.text


def test_the_clock_offset_trusts_its_tightest_round_trip_and_follows_a_stepped_clock() -> None:
    epoch = 1_800_000_000_000_000  # Redis's clock, microseconds, when ours reads 10 s
    offset = _Offset()
    # A 200 µs round trip: Redis read its clock halfway, at our 10.0001 s.
    assert offset.local(epoch + 50_000, epoch + 100, 10.0, 10.0002) == pytest.approx(10.05)
    # A 60 ms round trip whose clock reading came early: it does not move the offset.
    due = offset.local(epoch + 1_150_000, epoch + 1_000_000, 11.0, 11.06)
    assert due == pytest.approx(11.15, abs=1e-4)
    # Redis's clock stepped 5 s forward: a tight round trip that contradicts the old
    # offset replaces it at once.
    stepped = epoch + 5_000_000 + 2_000_000
    assert offset.local(stepped + 100_000, stepped, 12.0, 12.0002) == pytest.approx(12.1001)


async def test_a_process_on_time_keeps_its_slot(redis_client: Any) -> None:
    pacer = RedisPacer(redis_client, key="on-time", rate=9.8)
    loop = asyncio.get_running_loop()
    await pacer.acquire()
    started = loop.time()
    await pacer.acquire()
    assert loop.time() - started < 0.102 + 0.05  # its own slot, with no re-reservation


@pytest.mark.realtime
async def test_sessions_in_separate_processes_worth_stay_under_the_ceiling(
    redis_url: str,
) -> None:
    async with FakeInsightly(seed=3, rate_limit=20) as fake:
        ids = fake.seed({"contacts": 5})["contacts"]
        clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(3)]
        try:
            pacers = [RedisPacer(c, key="acct-429", rate=19.6) for c in clients]
            sessions = [
                InsightlySession(api_key=fake.api_key, base_url=fake.base_url, limiter=p)
                for p in pacers
            ]

            async def hammer(crm: InsightlySession) -> None:
                await asyncio.gather(*(crm.contacts.get(ids[i % 5]) for i in range(30)))

            await asyncio.gather(*(hammer(s) for s in sessions))
            for session in sessions:
                await session.aclose()
        finally:
            for client in clients:
                await client.aclose()
        assert fake.log.status_counts() == {200: 90}  # no 429 at all
        assert fake.log.max_in_window(1.0) <= 20
        assert fake.log.rate() >= 17.0


async def test_bad_options_are_refused(redis_client: Any) -> None:
    with pytest.raises(ValidationError, match="key"):
        RedisPacer(redis_client, key="")
    with pytest.raises(ValidationError, match="rate"):
        RedisPacer(redis_client, rate=0)
    assert "acct" in repr(RedisPacer(redis_client, key="acct"))
