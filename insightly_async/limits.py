"""Pacing: how fast requests may leave, shared by every task that uses a session.

Insightly allows 10 requests per second per account. A token bucket with capacity 10
(``AsyncLimiter(10, 1)``) admits 19 in one second: ten at once, then one every 100 ms.
The :class:`Pacer` instead spaces requests evenly (an ``AsyncLimiter`` of capacity 1), so
no window of one second ever holds more than ``rate`` of them, and even spacing survives
network jitter far better than bursts do.

It also adapts: a per-second 429 means someone else shares the account (another process,
a browser integration) or the real ceiling is lower than documented, so the pacer halves
its rate at once and climbs back by small steps while requests succeed.

Anything with ``acquire``, ``on_throttled`` and ``on_success`` can replace it (see
:class:`RateLimiter`), e.g. :class:`insightly_async.redis.RedisPacer` when several
processes or hosts share one account.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from aiolimiter import AsyncLimiter

from insightly_async._exceptions import ValidationError

__all__ = ["DEFAULT_RATE", "Pacer", "RateLimiter"]

# The documented ceiling is 10 per second. 9.8 leaves about 20 ms of slack per second for
# timer and network jitter, so the server never counts 11 in a window, while the pacer's
# timer lateness (about 1 ms per request) still leaves more than 9.5 per second sustained.
# Measured in benchmarks/bench_pacing.py; see the README.
DEFAULT_RATE = 9.8


@runtime_checkable
class RateLimiter(Protocol):
    """What the request funnel needs from a pacer.

    ``acquire`` is awaited once before every attempt (retries included); the funnel then
    reports how the attempt went.
    """

    async def acquire(self) -> None:
        """Return when the next request may be sent."""

    def on_throttled(self) -> None:
        """The server answered 429 for the per-second limit."""

    def on_success(self) -> None:
        """The server answered without throttling."""


def _positive(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not value > 0
    ):
        raise ValidationError(name, f"must be a positive finite number, got {value!r}")


class _AdjustableLimiter(AsyncLimiter):
    """An ``AsyncLimiter`` of capacity 1 whose rate can change while tasks wait on it."""

    def __init__(self, rate: float) -> None:
        super().__init__(1, 1.0 / rate)

    def set_rate(self, rate: float) -> None:
        # Account for what leaked at the old rate before switching, then reschedule the
        # wake-up timer of the first waiter for the new rate.
        self._leak()
        self.time_period = 1.0 / rate
        self._rate_per_sec = rate
        self._wake_next()


class Pacer:
    """Even spacing at ``rate`` requests per second, slowing down on 429 (AIMD).

    Args:
        rate: Requests per second when nothing is throttled.
        min_rate: The floor for the adaptive slow-down.
        decrease: Factor applied to the rate on a per-second 429.
        cooldown: Seconds after a slow-down during which further 429s (stragglers of the
            same burst) do not slow it down again.
        recovery_step: Requests per second added back after each ``recovery_interval``
            of successes.
        recovery_interval: Seconds between two steps back up.
        clock: Monotonic clock for the adaptive part (injectable for tests).
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        min_rate: float = 0.5,
        decrease: float = 0.5,
        cooldown: float = 1.0,
        recovery_step: float = 0.5,
        recovery_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
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
        self._limiter = _AdjustableLimiter(self._rate)

    @property
    def rate(self) -> float:
        """The current rate, in requests per second."""
        return self._rate

    async def acquire(self) -> None:
        await self._limiter.acquire()

    def on_throttled(self) -> None:
        now = self._clock()
        if now - self._last_decrease < self._cooldown:
            return
        self._last_decrease = now
        self._set(max(self.min_rate, self._rate * self._decrease), now)

    def on_success(self) -> None:
        if self._rate >= self.max_rate:
            return
        now = self._clock()
        if now - self._last_change >= self._interval:
            self._set(min(self.max_rate, self._rate + self._step), now)

    def _set(self, rate: float, now: float) -> None:
        self._rate = rate
        self._last_change = now
        self._limiter.set_rate(rate)

    def __repr__(self) -> str:
        return f"Pacer(rate={self._rate:.2f}, max_rate={self.max_rate:.2f})"
