"""A pacer shared through Redis: one send schedule and one adaptive rate for the fleet.

Every process on the account reserves its send times from one schedule kept in Redis (a
reservation in the style of GCRA with no burst: a "theoretical arrival time" that every
request pushes on by ``1 / rate``), computed by a script on Redis's own clock, so the
processes need no synchronised clocks and never race. The rate itself lives in Redis too:
a per-second 429 seen by any process lowers it for all, and all climb back together.
Each process also keeps its own window of real send times (see
:class:`~insightly_async.limits.SendWindow`), so a request that had to open a connection
is counted as the server sees it.

A slot is only as good as its time: the schedule leaves ``limit / rate - period`` seconds
of slack per window (42 ms at the fleet's 9.6 per second), and a request that goes out
later than that after its slot (an event loop held up by a collection or a busy CPU) can
land in one window with the next ``limit`` slots of the fleet. So a slot is a moment on
Redis's clock, not a delay: each process keeps the offset between Redis's clock and its
own from its tightest recent round trip (measured with a few extra ones when it is
unsure, as on a new connection), and waits until the latest local time the slot may be,
so a reply slow to arrive does not move the send later, and nothing goes early. A slot is
reserved at least one round trip ahead, so it is still to come when its reply arrives; a
process that finds itself late by more than half the slack drops the slot and reserves
another, further ahead.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any, Final

from insightly_async._exceptions import ValidationError
from insightly_async.limits import WINDOW_PERIOD, Pacer, Permit
from insightly_async.redis._link import Link

__all__ = ["FLEET_RATE", "RedisPacer"]

logger = logging.getLogger("insightly_async")

FLEET_RATE: Final = 9.6
"""The fleet's rate unless told otherwise, in requests per second.

Lower than one process's 9.8, because the fleet's schedule cannot see what happens after
a slot. One process counts its own requests as they are written; a fleet's processes run
on other hosts, behind other network paths, on CPUs shared with other work, and a request
that reaches the server late lands in one window with the next ten slots of any process.
At 9.8 per second a fleet keeps 20 ms of slack per window, half of it spent on a process's
own late wake-up; a busy host or a slow hop takes the rest (four processes on two busy
cores kept 5 to 12 ms). At 9.6 the slack is 42 ms, and the fleet still sustains 9.4 to 9.5.
"""

#: The least lateness a slot tolerates, in seconds, whatever the slack.
MIN_LATENESS: Final = 0.002

# KEYS[1]: the schedule; KEYS[2]: the shared rate. ARGV[1]: the configured rate; ARGV[2]:
# the lead, microseconds: the slot is at least that far ahead of now, so that it has not
# passed by the time the reply reaches the process. Returns the slot and Redis's clock
# now (microseconds since the epoch), and the rate used. Times are integers formatted
# with %.0f: Lua's default number-to-string conversion would round them to 14 digits.
_RESERVE: Final = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local rate = tonumber(redis.call('HGET', KEYS[2], 'rate') or ARGV[1])
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(due, now + tonumber(ARGV[2]))
local after = start + math.floor(1000000 / rate)
local ttl = math.floor((after - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', ttl)
return {string.format('%.0f', start), string.format('%.0f', now), tostring(rate)}
"""

# Redis's clock, microseconds since the epoch: a round trip to measure the offset with.
_TIME: Final = """
local clock = redis.call('TIME')
return string.format('%.0f', tonumber(clock[1]) * 1000000 + tonumber(clock[2]))
"""

# KEYS[1]: the shared rate. ARGV: configured rate, floor, factor, cooldown (ms).
# A slow-down within the cooldown of the last one (stragglers of the same burst) is
# ignored. Returns the rate now.
_SLOW_DOWN: Final = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local rate = tonumber(redis.call('HGET', KEYS[1], 'rate') or ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], 'decreased') or '-1')
if last >= 0 and now - last < tonumber(ARGV[4]) then
  return tostring(rate)
end
rate = math.max(tonumber(ARGV[2]), rate * tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'rate', tostring(rate), 'decreased', now, 'changed', now)
redis.call('PEXPIRE', KEYS[1], 86400000)
return tostring(rate)
"""

# KEYS[1]: the shared rate. ARGV: configured rate, step, interval (ms). One step back up
# per interval across the fleet. Returns the rate now.
_RECOVER: Final = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local stored = redis.call('HGET', KEYS[1], 'rate')
if not stored then
  return ARGV[1]
end
local rate = tonumber(stored)
local top = tonumber(ARGV[1])
local changed = tonumber(redis.call('HGET', KEYS[1], 'changed') or '0')
if now - changed >= tonumber(ARGV[3]) then
  rate = math.min(top, rate + tonumber(ARGV[2]))
  if rate >= top then
    redis.call('DEL', KEYS[1])
  else
    redis.call('HSET', KEYS[1], 'rate', tostring(rate), 'changed', now)
  end
end
return tostring(rate)
"""

