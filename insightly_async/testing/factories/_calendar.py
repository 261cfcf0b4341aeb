"""The record engine's clock: epoch seconds around ``now`` written as body dates."""

from __future__ import annotations

import functools
from datetime import date, datetime, timezone
from typing import Final

from insightly_async._facts.wire import format_body_date, format_body_datetime

__all__ = ["DAY", "HISTORY_SECONDS", "Calendar"]

_UTC = timezone.utc
#: Seconds in a day.
DAY: Final = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Records are created within this window before `now` (two years, like a young account).
HISTORY_SECONDS: Final = 2 * 365 * DAY


@functools.cache
def _times_of_day() -> tuple[str, ...]:
    # " HH:MM:SS" for every second of a day: indexing beats strftime by an order of
    # magnitude, and the table is built once per process.
    return tuple(
        f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
    )


class Calendar:
    """Formats epoch seconds as body dates, from tables around ``now``.

    The tables hold the layout of :func:`~insightly_async._facts.wire.format_body_datetime`
    for fifteen years around ``now``, so that the millions of stamps a large seed needs
    cost an index each; a moment outside them goes through the wire functions.
    """

    def __init__(self, now: int) -> None:
        self.now = now
        today = now // DAY
        # Ten years back (birthdays aside, nothing is older) and five ahead (due dates).
        self._first = today - 3_650
        days = [
            date.fromordinal(_EPOCH_ORDINAL + d).isoformat()
            for d in range(self._first, today + 1_826)
        ]
        self._days = days
        self._count = len(days)
        self._times = _times_of_day()

    def stamp(self, ts: int) -> str:
        """``yyyy-MM-dd HH:mm:ss`` of epoch second ``ts``."""
        index = ts // DAY - self._first
        if 0 <= index < self._count:
            return self._days[index] + self._times[ts % DAY]
        return format_body_datetime(datetime.fromtimestamp(ts, _UTC))

    def day(self, ts: int) -> str:
        """``yyyy-MM-dd 00:00:00`` of the day of epoch second ``ts``."""
        index = ts // DAY - self._first
        if 0 <= index < self._count:
            return self._days[index] + " 00:00:00"
        return format_body_date(datetime.fromtimestamp(ts, _UTC))
