"""The daily allowance: what the API last reported, and the gate in front of every send."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

from insightly_async._exceptions import QuotaExhaustedError, ValidationError
from insightly_async._facts.wire import is_daily_quota_429, parse_quota_headers

__all__ = ["Quota", "QuotaGate"]


@runtime_checkable
class QuotaGate(Protocol):
    """What the request funnel needs from a daily-quota tracker.

    :class:`Quota` keeps the allowance of one process; ``insightly_async.redis.RedisQuota``
    shares it with every process on the account.

    Attributes:
        limit: The daily allowance, as last reported (``None`` before the first answer).
        remaining: Calls left, as last reported.
        reserve: Calls left for others: a request that could leave fewer is refused.
    """

    limit: int | None
    remaining: int | None
    reserve: int

    @property
    def exhausted(self) -> bool:
        """A 429 said the allowance is spent, and it is too soon to ask again."""

    def check(self) -> None:
        """Raise :class:`QuotaExhaustedError` if what is known says no request may go.

        Raises:
            QuotaExhaustedError: the allowance is spent, or the reserve reached.
        """

    async def enter(self) -> None:
        """Count one more request in flight, or raise :class:`QuotaExhaustedError`.

        Raises:
            QuotaExhaustedError: the request could leave fewer than ``reserve`` calls.
        """

    async def recheck(self) -> None:
        """Raise if the allowance was found spent while this request waited to go.

        Raises:
            QuotaExhaustedError: a 429 said the allowance is spent.
        """

    async def leave(self, status: int | None, headers: Mapping[str, str] | None) -> None:
        """Count the request as answered, and take in what its answer reported.

        Args:
            status: The answer's HTTP status, or ``None`` when it got no answer.
            headers: The answer's headers (``X-RateLimit-*``), or ``None``.
        """


class Quota:
    """The account's daily allowance as the API reports it on every response.

    ``limit`` and ``remaining`` are ``None`` until the first response. Requests in flight
    count against the allowance: with ``reserve`` set, a request is refused (with
    :class:`QuotaExhaustedError`, before anything is sent) when it could leave fewer than
    ``reserve`` calls for everyone else.

    Once a 429 with ``X-RateLimit-Remaining: 0`` has been seen, nothing is sent for
    ``recheck_after`` seconds; after that one request may go to find out whether the
    rolling 24-hour allowance has come back.

    Args:
        reserve: Calls to leave for others (the session's ``quota_reserve``).
        recheck_after: Seconds to send nothing after the allowance was found spent, and
            after which a stale report no longer holds a request back.
        clock: Seconds, monotonic (injectable for tests).

    Attributes:
        limit: The daily allowance (``X-RateLimit-Limit``).
        remaining: Calls left as of the last response (``X-RateLimit-Remaining``).
        updated_at: When the last response that reported them arrived (aware UTC).
        reserve: Calls this session leaves for others.
        in_flight: Requests sent and not yet answered.
    """

    def __init__(
        self,
        *,
        reserve: int = 0,
        recheck_after: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if isinstance(reserve, bool) or not isinstance(reserve, int) or reserve < 0:
            raise ValidationError("quota_reserve", f"must be an int >= 0, got {reserve!r}")
        self.limit: int | None = None
        self.remaining: int | None = None
        self.updated_at: datetime | None = None
        self.reserve = reserve
        self.in_flight = 0
        self._recheck_after = recheck_after
        self._clock = clock
        self._reported_at: float | None = None
        self._spent_at: float | None = None

    @property
    def exhausted(self) -> bool:
        """A 429 said the allowance is spent, and it is too soon to ask again."""
        return self._spent_at is not None and (self._clock() - self._spent_at < self._recheck_after)

    def _spent_error(self) -> QuotaExhaustedError:
        """The error that says a 429 found the allowance spent."""
        return QuotaExhaustedError(
            "the daily API allowance is spent (429 with X-RateLimit-Remaining: 0); "
            "it comes back over the rolling 24 hours",
            limit=self.limit,
            remaining=0,
            reserve=self.reserve,
        )

    def _reserve_error(self, remaining: int, in_flight: int) -> QuotaExhaustedError:
        """The error that says one more request could leave fewer calls than the reserve."""
        what = "spent" if remaining - in_flight <= 0 else "at the reserve"
        return QuotaExhaustedError(
            f"the daily API allowance is {what}: {remaining} left of {self.limit}, "
            f"{in_flight} in flight, reserve {self.reserve}",
            limit=self.limit,
            remaining=remaining,
            reserve=self.reserve,
        )

    def check_spent(self) -> None:
        """Raise if a 429 said the allowance is spent (and it is too soon to ask again).

        Raises:
            QuotaExhaustedError: the allowance is spent.
        """
        if self.exhausted:
            raise self._spent_error()

    def check(self) -> None:
        """Raise if the next request must not be sent; does not reserve anything.

        Raises:
            QuotaExhaustedError: the allowance is spent, or the request could leave fewer
                than ``reserve`` calls.
        """
        self.check_spent()
        if self.remaining is None or self._reported_at is None:
            return
        if self._clock() - self._reported_at >= self._recheck_after and self.in_flight == 0:
            # The rolling allowance may have refilled since; let one request find out.
            return
        if self.remaining - self.in_flight - 1 < self.reserve:
            raise self._reserve_error(self.remaining, self.in_flight)

    def begin(self) -> None:
        """Check, then count one more request in flight.

        Raises:
            QuotaExhaustedError: as :meth:`check`.
        """
        self.check()
        self.in_flight += 1

    def end(self, status: int | None, headers: Mapping[str, str] | None) -> None:
        """Count a request as answered, and take in what its answer reported.

        Args:
            status: The answer's HTTP status, or ``None`` if it got no answer.
            headers: The answer's headers, or ``None`` if it got no answer.
        """
        self.in_flight = max(0, self.in_flight - 1)
        if headers is None or status is None:
            return
        reported = parse_quota_headers(headers)
        if reported.limit is None and reported.remaining is None:
            return
        now = self._clock()
        if reported.limit is not None:
            self.limit = reported.limit
        if reported.remaining is not None:
            self.remaining = reported.remaining
        self.updated_at = datetime.now(timezone.utc)
        self._reported_at = now
        if is_daily_quota_429(status, headers):
            self._spent_at = now
        elif reported.remaining:
            self._spent_at = None

    async def enter(self) -> None:
        """:meth:`begin`, as the funnel calls it (the :class:`QuotaGate` protocol).

        Raises:
            QuotaExhaustedError: as :meth:`check`.
        """
        self.begin()

    async def recheck(self) -> None:
        """:meth:`check_spent`, as the funnel calls it just before sending.

        Raises:
            QuotaExhaustedError: the allowance was found spent meanwhile.
        """
        self.check_spent()

    async def leave(self, status: int | None, headers: Mapping[str, str] | None) -> None:
        """:meth:`end`, as the funnel calls it.

        Args:
            status: The answer's HTTP status, or ``None`` if it got no answer.
            headers: The answer's headers, or ``None`` if it got no answer.
        """
        self.end(status, headers)

    def __repr__(self) -> str:
        return (
            f"Quota(limit={self.limit}, remaining={self.remaining}, "
            f"in_flight={self.in_flight}, reserve={self.reserve})"
        )
