"""The emulator's rate limits: a strict sliding window and a rolling daily allowance.

Both keep only their history; the limits come with each call, so changing them on a
running emulator takes effect at the next request.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["DailyAllowance", "SlidingWindow"]


class SlidingWindow:
    """Admits at most ``limit`` arrivals in any half-open window ``[t, t + window)``.

    This is the strictest reading of "N requests per second": no second, wherever it
    starts, holds more than N admitted arrivals.
    """

    def __init__(self) -> None:
        self._times: deque[float] = deque()

    def _prune(self, now: float, window: float) -> None:
        horizon = now - window
        times = self._times
        while times and times[0] <= horizon:
            times.popleft()

    def admit(self, now: float, limit: int, window: float, *, count_rejected: bool = False) -> bool:
        """Admit an arrival at ``now`` if the window has room; say whether it did.

        Args:
            now: The arrival time (monotonic seconds).
            limit: The most arrivals a window may hold.
            window: The window length in seconds.
            count_rejected: A rejected arrival also occupies the window.
        """
        self._prune(now, window)
        if len(self._times) < limit:
            self._times.append(now)
            return True
        if count_rejected:
            self._times.append(now)
        return False

    def note(self, now: float, window: float) -> None:
        """Record an arrival that no limit applies to (the limit is switched off)."""
        self._prune(now, window)
        self._times.append(now)

    def retry_after(self, now: float, limit: int, window: float) -> int:
        """Whole seconds until an arrival would be admitted, at least 1."""
        self._prune(now, window)
        excess = len(self._times) - limit
        wait = self._times[excess] + window - now if excess >= 0 else 0.0
        return max(1, math.ceil(wait))


class DailyAllowance:
    """A rolling allowance: units spent at ``t`` come back at ``t + window``."""

    def __init__(self) -> None:
        # (time, units) in time order; the units add up to `_used`.
        self._spent: deque[tuple[float, int]] = deque()
        self._used = 0

    def _prune(self, now: float, window: float) -> None:
        horizon = now - window
        spent = self._spent
        while spent and spent[0][0] <= horizon:
            self._used -= spent.popleft()[1]

    def remaining(self, now: float, limit: int, window: float) -> int:
        """Units left at ``now``."""
        self._prune(now, window)
        return max(0, limit - self._used)

    def consume(self, now: float, units: int = 1) -> None:
        """Spend ``units`` at ``now``."""
        if units <= 0:
            return
        self._used += units
        if self._spent and self._spent[-1][0] == now:
            units += self._spent.pop()[1]
        self._spent.append((now, units))

    def set_remaining(self, remaining: int, now: float, limit: int, window: float) -> None:
        """Put the allowance at ``remaining`` units left.

        Lowering it spends the difference at ``now``; raising it gives back the oldest
        spent units first.

        Raises:
            ValueError: ``remaining`` is outside ``[0, limit]``.
        """
        if not 0 <= remaining <= limit:
            raise ValueError(f"remaining must be within [0, {limit}], not {remaining!r}")
        current = self.remaining(now, limit, window)
        if remaining < current:
            self.consume(now, current - remaining)
            return
        give_back = remaining - current
        while give_back > 0 and self._spent:
            moment, units = self._spent.popleft()
            taken = min(give_back, units)
            self._used -= taken
            give_back -= taken
            if units > taken:
                self._spent.appendleft((moment, units - taken))
