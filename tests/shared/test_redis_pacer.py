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
    """A Redis client whose script calls can be held up on their way out or back."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.delays: list[float] = []  # the next replies' delays, in seconds
        self.outbound: list[float] = []  # the next requests' delays, in seconds

    def register_script(self, source: str) -> Any:
        script = self._client.register_script(source)

        async def run(**kwargs: Any) -> Any:
            if self.outbound:
                await asyncio.sleep(self.outbound.pop(0))
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
    started = loop.time()
    await pacer.acquire()  # slot 0, now
    slow.delays = [0.06]
    await pacer.acquire()
    went = loop.time() - started
    # Never before slot 1 (102 ms after slot 0, itself after `started`); not 60 ms late.
    assert 0.102 - 0.002 <= went < 0.102 + 0.03, went


async def test_a_reply_that_arrives_after_its_slot_gives_the_slot_up(
    redis_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    slow = _SlowReplies(redis_client)
    pacer = RedisPacer(slow, key="late-reply", rate=9.8)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await pacer.acquire()
    slow.delays = [0.15]  # the slot at 102 ms is past when its reply comes
    with caplog.at_level("DEBUG", logger="insightly_async"):
        await pacer.acquire()
    went = loop.time() - started
    assert went >= 0.204 - 0.005, went  # the next free slot, not the missed one
    assert "late for a slot of the fleet: reserving another" in caplog.text


async def test_a_process_whose_replies_are_always_slow_still_gets_its_slots(
    redis_client: Any,
) -> None:
    # Every reply takes 150 ms to come back, longer than a slot's slack: the slot is
    # reserved far enough ahead to be still to come when its reply arrives.
    slow = _SlowReplies(redis_client)
    slow.delays = [0.15] * 100
    pacer = RedisPacer(slow, key="slow-link", rate=9.8)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(4):
        await asyncio.wait_for(pacer.acquire(), timeout=5)
    assert loop.time() - started < 3.0


async def test_a_lopsided_first_round_trip_does_not_send_early(redis_url: str) -> None:
    # The first call of a new process is slow on its way out (a connection, the scripts
    # loaded): its clock reading comes late in the round trip. The process still sends
    # no earlier than its slot, one interval after the last of the fleet's before it.
    one = redis.asyncio.Redis.from_url(redis_url)
    two = redis.asyncio.Redis.from_url(redis_url)
    try:
        busy = RedisPacer(one, key="lopsided", rate=9.8)
        slow = _SlowReplies(two)
        slow.outbound = [0.04]
        late_joiner = RedisPacer(slow, key="lopsided", rate=9.8)
        loop = asyncio.get_running_loop()
        sent: dict[str, list[float]] = {"busy": [], "joiner": []}

        async def take(pacer: RedisPacer, name: str) -> None:
            await pacer.acquire()
            sent[name].append(loop.time())

        await asyncio.gather(*(take(busy, "busy") for _ in range(4)))
        await take(late_joiner, "joiner")
    finally:
        await one.aclose()
        await two.aclose()
    gap = sent["joiner"][0] - max(sent["busy"])
    assert gap >= 0.102 - 0.008, gap


def test_the_clock_offset_trusts_its_tightest_round_trip_and_follows_a_stepped_clock() -> None:
    epoch = 1_800_000_000_000_000  # Redis's clock, microseconds, when ours reads 10 s
    offset = _Offset()
    # A 200 µs round trip: Redis read its clock at some moment of it. A slot converts to
    # the latest local time the round trip allows (never early): 100 µs of doubt.
    offset.observe(epoch + 100, 10.0, 10.0002)
    assert offset.local(epoch + 50_000, 10.0002) == pytest.approx(10.0501, abs=2e-6)
    # A 60 ms round trip whose clock reading came early: it does not move the offset.
    offset.observe(epoch + 1_000_000, 11.0, 11.06)
    assert offset.local(epoch + 1_150_000, 11.06) == pytest.approx(11.1502, abs=2e-4)
    # Redis's clock stepped 5 s forward. A loose round trip (20 ms) that contradicts the
    # old offset replaces it although it is less precise.
    stepped = epoch + 5_000_000 + 2_010_000  # read 10 ms into a round trip from 12.0 s
    offset.observe(stepped, 12.0, 12.02)
    assert offset.local(stepped + 100_000, 12.02) == pytest.approx(12.12, abs=2e-4)


def test_a_slot_never_converts_to_an_earlier_local_time_than_it_may_be() -> None:
    # Whatever moment of the round trip Redis read its clock in, the converted time is
    # never before the slot's true local time.
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        offset = _Offset()
        true = 1_800_000_000_000_000 - 10_000_000  # Redis's clock minus ours, µs
        reading = true + int((10.0 + 0.04 * fraction) * 1_000_000)
        offset.observe(reading, 10.0, 10.04)
        slot = true + 10_500_000  # 10.5 s on our clock
        assert offset.local(slot, 10.04) >= 10.5 - 1e-6, fraction


async def test_a_process_on_time_keeps_its_slot(redis_client: Any) -> None:
    pacer = RedisPacer(redis_client, key="on-time", rate=9.8)
    loop = asyncio.get_running_loop()
    await pacer.acquire()
    started = loop.time()
    await pacer.acquire()
    assert loop.time() - started < 0.102 + 0.05  # its own slot, with no re-reservation


@pytest.mark.realtime
async def test_sessions_with_redis_clients_of_their_own_stay_under_the_ceiling(
    redis_url: str,
) -> None:
    # Three sessions, each with its own Redis client as separate processes would have, at
    # twice the usual scale (20 per second) so the test runs in half the time; the rate
    # keeps the fleet's 42 ms of slack per window.
    async with FakeInsightly(seed=3, rate_limit=20) as fake:
        ids = fake.seed({"contacts": 5})["contacts"]
        clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(3)]
        try:
            pacers = [RedisPacer(c, key="acct-429", rate=19.2) for c in clients]
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
