"""A pacer shared through Redis, for several processes or hosts on one Insightly account.

The in-process :class:`~insightly_async.limits.Pacer` spaces the requests of one event
loop. When a bulk job, a web service and a cron script use the same account, each would
run at the full rate and together go over it. :class:`RedisPacer` hands out send times
from one schedule kept in Redis instead: a reservation in the style of GCRA with no burst
(a "theoretical arrival time" that every request pushes on by ``1 / rate``), computed by a
script on Redis's own clock, so the processes need no synchronised clocks and never race.

Each caller then sleeps until its reserved slot. A reservation given up (a cancelled task)
leaves its slot unused, which errs on the slow side. The adaptive part is the
:class:`Pacer`'s: a per-second 429 seen by one process halves the rate of its own
reservations; the others keep theirs.

Needs the ``redis`` extra (``pip install 'insightly-async[redis]'``)::

    import redis.asyncio
    from insightly_async import InsightlySession
    from insightly_async.redis import RedisPacer

    pacer = RedisPacer(redis.asyncio.Redis(), key="insightly:acme")
    async with InsightlySession(limiter=pacer) as crm:
        ...
"""

from __future__ import annotations

import asyncio
from typing import Any

from insightly_async._exceptions import ValidationError
from insightly_async.limits import DEFAULT_RATE, Pacer

__all__ = ["RedisPacer"]

# KEYS[1]: the schedule. ARGV[1]: this request's spacing in microseconds.
# Returns the microseconds to wait before sending. Times are integers formatted with
# %.0f: Lua's default number-to-string conversion would round them to 14 digits.
_RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(due, now)
local after = start + tonumber(ARGV[1])
local ttl = math.floor((after - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', ttl)
return string.format('%.0f', start - now)
"""


class RedisPacer(Pacer):
    """A :class:`Pacer` whose schedule lives in Redis, shared by everyone using ``key``.

    Args:
        client: A ``redis.asyncio.Redis`` client (not closed by the pacer).
        key: The Redis key of the schedule: one per Insightly account.
        rate: Requests per second for everyone sharing ``key`` together.
        **options: The adaptive options of :class:`Pacer` (``min_rate``, ``decrease``,
            ``cooldown``, ``recovery_step``, ``recovery_interval``, ``clock``).

    Raises:
        ValidationError: an empty key, or a bad rate or option.
    """

    def __init__(
        self, client: Any, *, key: str = "insightly_async:pacer", rate: float = DEFAULT_RATE,
        **options: Any,
    ) -> None:  # fmt: skip
        super().__init__(rate, **options)
        if not isinstance(key, str) or not key:
            raise ValidationError("key", f"must be a non-empty string, got {key!r}")
        self._redis = client
        self.key = key
        self._reserve = client.register_script(_RESERVE)

    async def acquire(self) -> None:
        spacing = round(1_000_000 / self.rate)
        wait = int(await self._reserve(keys=[self.key], args=[spacing]))
        if wait > 0:
            await asyncio.sleep(wait / 1_000_000)

    def __repr__(self) -> str:
        return f"RedisPacer(key={self.key!r}, rate={self.rate:.2f}, max_rate={self.max_rate:.2f})"
