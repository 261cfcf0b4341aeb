"""The daily allowance shared through Redis: one count for every process on the account.

The hash ``{key}:quota`` holds the last ``X-RateLimit-Limit`` / ``X-RateLimit-Remaining``
any process was told, with the moment (Redis's clock), and when a 429 said the allowance
is spent. The sorted set ``{key}:in_flight`` holds one entry per request under way in the
whole fleet, each expiring on its own so that a process killed mid-request frees its
entries after a while. A request is let through or refused by one script that counts and
reserves atomically: with a reserve set, the fleet as a whole stops before it, and no two
processes can both take the last call.
"""

from __future__ import annotations

import collections
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Final

from insightly_async._facts.wire import is_daily_quota_429, parse_quota_headers
from insightly_async.quota import Quota
from insightly_async.redis._link import Link, Policy

__all__ = ["RedisQuota"]

# A request under way counts for at most this long (a killed process's requests stop
# counting after it); longer than any request's timeout.
_IN_FLIGHT_TTL_MS: Final = 300_000
# A report of more calls left than the one stored is taken only once the stored one is
# this old: reports of different processes may arrive out of order, and the lower one is
# the safe one to believe (the rolling allowance only refills slowly).
_REPORT_FRESH_MS: Final = 10_000

_NOW_MS: Final = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
"""

# KEYS: the quota hash, the in-flight set. ARGV: token, reserve, recheck (ms), ttl (ms).
# Returns {verdict, limit, remaining, in flight}: 0 let through (and counted), 1 spent
# (a 429 said so, too recently), 2 at the reserve. -1 stands for "not known".
_ENTER: Final = (
    _NOW_MS
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local flying = redis.call('ZCARD', KEYS[2])
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or '-1')
local remaining = tonumber(redis.call('HGET', KEYS[1], 'remaining') or '-1')
local recheck = tonumber(ARGV[3])
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '-1')
if spent >= 0 and now - spent < recheck then
  return {1, limit, remaining, flying}
end
if remaining >= 0 then
  local reported = tonumber(redis.call('HGET', KEYS[1], 'reported') or '0')
  local probe = now - reported >= recheck and flying == 0
  if not probe and remaining - flying - 1 < tonumber(ARGV[2]) then
    return {2, limit, remaining, flying}
  end
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return {0, limit, remaining, flying + 1}
"""
)

# KEYS: the quota hash. ARGV: recheck (ms). Returns 1 if a 429 said the allowance is
# spent, too recently to ask again.
_SPENT: Final = (
    _NOW_MS
    + """
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '-1')
if spent >= 0 and now - spent < tonumber(ARGV[1]) then
  return 1
end
return 0
"""
)

# KEYS: the quota hash, the in-flight set. ARGV: token, limit, remaining ('' when not
# reported), spent (1: a 429 said so), fresh (ms). Returns {limit, remaining, in flight}.
_LEAVE: Final = (
    _NOW_MS
    + """
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'limit', ARGV[2])
end
if ARGV[3] ~= '' then
  local new = tonumber(ARGV[3])
  local old = tonumber(redis.call('HGET', KEYS[1], 'remaining') or '-1')
  local at = tonumber(redis.call('HGET', KEYS[1], 'reported') or '0')
  if old < 0 or new <= old or now - at >= tonumber(ARGV[5]) then
    redis.call('HSET', KEYS[1], 'remaining', new, 'reported', now)
  end
  if ARGV[4] == '1' then
    redis.call('HSET', KEYS[1], 'spent', now)
  elseif new > 0 then
    redis.call('HDEL', KEYS[1], 'spent')
  end
end
redis.call('PEXPIRE', KEYS[1], 172800000)
return {
  tonumber(redis.call('HGET', KEYS[1], 'limit') or '-1'),
  tonumber(redis.call('HGET', KEYS[1], 'remaining') or '-1'),
  redis.call('ZCARD', KEYS[2]),
}
"""
)

_LOCAL: Final = object()  # what Link.run returns when the "local" policy takes over


def _known(value: int) -> int | None:
    return None if value < 0 else value