_LOCAL: Final = object()  # what Link.run returns when the "local" policy takes over

#: How fast two clocks may drift apart, in seconds per second: an old measurement of the
#: offset loses this much precision as it ages.
CLOCK_DRIFT: Final = 1e-4
#: How precisely the offset must be known before a slot is converted, in seconds (or
#: twice the tightest round trip seen, on a link where round trips are never this short).
OFFSET_PRECISION: Final = 0.001
#: Round trips spent at most on measuring the offset before a reservation.
CALIBRATION_TRIPS: Final = 3
#: The most a slot is asked to lie ahead of Redis's clock, in seconds.
MAX_LEAD: Final = 1.0


class _Offset:
    """The offset of Redis's clock from this process's, from round trips (as NTP does).

    A reply's clock reading was taken somewhere between the request and the reply, so
    each round trip bounds the offset within half its length. The tightest recent bound
    wins; one that contradicts it means a clock was stepped, and replaces it. A moment on
    Redis's clock converts to the latest local time the bound allows: a send may be late
    by the bound's width, never early.
    """

    __slots__ = ("_at", "_error", "_offset", "tightest")

    def __init__(self) -> None:
        self._offset = 0.0  # Redis's clock minus ours, microseconds
        self._error = math.inf  # half the width of the bound, microseconds
        self._at = 0.0
        self.tightest = math.inf  # the smallest error any round trip gave, microseconds

    def error(self, now: float) -> float:
        """How uncertain the offset is at ``now`` (our clock, seconds), in microseconds."""
        return self._error + max(0.0, now - self._at) * CLOCK_DRIFT * 1_000_000

    def observe(self, server_now: int, asked: float, answered: float) -> None:
        """Take one round trip's measurement.

        Args:
            server_now: Redis's clock during the round trip, microseconds.
            asked: Our clock when the request left, seconds.
            answered: Our clock when the reply came, seconds.
        """
        error = (answered - asked) / 2 * 1_000_000
        offset = server_now - (asked + answered) / 2 * 1_000_000
        aged = self.error(answered)
        if error <= aged or abs(offset - self._offset) > error + aged:
            self._offset, self._error, self._at = offset, error, answered
        self.tightest = min(self.tightest, error)

    def local(self, moment: int, now: float) -> float:
        """The latest time on our clock that ``moment`` on Redis's may be.

        Args:
            moment: A moment on Redis's clock, microseconds since the epoch.
            now: Our clock now, seconds.

        Returns:
            Seconds on our clock.
        """
        return (moment - self._offset + self.error(now)) / 1_000_000


