"""One Insightly account, many processes: pacing and the daily allowance shared in Redis.

The 10 requests per second and the daily allowance belong to the account, not to a
process. Sessions that share a Redis and an account share, through short atomic scripts
on Redis's own clock:

- :class:`RedisPacer`: one send schedule, and one adaptive rate (a 429 seen by any
  process slows the whole fleet, and it recovers together);
- :class:`RedisQuota`: the last reported allowance and every request in flight across
  the fleet, so a reserve holds for the fleet and it stops at zero together.

A service joins the fleet by naming the Redis (the ``redis`` extra:
``pip install '.[redis]'`` in a clone, or the wheel with ``[redis]``)::

    async with InsightlySession(api_key, pod="na1", redis="redis://localhost:6379/0") as crm:
        ...

and the CLI with ``--redis URL`` (or ``INSIGHTLY_REDIS_URL``). The keys are derived from
the account (:func:`account_key`: the API host and a fingerprint of the key, never the key
itself), so two accounts on one Redis never share a schedule; ``redis_key=`` names one
explicitly. What happens when Redis is slow, restarts or is gone is the
``redis_policy``: ``"wait"`` (fail-closed, the default) or ``"local"`` (fail-open); see
:mod:`insightly_async.redis._link`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from yarl import URL

from insightly_async.redis._link import POLICIES, Policy
from insightly_async.redis._pacer import FLEET_RATE, RedisPacer
from insightly_async.redis._quota import RedisQuota

__all__ = ["FLEET_RATE", "POLICIES", "Policy", "RedisPacer", "RedisQuota", "account_key", "connect"]


def account_key(base_url: str, api_key: str) -> str:
    """The Redis key prefix of an account: ``insightly_async:{host}:{fingerprint}``.

    The fingerprint is the first 16 bytes of a SHA-256 of the API root and the key: the
    same account always gets the same prefix, different accounts different ones, and the
    key cannot be read back from it.

    Args:
        base_url: The account's API root (``https://api.na1.insightly.com/v3.1``).
        api_key: The account's API key (only its fingerprint is kept).

    Returns:
        The prefix every process of the account's fleet uses.
    """
    digest = hashlib.sha256(f"{base_url}\n{api_key.strip()}".encode()).hexdigest()[:32]
    host = URL(base_url).host or "api"
    return f"insightly_async:{host}:{digest}"


def connect(url: str) -> Any:
    """A ``redis.asyncio.Redis`` client for ``url`` (``redis://host:port/db``).

    Args:
        url: A Redis URL (``redis://``, ``rediss://`` or ``unix://``).

    Returns:
        The client; it connects on first use.

    Raises:
        ValueError: ``url`` is not a Redis URL.
    """
    import redis.asyncio  # noqa: PLC0415 - an optional dependency

    return redis.asyncio.Redis.from_url(url)