class RedisQuota(Quota):
    """A :class:`~insightly_async.Quota` kept in Redis for every process on ``key``.

    ``limit``, ``remaining`` and ``in_flight`` show the fleet's figures as of this process's
    last exchange with Redis. A request is refused (:class:`QuotaExhaustedError`, nothing
    sent) when it could leave fewer than ``reserve`` calls counting every process's requests
    in flight, or while a 429 said the allowance is spent.

    Args:
        client: A ``redis.asyncio.Redis`` client (not closed here).
        key: The account's key prefix (see :func:`insightly_async.redis.account_key`).
        reserve: Calls the fleet leaves for others (each process should use the same).
        recheck_after: Seconds after a spent-allowance 429 before one request may ask again.
        policy: What to do when Redis is unreachable: ``"wait"`` or ``"local"``.
    """

    def __init__(
        self,
        client: Any,
        *,
        key: str,
        reserve: int = 0,
        recheck_after: float = 300.0,
        policy: Policy = "wait",
    ) -> None:
        super().__init__(reserve=reserve, recheck_after=recheck_after)
        self.key = key
        self._link = Link(client, policy=policy)
        self._keys = [f"{key}:quota", f"{key}:in_flight"]
        self._enter = self._link.script(_ENTER)
        self._spent = self._link.script(_SPENT)
        self._leave = self._link.script(_LEAVE)
        self._recheck_ms = round(recheck_after * 1000)
        # This process's requests under way: their tokens, or None for one counted locally.
        self._tokens: collections.deque[str | None] = collections.deque()

    @property
    def link(self) -> Link:
        """The quota's line to Redis: its ``policy``, and ``down`` while Redis is away."""
        return self._link

    async def enter(self) -> None:
        """Count one more request in flight for the fleet, if the allowance allows it.

        Raises:
            QuotaExhaustedError: the fleet's allowance is spent, or the request could
                leave fewer than ``reserve`` calls counting every process's requests in
                flight.
        """
        token = uuid.uuid4().hex
        args = [token, self.reserve, self._recheck_ms, _IN_FLIGHT_TTL_MS]
        reply: Any = await self._link.run(self._enter, self._keys, args, lambda: _LOCAL)
        if reply is _LOCAL:
            self.begin()
            self._tokens.append(None)
            return
        verdict, limit, remaining, flying = (int(value) for value in reply)
        self.limit, self.remaining, self.in_flight = _known(limit), _known(remaining), flying
        if verdict == 1:
            raise self._spent_error()
        if verdict == 2:
            raise self._reserve_error(remaining, flying)
        self._tokens.append(token)

    async def recheck(self) -> None:
        """Just before sending: raise if any process found the allowance spent meanwhile.

        It never waits for Redis: with Redis away, what this process knows decides.

        Raises:
            QuotaExhaustedError: the allowance is spent.
        """
        self.check_spent()
        # Between the pacer and the send: never wait for Redis here (the request would go out
        # late, with others held up the same way); what this process knows will do.
        spent = await self._link.run(
            self._spent, self._keys[:1], [self._recheck_ms], lambda: 0, wait=False
        )
        if spent:
            raise self._spent_error()

    async def leave(self, status: int | None, headers: Mapping[str, str] | None) -> None:
        """Count the request as answered for the fleet, with what its answer reported.

        Args:
            status: The answer's HTTP status, or ``None`` if it got no answer.
            headers: The answer's headers, or ``None`` if it got no answer.
        """
        token = self._tokens.popleft() if self._tokens else None
        if token is None:
            self.end(status, headers)
            return
        reported = parse_quota_headers(headers) if headers is not None else None
        spent = status is not None and headers is not None and is_daily_quota_429(status, headers)
        args = [
            token,
            "" if reported is None or reported.limit is None else reported.limit,
            "" if reported is None or reported.remaining is None else reported.remaining,
            "1" if spent else "0",
            _REPORT_FRESH_MS,
        ]
        reply: Any = await self._link.run(self._leave, self._keys, args, lambda: _LOCAL)
        if reply is _LOCAL:
            self.end(status, headers)
            return
        limit, remaining, flying = (int(value) for value in reply)
        self.limit, self.remaining, self.in_flight = _known(limit), _known(remaining), flying
        if reported is not None and reported.remaining is not None:
            self.updated_at = datetime.now(timezone.utc)
        if spent:
            # This process stops at once too, without asking Redis first.
            self.end(status, headers)
            self.in_flight = flying

    def __repr__(self) -> str:
        return (
            f"RedisQuota(key={self.key!r}, limit={self.limit}, remaining={self.remaining}, "
            f"in_flight={self.in_flight}, reserve={self.reserve})"
        )
