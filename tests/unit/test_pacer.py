"""The pacer: even spacing under the ceiling, no bursts, and the adaptive rate (AIMD).

Spacing is measured on an event loop whose clock is virtual: timers fire in order and
time jumps straight to the next one, so the timings are exact and independent of the
machine's load. The adaptive part takes an injected clock. One short real-time test checks
that the pacer really waits on an ordinary loop.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import selectors
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from insightly_async import ValidationError
from insightly_async.limits import DEFAULT_RATE, Pacer, RateLimiter, SendWindow

T = TypeVar("T")
EPS = 1e-6


class _VirtualSelector(selectors.SelectSelector):
    """Never blocks: a wait for ``timeout`` seconds moves the virtual clock instead.

    Every pass of the loop also takes a nanosecond, as on a real machine, so a timer
    rounded to the current instant cannot spin forever without time moving.
    """

    TICK = 1e-9

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        self.now += self.TICK
        if not ready:
            if timeout is None:
                raise RuntimeError("deadlock: the loop would wait forever")
            self.now += timeout
        return ready


class _VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._virtual = _VirtualSelector()
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


def run_virtual(main: Callable[[asyncio.AbstractEventLoop], Coroutine[Any, Any, T]]) -> T:
    """Run ``main(loop)`` on a fresh event loop with a virtual clock starting at 0."""
    loop = _VirtualClockLoop()
    try:
        return loop.run_until_complete(main(loop))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def acquire_all(pacer: Pacer, count: int, loop: asyncio.AbstractEventLoop) -> list[float]:
    """``count`` tasks acquire at once; the loop times at which each got through, sorted."""
    stamps: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        stamps.append(loop.time())

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(stamps)


def near(expected: float | list[float]) -> Any:
    return pytest.approx(expected, abs=EPS)


def most_in_any_window(stamps: list[float], window: float = 1.0) -> int:
    """The most stamps in any half-open window ``[t, t + window)``."""
    best = 0
    for i, start in enumerate(stamps):
        inside = sum(1 for s in stamps[i:] if s < start + window - EPS)
        best = max(best, inside)
    return best


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------------------
# Spacing


def test_requests_are_spaced_evenly_at_the_rate() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        # The window (10 in any 1.02 s by default) would cap 10/s at 9.8/s: spacing alone.
        return await acquire_all(Pacer(10, window=SendWindow(margin=0)), 30, loop)

    stamps = run_virtual(main)
    assert stamps[0] == near(0.0)  # the first request does not wait
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.1 - EPS
    # ...and no slower than the rate either: 30 requests take 29 intervals.
    assert stamps[-1] == near(2.9)


def test_never_more_than_rate_requests_in_any_one_second_window() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        return await acquire_all(Pacer(10), 45, loop)

    assert most_in_any_window(run_virtual(main)) <= 10


def test_the_default_rate_stays_under_ten_and_sustains_at_least_nine_per_second() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        return await acquire_all(Pacer(), 100, loop)

    stamps = run_virtual(main)
    assert most_in_any_window(stamps) <= 10
    assert (len(stamps) - 1) / (stamps[-1] - stamps[0]) >= 9.0
    assert 9.0 <= DEFAULT_RATE <= 10.0


def test_no_burst_after_an_idle_period() -> None:
    """A capacity-10 bucket would let 10 through at once after a pause; the pacer does not."""

    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        pacer = Pacer(10)
        await pacer.acquire()
        await asyncio.sleep(5.0)
        return await acquire_all(pacer, 10, loop)

    stamps = run_virtual(main)
    assert stamps[0] == near(5.0)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.1 - EPS
    assert most_in_any_window(stamps) <= 10


def test_a_slower_rate_spaces_further() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        return await acquire_all(Pacer(2.5, min_rate=0.5), 6, loop)

    stamps = run_virtual(main)
    assert stamps == near([0.0, 0.4, 0.8, 1.2, 1.6, 2.0])


def test_a_cancelled_waiter_does_not_hold_up_the_others() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        pacer = Pacer(10)
        await pacer.acquire()
        doomed = asyncio.ensure_future(pacer.acquire())
        await asyncio.sleep(0)
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
        return await acquire_all(pacer, 3, loop)

    stamps = run_virtual(main)
    assert stamps[0] == near(0.1)
    assert stamps[-1] == near(0.3)


@pytest.mark.realtime
async def test_the_pacer_really_waits_on_an_ordinary_loop() -> None:
    pacer = Pacer(20)
    start = time.monotonic()
    for _ in range(6):
        await pacer.acquire()
    elapsed = time.monotonic() - start
    assert elapsed >= 5 / 20 - 0.01
    assert elapsed < 5.0


def test_the_pacer_satisfies_the_rate_limiter_protocol() -> None:
    assert isinstance(Pacer(), RateLimiter)


# ---------------------------------------------------------------------------------------
# A rate change reaches the tasks already waiting


def test_a_slow_down_applies_to_a_task_already_waiting() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> float:
        pacer = Pacer(10, clock=loop.time)
        await pacer.acquire()  # t = 0; the next slot would be at 0.1
        waiting = asyncio.ensure_future(pacer.acquire())
        await asyncio.sleep(0.02)
        pacer.on_throttled()
        assert pacer.rate == 5.0
        await waiting
        return loop.time()

    woke = run_virtual(main)
    # Later than the 0.1 s slot of the old rate, and no later than a full interval at the
    # new rate (0.2 s) after the previous request.
    assert 0.1 + 0.01 < woke <= 0.2 + EPS


def test_a_cancellation_that_comes_as_the_rate_changes_is_not_lost() -> None:
    # Ctrl-C cancels the task waiting for its slot in the same moment as a 429 elsewhere
    # changes the rate: the task must end cancelled, not go on to send its request.
    async def main(loop: asyncio.AbstractEventLoop) -> bool:
        pacer = Pacer(10, clock=loop.time)
        await pacer.acquire()
        waiting = asyncio.ensure_future(pacer.acquire())
        await asyncio.sleep(0.02)
        pacer.on_throttled()  # wakes the waiting task to recompute its slot...
        waiting.cancel()  # ...and the cancellation arrives before it runs
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return waiting.cancelled()

    assert run_virtual(main)


def test_a_cancellation_that_comes_as_the_window_makes_room_is_not_lost() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> bool:
        window = SendWindow(limit=1, period=1.0, margin=0.0)
        permit = await window.enter()  # the window is full for a second
        waiting = asyncio.ensure_future(window.enter())
        await asyncio.sleep(0.02)
        permit.finished(sent=False)  # room again, waking the waiting task...
        waiting.cancel()  # ...as it is cancelled
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return waiting.cancelled()

    assert run_virtual(main)


def test_every_task_waiting_for_the_window_gets_in() -> None:
    # Several tasks wait on one window (a fleet's pacer enters it without a lock): each
    # must be woken when room appears, none left waiting on a window with room.
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        window = SendWindow(limit=1, period=1.0, margin=0.0)
        permit = await window.enter()
        permit.sending()  # in transit: no room until it is over
        stamps: list[float] = []

        async def one() -> None:
            await window.enter()
            stamps.append(loop.time())

        waiting = [asyncio.ensure_future(one()) for _ in range(2)]
        await asyncio.sleep(0.1)
        permit.finished(sent=False)  # it never left: room for one now, one a second later
        await asyncio.gather(*waiting)
        return stamps

    assert run_virtual(main) == near([0.1, 1.1])


def test_a_speed_up_applies_to_a_task_already_waiting() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> float:
        pacer = Pacer(
            10, min_rate=1, decrease=0.1, recovery_step=9, recovery_interval=0.0, clock=loop.time
        )
        pacer.on_throttled()
        assert pacer.rate == pytest.approx(1.0)
        await pacer.acquire()  # t = 0; at 1 per second the next slot would be at 1.0
        waiting = asyncio.ensure_future(pacer.acquire())
        await asyncio.sleep(0.05)
        pacer.on_success()
        assert pacer.rate == pytest.approx(10.0)
        await waiting
        return loop.time()

    woke = run_virtual(main)
    # Never sooner than 1/10 s after the previous request, and no later than one new
    # interval after the change: certainly not the 1.0 s the old rate would have taken.
    assert 0.1 - EPS <= woke <= 0.05 + 0.1 + EPS


def test_spacing_follows_the_adapted_rate() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> list[float]:
        pacer = Pacer(10, clock=loop.time)
        await acquire_all(pacer, 3, loop)
        pacer.on_throttled()
        await asyncio.sleep(1.0)
        return await acquire_all(pacer, 5, loop)

    stamps = run_virtual(main)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert gaps == near([0.2] * 4)


# ---------------------------------------------------------------------------------------
# The adaptive rate, on an injected clock


async def test_a_per_second_429_halves_the_rate() -> None:
    clock = Clock()
    pacer = Pacer(10, clock=clock)
    assert pacer.rate == 10.0
    pacer.on_throttled()
    assert pacer.rate == 5.0
    assert pacer.max_rate == 10.0


async def test_stragglers_within_the_cooldown_do_not_slow_it_down_again() -> None:
    clock = Clock()
    pacer = Pacer(10, cooldown=1.0, clock=clock)
    pacer.on_throttled()
    for offset in (0.0, 0.1, 0.5, 0.99):
        clock.now = 100.0 + offset
        pacer.on_throttled()
        assert pacer.rate == 5.0
    clock.now = 101.0
    pacer.on_throttled()
    assert pacer.rate == 2.5


async def test_the_rate_never_drops_below_min_rate() -> None:
    clock = Clock()
    pacer = Pacer(10, min_rate=1.5, cooldown=1.0, clock=clock)
    for _ in range(20):
        pacer.on_throttled()
        clock.now += 1.0
        assert pacer.rate >= 1.5
    assert pacer.rate == 1.5


async def test_the_rate_climbs_back_by_steps_after_each_interval() -> None:
    clock = Clock()
    pacer = Pacer(10, recovery_step=0.5, recovery_interval=1.0, clock=clock)
    pacer.on_throttled()
    assert pacer.rate == 5.0
    clock.now = 100.5
    pacer.on_success()
    assert pacer.rate == 5.0  # too soon after the slow-down
    clock.now = 101.0
    pacer.on_success()
    assert pacer.rate == 5.5
    pacer.on_success()
    assert pacer.rate == 5.5  # one step per interval, however many successes
    clock.now = 101.7
    pacer.on_success()
    assert pacer.rate == 5.5
    clock.now = 102.0
    pacer.on_success()
    assert pacer.rate == 6.0


async def test_by_default_the_full_rate_is_back_within_five_seconds_of_an_isolated_429() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock)
    pacer.on_throttled()
    assert pacer.rate == pytest.approx(DEFAULT_RATE / 2)
    while pacer.rate < DEFAULT_RATE:
        clock.now += 0.1  # a success every tenth of a second
        pacer.on_success()
        assert clock.now - 100.0 <= 5.0
    assert pacer.rate == DEFAULT_RATE


async def test_the_rate_never_climbs_above_the_configured_rate() -> None:
    clock = Clock()
    pacer = Pacer(10, recovery_step=3.0, recovery_interval=1.0, clock=clock)
    pacer.on_throttled()
    rates = []
    for _ in range(6):
        clock.now += 1.0
        pacer.on_success()
        rates.append(pacer.rate)
    assert rates == [8.0, 10.0, 10.0, 10.0, 10.0, 10.0]


async def test_successes_at_full_rate_change_nothing() -> None:
    clock = Clock()
    pacer = Pacer(9.8, clock=clock)
    for _ in range(5):
        clock.now += 10.0
        pacer.on_success()
    assert pacer.rate == 9.8
    # ...and the first 429 still slows it down at once.
    pacer.on_throttled()
    assert pacer.rate == pytest.approx(4.9)


async def test_a_429_after_a_recovery_step_slows_it_down() -> None:
    clock = Clock()
    pacer = Pacer(10, cooldown=1.0, recovery_step=0.5, recovery_interval=1.0, clock=clock)
    pacer.on_throttled()  # t = 100: 10 -> 5
    clock.now = 101.0
    pacer.on_success()  # t = 101: 5 -> 5.5
    assert pacer.rate == 5.5
    clock.now = 101.5  # 1.5 s after the slow-down: no straggler of that burst
    pacer.on_throttled()
    assert pacer.rate < 5.0


# ---------------------------------------------------------------------------------------
# Configuration


@pytest.mark.parametrize("rate", [0, -1, 0.0, True, "10", None, math.nan])
def test_rate_must_be_a_positive_number(rate: object) -> None:
    with pytest.raises(ValidationError) as info:
        Pacer(rate)  # type: ignore[arg-type]
    assert info.value.field == "rate"


def test_an_infinite_rate_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        Pacer(math.inf)
    assert info.value.field == "rate"


@pytest.mark.parametrize("min_rate", [0, -1, 10.5])
def test_min_rate_must_be_between_zero_and_the_rate(min_rate: float) -> None:
    with pytest.raises(ValidationError) as info:
        Pacer(10, min_rate=min_rate)
    assert info.value.field == "min_rate"


@pytest.mark.parametrize("decrease", [0, 1, 1.5, -0.5])
def test_decrease_must_be_a_fraction(decrease: float) -> None:
    with pytest.raises(ValidationError) as info:
        Pacer(10, decrease=decrease)
    assert info.value.field == "decrease"


def test_a_negative_recovery_step_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        Pacer(10, min_rate=2, recovery_step=-3)
    assert info.value.field == "recovery_step"


def test_repr_shows_the_rates() -> None:
    text = repr(Pacer(8))
    assert "8.00" in text


# ---------------------------------------------------------------------------------------
# The window of real send times


def test_a_request_held_up_after_its_release_counts_from_its_send() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> float:
        window = SendWindow(limit=3, period=1.0, margin=0.0)
        held = [await window.enter() for _ in range(3)]
        await asyncio.sleep(5.0)  # released long ago, still not sent (waiting on something)
        for permit in held:
            permit.sending()
            permit.written(new_connection=False)
        started = loop.time()
        await window.enter()  # three were just written: the fourth waits out the second
        return loop.time() - started

    assert run_virtual(main) == near(1.0)


def test_a_request_on_a_new_connection_counts_until_its_answer() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> float:
        window = SendWindow(limit=1, period=1.0, margin=0.0)
        permit = await window.enter()
        permit.sending()
        permit.written(new_connection=True)  # the server may see it only later

        async def answered() -> None:
            await asyncio.sleep(3.0)
            permit.finished(sent=True)

        answer = asyncio.ensure_future(answered())
        started = loop.time()
        await window.enter()  # one second after the answer, not after the write
        await answer
        return loop.time() - started

    assert run_virtual(main) == near(4.0)


def test_a_request_that_never_left_frees_its_place_at_once() -> None:
    async def main(loop: asyncio.AbstractEventLoop) -> float:
        window = SendWindow(limit=1, period=1.0, margin=0.0)
        permit = await window.enter()
        permit.sending()
        permit.finished(sent=False)  # the connection was refused: nothing reached the server
        started = loop.time()
        await window.enter()
        return loop.time() - started

    assert run_virtual(main) == near(0.0)