class RedisPacer(Pacer):
    """A :class:`~insightly_async.limits.Pacer` whose schedule and rate live in Redis, shared
    by everyone using ``key``.

    Args:
        client: A ``redis.asyncio.Redis`` client (not closed by the pacer).
        key: The Redis key prefix of the account: one per Insightly account. A session
            made with ``redis=`` derives it from the account (see
            :func:`insightly_async.redis.account_key`).
        rate: Requests per second for everyone sharing ``key`` together (default
            :data:`FLEET_RATE`, 9.6).
        policy: What to do when Redis is unreachable: ``"wait"`` or ``"local"``.
        **options: The adaptive options of :class:`Pacer` (``min_rate``, ``decrease``,
            ``cooldown``, ``recovery_step``, ``recovery_interval``, ``clock``).

    Raises:
        ValidationError: an empty key, or a bad rate or option.
    """

    def __init__(
        self,
        client: Any,
        *,
        key: str = "insightly_async:pacer",
        rate: float = FLEET_RATE,
        policy: str = "wait",
        **options: Any,
    ) -> None:
        super().__init__(rate, **options)
        if not isinstance(key, str) or not key:
            raise ValidationError("key", f"must be a non-empty string, got {key!r}")
        self.key = key
        self._link = Link(client, policy=policy)  # type: ignore[arg-type]
        self._keys = [f"{key}:schedule", f"{key}:rate"]
        self._reserve = self._link.script(_RESERVE)
        self._slow_down = self._link.script(_SLOW_DOWN)
        self._recover = self._link.script(_RECOVER)
        self._asked_recovery = -math.inf
        self._offset = _Offset()
        self._time = self._link.script(_TIME)
        self._lead = 0.0  # seconds: how far ahead of Redis's clock the next slot must be

    @property
    def link(self) -> Link:
        """The pacer's line to Redis: its ``policy``, and ``down`` while Redis is away."""
        return self._link

    async def acquire(self) -> Permit:
        """Reserve the next send time from the fleet's schedule, then wait for it and for
        room in this process's window.

        With Redis away, the ``"wait"`` policy waits for it; ``"local"`` paces with this
        process's own schedule meanwhile.

        Returns:
            The request's permit in this process's window.
        """
        while True:
            if self._uncertain():
                await self._calibrate()
            asked = self.window.now()
            args = [repr(self.max_rate), str(round(self._lead * 1_000_000))]
            reply: Any = await self._link.run(self._reserve, self._keys, args, lambda: _LOCAL)
            if reply is _LOCAL:
                return await super().acquire()
            answered = self.window.now()
            slot, server_now, rate = int(reply[0]), int(reply[1]), float(reply[2])
            self._mirror(rate)
            self._offset.observe(server_now, asked, answered)
            self._lead = min(MAX_LEAD, answered - asked)
            due = self._offset.local(slot, answered)
            if due > answered:
                await asyncio.sleep(due - answered)
            permit = await self.window.enter()
            late = self.window.now() - due
            if late <= self.lateness(rate):
                return permit
            self.window.forget(permit)
            # The next slot lies further ahead, so that a reply as slow as this one, or a
            # wake-up as late, still finds it to come.
            self._lead = min(MAX_LEAD, 2 * max(self._lead, late))
            logger.debug("%.0f ms late for a slot of the fleet: reserving another", late * 1000)

    def _uncertain(self) -> bool:
        """Whether the clock offset is too loosely known to convert a slot with."""
        error = self._offset.error(self.window.now())
        if math.isinf(error):
            return True
        return error > max(OFFSET_PRECISION * 1_000_000, 2 * self._offset.tightest)

    async def _calibrate(self) -> None:
        """Measure the clock offset with a few short round trips.

        On a fresh connection the first round trip also connects and loads the scripts,
        and its clock reading comes late in it: converting a slot with it could send early.
        """
        for _ in range(CALIBRATION_TRIPS):
            asked = self.window.now()
            reply = await self._link.run(self._time, [], [], lambda: None, wait=False)
            if reply is None:
                return  # Redis is away: the reservation finds out what the policy says
            now = self.window.now()
            self._offset.observe(int(reply), asked, now)
            if self._offset.error(now) <= OFFSET_PRECISION * 1_000_000:
                return

    def lateness(self, rate: float) -> float:
        """How late after its slot a request may still go at ``rate``: half the slack.

        Args:
            rate: The fleet's rate, requests per second.

        Returns:
            Seconds (at least :data:`MIN_LATENESS`).
        """
        slack = self.window.limit / rate - WINDOW_PERIOD
        return max(MIN_LATENESS, slack / 2)

    async def on_throttled(self) -> None:
        """Slow down this process at once, and the fleet's shared rate through Redis."""
        super().on_throttled()  # this process at once; the fleet through Redis
        args = [repr(self.max_rate), repr(self.min_rate), repr(self._decrease)]
        args.append(str(round(self._cooldown * 1000)))
        rate = await self._link.run(self._slow_down, self._keys[1:], args, lambda: None)
        if rate is not None:
            self._mirror(float(rate))

    async def on_success(self) -> None:
        """Ask Redis for a step of the fleet's rate back up (at most once an interval)."""
        if self.rate >= self.max_rate:
            return
        now = time.monotonic()
        if now - self._asked_recovery < self._interval:
            return
        self._asked_recovery = now
        args = [repr(self.max_rate), repr(self._step), str(round(self._interval * 1000))]
        rate = await self._link.run(self._recover, self._keys[1:], args, lambda: None)
        if rate is not None:
            self._mirror(float(rate))

    def _mirror(self, rate: float) -> None:
        """Take the fleet's rate as this process's own (for ``rate`` and the local pacer)."""
        if rate != self.rate:
            self._set(rate, self._clock())

    def __repr__(self) -> str:
        return f"RedisPacer(key={self.key!r}, rate={self.rate:.2f}, max_rate={self.max_rate:.2f})"
