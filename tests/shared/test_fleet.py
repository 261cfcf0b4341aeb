"""One account, many processes: the quota, the slow-down and the keys shared in Redis.

Several sessions with a Redis client each stand for several processes: they share nothing
but the Redis server and the account, exactly as separate processes would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest
import redis.asyncio
from load_support import calls

from insightly_async import DEFAULT_RATE, InsightlySession, QuotaExhaustedError, ValidationError
from insightly_async.redis import FLEET_RATE, RedisPacer, account_key
from insightly_async.testing import FakeInsightly

if TYPE_CHECKING:
    from redis_fixtures import RedisServer

pytest_plugins = ["redis_fixtures"]

KEY = "fleet-test-key-0001"


@pytest.fixture
async def fleet_clients(redis_url: str) -> AsyncIterator[list[Any]]:
    """Four Redis clients, as four processes would have, on a flushed database."""
    clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(4)]
    await clients[0].flushdb()
    yield clients
    for client in clients:
        await client.aclose()


# --- keys ---------------------------------------------------------------------------------


def test_the_key_is_the_accounts_and_never_holds_the_api_key() -> None:
    root = "https://api.na1.insightly.com/v3.1"
    key = account_key(root, KEY)
    assert key == account_key(root, f" {KEY}\n")  # the key as the session reads it
    assert key.startswith("insightly_async:api.na1.insightly.com:")
    assert KEY not in key
    assert account_key(root, "another-key") != key
    assert account_key("https://api.eu1.insightly.com/v3.1", KEY) != key


async def test_two_accounts_on_one_redis_never_share_a_schedule(redis_client: Any) -> None:
    # One request every 2 s: behind the other account's request, the second would wait 2 s.
    keys = (account_key("https://a.example/v3.1", api_key) for api_key in ("k1", "k2"))
    one, two = (RedisPacer(redis_client, key=key, rate=0.5, min_rate=0.5) for key in keys)
    await one.acquire()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await two.acquire()  # its own schedule: no wait behind the other account's request
    assert loop.time() - started < 1.0


async def test_a_named_key_is_used_as_it_is(redis_url: str) -> None:
    async with FakeInsightly(seed=41, rate_limit=None) as fake:
        async with InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, redis=redis_url, redis_key="acme"
        ) as crm:
            await crm.users.me()
            assert isinstance(crm.limiter, RedisPacer)
            assert crm.limiter.key == "acme"
        client = redis.asyncio.Redis.from_url(redis_url)
        try:
            assert await client.exists("acme:quota") == 1
            names = [name.decode() async for name in client.scan_iter("*")]
        finally:
            await client.aclose()
    assert all(fake.api_key not in name for name in names)


async def test_a_fleet_keeps_more_slack_than_one_process_unless_told(redis_url: str) -> None:
    # The fleet's schedule cannot see a request that reaches the server late, so it paces
    # below one process's rate by default; a rate given to the session is taken as it is.
    async with InsightlySession(KEY, pod="na1", redis=redis_url) as crm:
        assert isinstance(crm.limiter, RedisPacer)
        assert crm.limiter.max_rate == FLEET_RATE
        assert 9.3 < FLEET_RATE < DEFAULT_RATE
        assert crm.limiter.lateness(FLEET_RATE) > crm.limiter.lateness(DEFAULT_RATE)
    async with InsightlySession(KEY, pod="na1", redis=redis_url, rate=9.8) as crm:
        assert isinstance(crm.limiter, RedisPacer)
        assert crm.limiter.max_rate == 9.8


def test_bad_fleet_options_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession(KEY, pod="na1", redis="redis://127.0.0.1:1/0", redis_policy="maybe")
    assert info.value.field == "redis_policy"
    with pytest.raises(ValidationError) as info:
        InsightlySession(KEY, pod="na1", redis="redis://127.0.0.1:1/0", redis_key="")
    assert info.value.field == "redis_key"


# --- the shared quota ------------------------------------------------------------------------


async def _spend(crm: InsightlySession, tasks: int) -> int:
    """Calls until the quota says stop; how many went through."""
    done = 0

    async def caller() -> None:
        nonlocal done
        while True:
            try:
                await crm.users.me()
            except QuotaExhaustedError:
                return
            done += 1

    await asyncio.gather(*(caller() for _ in range(tasks)))
    return done


@pytest.mark.parametrize("shared", [False, True], ids=["a quota per process", "the fleet's"])
async def test_the_fleet_stops_at_the_reserve_together(
    fleet_clients: list[Any], shared: bool
) -> None:
    reserve = 20
    async with FakeInsightly(seed=42, rate_limit=None, latency=0.02) as fake:
        fake.set_remaining(80)
        sessions = []
        for client in fleet_clients:
            fleet: dict[str, Any] = {"redis": client} if shared else {}
            sessions.append(
                InsightlySession(
                    api_key=fake.api_key,
                    base_url=fake.base_url,
                    quota_reserve=reserve,
                    rate=500.0,
                    **fleet,
                )
            )
        await sessions[0].users.me()  # the allowance is known before the fleet starts
        await asyncio.gather(*(_spend(crm, tasks=5) for crm in sessions))
        for crm in sessions:
            await crm.aclose()
        left = fake.remaining
    if shared:
        assert left >= reserve  # the fleet as a whole kept the reserve
    else:
        assert left < reserve  # each process kept it for itself: together they spent it


async def test_a_spent_allowance_stops_every_process(fleet_clients: list[Any]) -> None:
    async with FakeInsightly(seed=43, rate_limit=None) as fake:
        first, second = (
            InsightlySession(api_key=fake.api_key, base_url=fake.base_url, redis=client)
            for client in fleet_clients[:2]
        )
        await second.users.me()
        fake.set_remaining(0)
        with pytest.raises(QuotaExhaustedError):
            await first.users.me()  # the 429 that says so
        fake.log.clear()
        with pytest.raises(QuotaExhaustedError):
            await second.users.me()  # told through Redis: nothing is sent
        assert len(fake.log) == 0
        assert second.quota.remaining == 0
        for crm in (first, second):
            await crm.aclose()


# --- the shared slow-down ------------------------------------------------------------------


async def test_a_429_in_one_process_slows_them_all_and_they_recover_together(
    fleet_clients: list[Any],
) -> None:
    one, two = (
        RedisPacer(client, key="slow-down", rate=10.0, recovery_step=2.5, recovery_interval=0.2)
        for client in fleet_clients[:2]
    )
    await one.on_throttled()
    assert one.rate == 5.0
    await two.acquire()  # the next reservation of the other process reads the fleet's rate
    assert two.rate == 5.0
    await asyncio.sleep(0.25)
    await two.on_success()  # one step back up, for the fleet
    assert two.rate == 7.5
    await one.acquire()
    assert one.rate == 7.5


async def test_stragglers_of_one_burst_slow_the_fleet_down_once(fleet_clients: list[Any]) -> None:
    pacers = [RedisPacer(client, key="burst", rate=10.0, cooldown=5.0) for client in fleet_clients]
    await asyncio.gather(*(pacer.on_throttled() for pacer in pacers))
    await pacers[0].acquire()
    assert pacers[0].rate == 5.0


# --- Redis trouble --------------------------------------------------------------------------


@pytest.mark.realtime
async def test_waiting_for_a_restarted_redis_sends_nothing_meanwhile_and_no_burst_after(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="insightly_async")
    async with FakeInsightly(seed=44) as fake:
        async with InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, redis=redis_server.url
        ) as crm:
            work = asyncio.ensure_future(calls(crm, callers=10, requests=40))
            await asyncio.sleep(1.0)
            redis_server.stop()
            # The requests that had their slots reserved before go out in them; after
            # that, nothing may be sent until Redis is back.
            await asyncio.sleep(1.5)
            quiet_from = len(fake.log)
            await asyncio.sleep(1.0)
            during = len(fake.log) - quiet_from
            redis_server.start()
            await asyncio.wait_for(work, 30)
        assert fake.log.status_counts() == {200: 40}
        assert fake.log.max_in_window(1.0) <= 10
    assert during == 0
    messages = [record.getMessage() for record in caplog.records]
    assert any("Redis is unreachable" in m and "none is sent" in m for m in messages)
    assert any("Redis is back" in m for m in messages)


@pytest.mark.realtime
async def test_going_on_alone_keeps_requests_flowing_with_a_warning(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="insightly_async")
    async with FakeInsightly(seed=45) as fake:
        async with InsightlySession(
            api_key=fake.api_key,
            base_url=fake.base_url,
            redis=redis_server.url,
            redis_policy="local",
        ) as crm:
            await crm.users.me()
            redis_server.stop()
            # Redis is gone: paced in this process alone.
            await calls(crm, callers=10, requests=12)
            redis_server.start()
        assert fake.log.status_counts() == {200: 13}
        assert fake.log.max_in_window(1.0) <= 10
    assert any(
        "pacing and counting in this process alone" in r.getMessage() for r in caplog.records
    )
