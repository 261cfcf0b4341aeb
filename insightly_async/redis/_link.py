"""The fleet's line to Redis, and what happens when Redis is slow, restarts or is gone.

Two policies, chosen per session (``redis_policy``):

- ``"wait"`` (the default, fail-closed): a request that needs Redis waits for it, retrying
  with a growing pause, and nothing is sent meanwhile. One warning says so when the outage
  begins and one line when Redis is back. Nothing bursts afterwards: the shared schedule
  spaces the first requests after the outage like any others.
- ``"local"`` (fail-open): the process goes on with its own in-process pacer and quota,
  with a warning, and tries Redis again every few seconds. Requests keep flowing, but the
  fleet's shared ceiling and reserve no longer hold while Redis is away.

Either way a Redis error never escapes into the caller's request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, Literal, TypeVar

from redis import exceptions as redis_errors

from insightly_async._exceptions import ValidationError

__all__ = ["POLICIES", "Link", "Policy"]

logger = logging.getLogger("insightly_async")

Policy = Literal["wait", "local"]
POLICIES: Final = ("wait", "local")
# What a Redis that is down, restarting or unreachable raises.
_TROUBLE: Final = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.BusyLoadingError,
    OSError,
)
_FIRST_PAUSE: Final = 0.05
_LONGEST_PAUSE: Final = 2.0
# With the "local" policy, how long to go without Redis before trying it again.
_RETRY_AFTER: Final = 5.0

T = TypeVar("T")


class Link:
    """Runs the fleet's scripts on Redis under a trouble policy.

    Args:
        client: A ``redis.asyncio.Redis`` client.
        policy: ``"wait"`` or ``"local"`` (see the module's docstring).
        sleep: The pause between attempts (injectable for tests).
        clock: Monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        client: Any,
        *,
        policy: Policy = "wait",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if policy not in POLICIES:
            raise ValidationError("redis_policy", f"must be one of {POLICIES}, got {policy!r}")
        self.client = client
        self.policy: Policy = policy
        self._sleep = sleep
        self._clock = clock
        self._down_since: float | None = None
        self._local_until = 0.0

    @property
    def down(self) -> bool:
        """Whether the last attempt found Redis unreachable."""
        return self._down_since is not None

    def script(self, source: str) -> Any:
        """A script registered on the client (loaded again after a restart by redis-py)."""
        return self.client.register_script(source)

    async def run(
        self,
        script: Any,
        keys: Sequence[str],
        args: Sequence[Any],
        local: Callable[[], T],
        *,
        wait: bool = True,
    ) -> Any | T:
        """The script's result; with the ``"local"`` policy and Redis away, ``local()``.

        ``wait=False`` takes ``local()`` at once whatever the policy, for a step that must
        not hold a request up (a request already paced would go out late, in a bunch).
        """
        pause = _FIRST_PAUSE
        while True:
            if (self.policy == "local" or not wait) and self._clock() < self._local_until:
                return local()
            try:
                result = await script(keys=keys, args=args)
            except _TROUBLE as exc:
                self._trouble(exc)
                if self.policy == "local" or not wait:
                    self._local_until = self._clock() + _RETRY_AFTER
                    return local()
                await self._sleep(pause)
                pause = min(_LONGEST_PAUSE, pause * 2)
                continue
            self._back()
            return result

    def _trouble(self, exc: BaseException) -> None:
        if self._down_since is not None:
            return
        self._down_since = self._clock()
        if self.policy == "wait":
            logger.warning(
                "Redis is unreachable (%s: %s): requests wait for it, none is sent meanwhile",
                type(exc).__name__,
                exc,
            )
        else:
            logger.warning(
                "Redis is unreachable (%s: %s): pacing and counting in this process alone "
                "until it is back; the fleet's shared ceiling does not hold meanwhile",
                type(exc).__name__,
                exc,
            )

    def _back(self) -> None:
        if self._down_since is None:
            return
        logger.warning("Redis is back after %.1f s", self._clock() - self._down_since)
        self._down_since = None
