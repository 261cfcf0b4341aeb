"""The daily allowance gate: reporting, requests in flight, the reserve, and a spent day."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async import QuotaExhaustedError, ValidationError
from insightly_async.quota import Quota

RECHECK = 300.0


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def reported(limit: int | None = None, remaining: int | None = None) -> CIMultiDictProxy[str]:
    raw: CIMultiDict[str] = CIMultiDict({"Content-Type": "application/json"})
    if limit is not None:
        raw["X-RateLimit-Limit"] = str(limit)
    if remaining is not None:
        raw["x-ratelimit-remaining"] = str(remaining)
    return CIMultiDictProxy(raw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make(clock: Clock, reserve: int = 0) -> Quota:
    return Quota(reserve=reserve, recheck_after=RECHECK, clock=clock)


def answered(quota: Quota, status: int, limit: int | None, remaining: int | None) -> None:
    """One request through the gate, answered with the given allowance headers."""
    quota.begin()
    quota.end(status, reported(limit, remaining))


def begins_allowed(quota: Quota, most: int = 10_000) -> int:
    """How many more requests the gate lets start before it refuses one."""
    started = 0
    while started < most:
        try:
            quota.begin()
        except QuotaExhaustedError:
            return started
        started += 1
    return started


# ---------------------------------------------------------------------------------------
# What the API reported


def test_nothing_is_known_before_the_first_response(clock: Clock) -> None:
    quota = make(clock, reserve=100)
    assert quota.limit is None
    assert quota.remaining is None
    assert quota.updated_at is None
    assert quota.in_flight == 0
    assert not quota.exhausted
    # With nothing known, the first request must go (it is how the allowance is learnt).
    quota.check()
    quota.begin()
    assert quota.in_flight == 1


def test_every_response_updates_the_allowance(clock: Clock) -> None:
    quota = make(clock)
    before = datetime.now(timezone.utc)
    answered(quota, 200, 100_000, 99_986)
    assert (quota.limit, quota.remaining) == (100_000, 99_986)
    assert quota.updated_at is not None
    assert quota.updated_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= quota.updated_at <= datetime.now(timezone.utc)
    answered(quota, 404, 100_000, 99_985)  # error answers count too
    assert quota.remaining == 99_985
    assert quota.in_flight == 0


def test_a_response_without_the_headers_changes_nothing(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 500)
    stamp = quota.updated_at
    answered(quota, 200, None, None)
    assert (quota.limit, quota.remaining, quota.updated_at) == (1000, 500, stamp)


def test_one_header_alone_updates_only_its_value(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 500)
    answered(quota, 200, None, 499)
    assert (quota.limit, quota.remaining) == (1000, 499)
    answered(quota, 200, 5000, None)
    assert (quota.limit, quota.remaining) == (5000, 499)


def test_garbled_headers_are_ignored(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 500)
    quota.begin()
    quota.end(200, CIMultiDictProxy(CIMultiDict({"X-RateLimit-Remaining": "lots"})))
    assert quota.remaining == 500


def test_a_request_without_an_answer_still_leaves_the_in_flight_count(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 500)
    quota.begin()
    quota.begin()
    assert quota.in_flight == 2
    quota.end(None, None)  # the connection dropped
    assert quota.in_flight == 1
    assert quota.remaining == 500


# ---------------------------------------------------------------------------------------
# Requests in flight and the reserve


def test_requests_in_flight_count_against_the_allowance(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 3)
    assert begins_allowed(quota) == 3
    with pytest.raises(QuotaExhaustedError) as info:
        quota.check()
    assert info.value.limit == 1000
    assert info.value.remaining == 3
    # Answers come back: each used one call, and the server says so.
    quota.end(200, reported(1000, 2))
    quota.end(200, reported(1000, 1))
    quota.end(200, reported(1000, 0))
    assert quota.in_flight == 0
    with pytest.raises(QuotaExhaustedError):
        quota.begin()


def test_the_last_call_of_the_day_answered_200_closes_the_gate(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 0)
    assert not quota.exhausted  # no 429 seen...
    with pytest.raises(QuotaExhaustedError):
        quota.begin()  # ...but nothing is left to spend
    assert quota.in_flight == 0


def test_the_reserve_is_left_for_others(clock: Clock) -> None:
    quota = make(clock, reserve=5)
    answered(quota, 200, 1000, 10)
    assert begins_allowed(quota) == 5
    with pytest.raises(QuotaExhaustedError) as info:
        quota.check()
    assert info.value.reserve == 5
    assert info.value.remaining == 10
    assert quota.in_flight == 5


def test_a_refused_request_is_not_counted_in_flight(clock: Clock) -> None:
    quota = make(clock, reserve=5)
    answered(quota, 200, 1000, 5)
    with pytest.raises(QuotaExhaustedError):
        quota.begin()
    assert quota.in_flight == 0


def test_the_gate_opens_again_when_the_allowance_is_reported_back(clock: Clock) -> None:
    quota = make(clock, reserve=5)
    answered(quota, 200, 1000, 5)
    with pytest.raises(QuotaExhaustedError):
        quota.check()
    quota.end(200, reported(1000, 50))  # e.g. an answer to a request of another session
    quota.check()


def test_a_per_second_429_does_not_touch_the_daily_gate(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 429, 1000, 250)
    assert not quota.exhausted
    assert quota.remaining == 250
    quota.check()


@pytest.mark.parametrize("reserve", [-1, True, 1.5, "3", None])
def test_the_reserve_must_be_a_non_negative_int(reserve: object) -> None:
    with pytest.raises(ValidationError) as info:
        Quota(reserve=reserve)  # type: ignore[arg-type]
    assert info.value.field == "quota_reserve"


# ---------------------------------------------------------------------------------------
# A spent day: 429 with X-RateLimit-Remaining: 0


def test_a_daily_quota_429_stops_everything_until_the_recheck(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 200, 1000, 500)  # another party then spends the rest
    answered(quota, 429, 1000, 0)
    assert quota.exhausted
    with pytest.raises(QuotaExhaustedError) as info:
        quota.begin()
    assert info.value.remaining == 0
    assert info.value.limit == 1000
    assert quota.in_flight == 0
    clock.advance(RECHECK - 1)
    assert quota.exhausted
    with pytest.raises(QuotaExhaustedError):
        quota.check()


def test_after_the_recheck_delay_exactly_one_request_may_find_out(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 429, 1000, 0)
    clock.advance(RECHECK)
    assert not quota.exhausted
    quota.begin()
    with pytest.raises(QuotaExhaustedError):
        quota.begin()  # only one probe at a time
    assert quota.in_flight == 1


def test_a_probe_that_finds_the_allowance_back_reopens_the_gate(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 429, 1000, 0)
    clock.advance(RECHECK + 1)
    answered(quota, 200, 1000, 40)
    assert not quota.exhausted
    assert quota.remaining == 40
    assert begins_allowed(quota) == 40


def test_a_probe_that_is_refused_again_waits_another_full_delay(clock: Clock) -> None:
    quota = make(clock)
    answered(quota, 429, 1000, 0)
    clock.advance(RECHECK + 1)
    answered(quota, 429, 1000, 0)
    assert quota.exhausted
    clock.advance(RECHECK - 1)
    with pytest.raises(QuotaExhaustedError):
        quota.check()
    clock.advance(1)
    quota.check()
