"""Pacing: how fast requests may leave, shared by every task that uses a session.

Insightly allows 10 requests per second per account. A token bucket with capacity 10
(``AsyncLimiter(10, 1)``) admits 19 in one second: ten at once, then one every 100 ms.
The :class:`Pacer` instead spaces requests evenly on a fixed grid ``1 / rate`` apart, so
no window of one second ever holds more than ``rate`` of them, and even spacing survives
network jitter far better than bursts do.

Spacing alone holds when requests are released, but the server counts them when they
arrive, and a request that must first open a connection (a TCP and TLS handshake) arrives
later than one sent on a warm connection: released 100 ms apart, the two can arrive 20 ms
apart. So the pacer also keeps a :class:`SendWindow` of the last requests, counted when
they were really written: no request is released while ten others may have reached the
server within the last second. A request written on a new connection counts from the
moment it was written until its answer came back, since the server may have seen it at
any time in between.

It also adapts: a per-second 429 means someone else shares the account (another process,
a browser integration) or the real ceiling is lower than documented, so the pacer halves
its rate at once and climbs back by small steps while requests succeed.

Anything with ``acquire``, ``on_throttled`` and ``on_success`` can replace it (see
:class:`RateLimiter`), e.g. :class:`insightly_async.redis.RedisPacer` when several
processes or hosts share one account.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Final, Protocol, runtime_checkable

from insightly_async._exceptions import ValidationError

__all__ = ["DEFAULT_RATE", "Pacer", "Permit", "RateLimiter", "SendWindow"]

# The documented ceiling is 10 per second. 9.8 leaves about 20 ms of slack per second for
# timer and network jitter, so the server never counts 11 in a window, while the pacer's
# timer lateness (about 1 ms per request) still leaves more than 9.5 per second sustained.
# Measured in benchmarks/bench_pacing.py; see the README.
DEFAULT_RATE = 9.8
# The server's window: this many requests in any this many seconds.
WINDOW_LIMIT: Final = 10
WINDOW_PERIOD: Final = 1.0
# Added to the window's period: the spread of the one-way network delay that a request
# may suffer after it was written (it arrives that much later than its neighbours).
WINDOW_MARGIN: Final = 0.02


@runtime_checkable
class RateLimiter(Protocol):
    """What the request funnel needs from a pacer.

    ``acquire`` is awaited once before every attempt (retries included); the funnel then
    reports how the attempt went.
    """

    async def acquire(self) -> Permit | None:
        """Return when the next request may be sent.

        A pacer that keeps a window of real send times returns the request's
        :class:`Permit`, which the funnel tells when the request was written and when its
        attempt ended; others return ``None``.

        Returns:
            The request's permit, or ``None``.
        """

    def on_throttled(self) -> Awaitable[None] | None:
        """The server answered 429 for the per-second limit (may be a coroutine).

        Returns:
            ``None``, or an awaitable the funnel awaits (a shared pacer's round trip).
        """

    def on_success(self) -> Awaitable[None] | None:
        """The server answered without throttling (may be a coroutine).

        Returns:
            ``None``, or an awaitable the funnel awaits.
        """


class Permit:
    """One request's place in a :class:`SendWindow`.

    Straight from :meth:`SendWindow.enter` it counts as written when it was released (a
    caller that reports nothing gets plain release-time accounting). The request funnel
    reports what really happens: :meth:`sending` (in transit: counts until it is written
    or over), :meth:`written` and :meth:`finished`.

    Args:
        window: The window it counts in.
        now: The release time, on the window's clock.
    """

    __slots__ = ("_expires", "_open", "_window")

    def __init__(self, window: SendWindow, now: float) -> None:
        self._window = window
        self._open = False  # counts until further notice
        self._expires = now + window.span

    def sending(self) -> None:
        """The request is handed to the transport: it may reach the server at any moment."""
        self._open = True
        self._window.count(self)

    def written(self, *, new_connection: bool) -> None:
        """The request's headers were written.

        On a warm connection it reaches the server now; on a new one the server may count
        it later, so it stays counted until :meth:`finished`.

        Args:
            new_connection: Whether the request opened its connection.
        """
        if not new_connection:
            self._open = False
            self._expires = self._window.now() + self._window.span
        self._window.count(self)

    def finished(self, *, sent: bool) -> None:
        """The attempt ended: answered, or failed.

        Args:
            sent: Whether the request left (``False``: it is no longer counted).
        """
        if not sent:
            self._window.forget(self)
            return
        if self._open:
            # It reached the server no later than now.
            self._open = False
            self._expires = self._window.now() + self._window.span
        self._window.count(self)


class SendWindow:
    """At most ``limit`` requests in any ``period`` seconds, counted as the server sees them.

    Args:
        limit: Requests the server admits per window.
        period: The window, in seconds.
        margin: Added to the period for the spread of network delays after a write.
        clock: Seconds, monotonic (default: the running event loop's clock).
    """

    def __init__(
        self,
        limit: int = WINDOW_LIMIT,
        period: float = WINDOW_PERIOD,
        margin: float = WINDOW_MARGIN,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValidationError("limit", f"must be an int >= 1, got {limit!r}")
        _positive("period", period)
        if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin >= 0):
            raise ValidationError("margin", f"must be a finite number >= 0, got {margin!r}")
        self.limit = limit
        self.span = float(period) + float(margin)
        self._clock = clock
        self._permits: list[Permit] = []
        self._waiting: set[asyncio.Event] = set()  # one per task waiting for room

    def now(self) -> float:
        """The window's clock.

        Returns:
            Seconds, monotonic: ``clock()``, or the running loop's time.
        """
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def count(self, permit: Permit) -> None:
        """Count ``permit`` with what it says now.

        Again, if it had aged out meanwhile: a request held up between its release and
        its send counts from its send.

        Args:
            permit: A permit of this window.
        """
        if permit not in self._permits:
            self._permits.append(permit)
        self._changed()

    def forget(self, permit: Permit) -> None:
        """Stop counting ``permit``: its request never left.

        Args:
            permit: A permit of this window.
        """
        if permit in self._permits:
            self._permits.remove(permit)
        self._changed()

    def _changed(self) -> None:
        for event in self._waiting:
            event.set()

    def wait_time(self) -> float | None:
        """How long until one more request may go.

        Returns:
            Seconds (``0.0``: now), or ``None`` while only a request in transit can make
            room.
        """
        now = self.now()
        self._permits = [p for p in self._permits if p._open or p._expires > now]
        counted = len(self._permits)
        if counted < self.limit:
            return 0.0
        ending = sorted(p._expires for p in self._permits if not p._open)
        # Room for one more once all but limit - 1 of them have aged out.
        needed = counted - (self.limit - 1)
        if needed > len(ending):
            return None
        return max(0.0, ending[needed - 1] - now)

    async def enter(self) -> Permit:
        """Wait until one more request may reach the server, and count it.

        Returns:
            The request's permit, counted from now.
        """
        while True:
            delay = self.wait_time()
            if delay == 0.0:
                permit = Permit(self, self.now())
                self._permits.append(permit)
                return permit
            change = asyncio.Event()
            self._waiting.add(change)
            try:
                await _wait_at_most(change, delay)
            finally:
                self._waiting.discard(change)

    def __len__(self) -> int:
        self.wait_time()
        return len(self._permits)


async def _wait_at_most(event: asyncio.Event, timeout: float | None) -> None:
    """Wait until ``event`` is set, or ``timeout`` seconds (``None``: no limit) have passed.

    Not ``asyncio.wait_for(event.wait(), timeout)``: before Python 3.12 that swallows a
    cancellation which arrives as the event is set, and a Ctrl-C at that moment would
    be lost (the request would go out instead).

    Args:
        event: What to wait for; set by the timer when the time is up.
        timeout: Seconds, or ``None`` to wait for the event alone.
    """
    timer = None if timeout is None else asyncio.get_running_loop().call_later(timeout, event.set)
    try:
        await event.wait()
    finally:
        if timer is not None:
            timer.cancel()


def _positive(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not value > 0
    ):
        raise ValidationError(name, f"must be a positive finite number, got {value!r}")


class Pacer:
    """Even spacing at ``rate`` requests per second, slowing down on 429 (AIMD).

    Args:
        rate: Requests per second when nothing is throttled.
        min_rate: The floor for the adaptive slow-down.
        decrease: Factor applied to the rate on a per-second 429.
        cooldown: Seconds after a slow-down during which further 429s (stragglers of the
            same burst) do not slow it down again.
        recovery_step: Requests per second added back after each ``recovery_interval``
            of successes (by default, full rate again 2.5 s after an isolated 429).
        recovery_interval: Seconds between two steps back up.
        clock: Monotonic clock for the adaptive part (injectable for tests).
        window: The window of real send times (default: ``ceil(rate)`` in any 1.02 s,
            so 10 at the default rate).
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        min_rate: float = 0.5,
        decrease: float = 0.5,
        cooldown: float = 1.0,
        recovery_step: float = 1.0,
        recovery_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        window: SendWindow | None = None,
    ) -> None:
        _positive("rate", rate)
        _positive("min_rate", min_rate)
        if min_rate > rate:
            raise ValidationError("min_rate", f"must not exceed rate, got {min_rate!r}")
        if not 0 < decrease < 1:
            raise ValidationError("decrease", f"must be in (0, 1), got {decrease!r}")
        _positive("recovery_step", recovery_step)
        for name, value in (("recovery_interval", recovery_interval), ("cooldown", cooldown)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValidationError(name, f"must be a finite number >= 0, got {value!r}")
        self.max_rate = float(rate)
        self.min_rate = float(min_rate)
        self._decrease = decrease
        self._cooldown = cooldown
        self._step = recovery_step
        self._interval = recovery_interval
        self._clock = clock
        self._rate = float(rate)
        self._last_change = float("-inf")  # any change: the next recovery step waits for it
        self._last_decrease = float("-inf")  # slow-downs only: the cooldown follows these
        self._released: float | None = None  # the last release, on the spacing grid
        self._wake: asyncio.Event | None = None  # set when the rate changes
        if window is not None and not isinstance(window, SendWindow):
            raise ValidationError("window", f"must be a SendWindow, got {window!r}")
        # As many in a window as the rate allows in one second: 10 at the default 9.8/s.
        self.window = window if window is not None else SendWindow(max(1, math.ceil(rate)))
        self._turn = asyncio.Lock()  # one acquirer at a time: spacing, then the window

    @property
    def rate(self) -> float:
        """The current rate, in requests per second."""
        return self._rate

    async def acquire(self) -> Permit:
        """Wait for the next slot on the grid, then for room in the window.

        Returns:
            The request's permit in :attr:`window`.
        """
        async with self._turn:
            await self._space()
            return await self.window.enter()

    async def _space(self) -> None:
        """Wait for the next slot of an even grid ``1 / rate`` apart.

        Slots are counted from the grid, not from when the last request really left, so
        timer lateness never adds up (a leaky bucket restarts from each late release and
        loses a millisecond or so a request, 1% at 10 per second). A release held up by
        less than one interval (by the window, say) keeps the grid, and the next one may
        follow it sooner; after a longer pause the grid starts again from now, so there is
        no burst after an idle spell. A rate change applies to the request already waiting.
        """
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if self._released is None:
                break
            due = self._released + 1.0 / self._rate
            if now >= due:
                break
            self._wake = wake = asyncio.Event()
            try:
                await _wait_at_most(wake, due - now)
            finally:
                self._wake = None
        interval = 1.0 / self._rate
        if self._released is not None and now - self._released <= 3 * interval:
            self._released += interval
        else:
            self._released = now

    def on_throttled(self) -> Awaitable[None] | None:
        """Halve the rate (down to ``min_rate``), unless it was just lowered.

        Returns:
            ``None``: the change is immediate.
        """
        now = self._clock()
        if now - self._last_decrease < self._cooldown:
            return None
        self._last_decrease = now
        self._set(max(self.min_rate, self._rate * self._decrease), now)
        return None

    def on_success(self) -> Awaitable[None] | None:
        """Step the rate back up, once per ``recovery_interval``, until it is ``rate``.

        Returns:
            ``None``: the change is immediate.
        """
        if self._rate >= self.max_rate:
            return None
        now = self._clock()
        if now - self._last_change >= self._interval:
            self._set(min(self.max_rate, self._rate + self._step), now)
        return None

    def _set(self, rate: float, now: float) -> None:
        self._rate = rate
        self._last_change = now
        if self._wake is not None:
            self._wake.set()

    def __repr__(self) -> str:
        return f"Pacer(rate={self._rate:.2f}, max_rate={self.max_rate:.2f})"
