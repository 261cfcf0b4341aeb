"""Rate limits: the strict per-second window, the daily allowance, the concurrency cap."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from fake_support import Api, MonoClock, Reply, StartFake, api_for

from insightly_async.testing import FakeInsightly

pytest_plugins = ["fake_fixtures"]


async def _burst(api: Api, count: int, path: str = "/Instance") -> list[Reply]:
    return list(await asyncio.gather(*(api.get(path) for _ in range(count))))


async def test_a_burst_of_15_admits_exactly_10(
    start_fake: StartFake, session: aiohttp.ClientSession, mono: MonoClock
) -> None:
    api = api_for(await start_fake(rate_limit=10), session)
    replies = await _burst(api, 15)
    statuses = [reply.status for reply in replies]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 5
    for reply in replies:
        if reply.status == 429:
            assert int(reply.headers["X-RateLimit-Remaining"]) > 0
            assert "Retry-After" not in reply.headers
            assert "rate limit" in reply.message
    assert api.fake.log.max_in_window(1.0) == 15
    mono.advance(0.999)
    assert (await api.get("/Instance")).status == 429
    mono.advance(0.001)
    assert [r.status for r in await _burst(api, 10)] == [200] * 10


async def test_the_window_slides(
    start_fake: StartFake, session: aiohttp.ClientSession, mono: MonoClock
) -> None:
    api = api_for(await start_fake(rate_limit=3, rate_window=1.0), session)
    for _ in range(3):
        assert (await api.get("/Instance")).status == 200
        mono.advance(0.4)
    # Arrivals at 0, 0.4, 0.8; now 1.2: the first has left the window.
    assert (await api.get("/Instance")).status == 200
    assert (await api.get("/Instance")).status == 429
    mono.advance(0.2)
    assert (await api.get("/Instance")).status == 200


@pytest.mark.parametrize(("count_rejected", "expected"), [(False, 0), (True, 1)])
async def test_rejected_requests_occupy_the_window_when_configured(
    start_fake: StartFake,
    session: aiohttp.ClientSession,
    mono: MonoClock,
    count_rejected: bool,
    expected: int,
) -> None:
    api = api_for(await start_fake(rate_limit=2, count_rejected=count_rejected), session)
    assert [r.status for r in await _burst(api, 2)] == [200, 200]
    mono.advance(0.5)
    assert (await api.get("/Instance")).status == 429
    mono.advance(0.7)
    # The admitted pair has left the window; the refusal at 0.5 counts only if configured.
    statuses = [r.status for r in await _burst(api, 2)]
    assert statuses.count(429) == expected


@pytest.mark.parametrize(
    "case",
    [(2.5, 0.0, "2.5"), (7, 0.0, "7"), ("auto", 0.0, "1"), ("auto", 0.3, "1")],
)
async def test_retry_after_modes(
    start_fake: StartFake,
    session: aiohttp.ClientSession,
    mono: MonoClock,
    case: tuple[float | str, float, str],
) -> None:
    setting, advance, expected = case
    api = api_for(await start_fake(rate_limit=1, retry_after=setting), session)
    assert (await api.get("/Instance")).status == 200
    mono.advance(advance)
    refused = await api.get("/Instance")
    assert refused.status == 429
    assert refused.headers["Retry-After"] == expected


async def test_retry_after_auto_counts_whole_seconds(
    start_fake: StartFake, session: aiohttp.ClientSession, mono: MonoClock
) -> None:
    api = api_for(await start_fake(rate_limit=1, rate_window=5.0, retry_after="auto"), session)
    await api.get("/Instance")
    mono.advance(1.5)
    assert (await api.get("/Instance")).headers["Retry-After"] == "4"


async def test_daily_allowance_headers_and_exhaustion(
    start_fake: StartFake, session: aiohttp.ClientSession, mono: MonoClock
) -> None:
    api = api_for(await start_fake(daily_limit=5, daily_window=100.0), session)
    seen = []
    for _ in range(5):
        reply = await api.get("/Instance")
        assert reply.status == 200
        assert reply.headers["X-RateLimit-Limit"] == "5"
        seen.append(int(reply.headers["X-RateLimit-Remaining"]))
        mono.advance(1)
    assert seen == [4, 3, 2, 1, 0]
    for _ in range(3):
        refused = await api.get("/Instance")
        assert refused.status == 429
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert refused.headers["X-RateLimit-Limit"] == "5"
        assert "Retry-After" not in refused.headers
    assert api.fake.remaining == 0
    # Rolling: the first unit comes back 100 s after it was spent.
    mono.advance(95)
    assert api.fake.remaining == 1
    assert (await api.get("/Instance")).headers["X-RateLimit-Remaining"] == "0"


async def test_errors_and_429s_consume_but_daily_refusals_do_not(
    start_fake: StartFake, session: aiohttp.ClientSession
) -> None:
    api = api_for(await start_fake(rate_limit=1, daily_limit=10), session)
    assert (await api.get("/Nope")).headers["X-RateLimit-Remaining"] == "9"
    refused = await api.get("/Instance")
    assert refused.status == 429
    assert refused.headers["X-RateLimit-Remaining"] == "8"
    assert api.fake.remaining == 8
    assert (await api.get("/Instance", key=api.fake.disabled_key)).status == 401
    assert api.fake.remaining == 8


async def test_set_remaining(start_fake: StartFake, session: aiohttp.ClientSession) -> None:
    api = api_for(await start_fake(daily_limit=1000), session)
    api.fake.set_remaining(3)
    assert (await api.get("/Instance")).headers["X-RateLimit-Remaining"] == "2"
    api.fake.set_remaining(0)
    refused = await api.get("/Instance")
    assert (refused.status, refused.headers["X-RateLimit-Remaining"]) == (429, "0")
    api.fake.set_remaining(1000)
    assert (await api.get("/Instance")).headers["X-RateLimit-Remaining"] == "999"
    with pytest.raises(ValueError, match="remaining"):
        api.fake.set_remaining(1001)


async def test_max_concurrency(start_fake: StartFake, session: aiohttp.ClientSession) -> None:
    # Real time: requests must overlap, so each takes 0.3 s inside the emulator.
    api = api_for(await start_fake(max_concurrency=2, latency=0.3), session)
    replies = await _burst(api, 5)
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200, 200, 429, 429, 429]
    for reply in replies:
        if reply.status == 429:
            assert int(reply.headers["X-RateLimit-Remaining"]) > 0
            assert "concurrent" in reply.message
    assert api.fake.in_flight == 0
    assert (await api.get("/Instance")).status == 200


async def test_requests_refused_for_concurrency_take_no_place_in_the_window(
    start_fake: StartFake, session: aiohttp.ClientSession
) -> None:
    api = api_for(await start_fake(rate_limit=3, max_concurrency=1, latency=0.3), session)
    statuses = sorted(reply.status for reply in await _burst(api, 3))
    assert statuses == [200, 429, 429]
    # Within the same second: one admitted so far, so two more fit under the limit of 3.
    assert [reply.status for reply in await _burst(api, 1)] == [200]


def test_options_are_checked() -> None:
    bad: dict[str, Any]
    for bad in (
        {"etag_mismatch_status": 409},
        {"put_status": 404},
        {"subcollection_put": "append"},
        {"latency": -1.0},
        {"retry_after": -2.0},
        {"max_concurrency": 0},
        {"rate_limit": 0},
        {"rate_window": 0.0},
        {"daily_limit": -1},
    ):
        with pytest.raises(ValueError):  # noqa: PT011
            FakeInsightly(**bad)


async def test_options_can_change_while_running(
    start_fake: StartFake, session: aiohttp.ClientSession, mono: MonoClock
) -> None:
    api = api_for(await start_fake(rate_limit=2, daily_limit=50), session)
    assert [r.status for r in await _burst(api, 3)].count(429) == 1
    api.fake.options.rate_limit = None
    assert [r.status for r in await _burst(api, 5)] == [200] * 5
    api.fake.options.rate_limit = 6
    # The 7 admitted arrivals at this instant fill the new window already.
    assert (await api.get("/Instance")).status == 429
    mono.advance(1)
    api.fake.options.daily_limit = 100
    assert (await api.get("/Instance")).headers["X-RateLimit-Limit"] == "100"
    with pytest.raises(ValueError, match="rate_limit"):
        api.fake.options.rate_limit = 0
    with pytest.raises(ValueError, match="put_status"):
        api.fake.options.put_status = 404
