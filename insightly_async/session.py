"""InsightlySession: the public face of an account: options, resources, lifecycle."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Final

import aiohttp

from insightly_async import _sansio
from insightly_async._core import Client, as_timeout
from insightly_async._exceptions import SessionClosedError, ValidationError
from insightly_async._facts.catalog import CATALOG
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME
from insightly_async._pipeline import Funnel
from insightly_async.limits import DEFAULT_RATE, Pacer, RateLimiter
from insightly_async.quota import Quota, QuotaGate
from insightly_async.resources import SessionResources
from insightly_async.transport import AiohttpTransport, Transport

__all__ = ["InsightlySession"]

# One second's worth of requests at the ceiling: enough to keep 10 per second going while
# responses take up to a second, few enough not to look like a flood. Measured in
# benchmarks/bench_pacing.py (README, "Pacing").
DEFAULT_MAX_IN_FLIGHT: Final = 10
DEFAULT_MAX_RETRIES: Final = 5
DEFAULT_TIMEOUT: Final = 60.0
# Far above the largest page Insightly sends (500 contacts are about 0.75 MB), far below
# what would hurt a service's memory.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024


class InsightlySession(SessionResources):
    """An Insightly account, ready for concurrent use by any number of tasks.

    Every request of the session and of its resources goes through one funnel: a cap on
    requests in flight, the daily-quota gate, the pacer (even spacing under the
    10-per-second ceiling), then retries with backoff for what is safe to retry.

    >>> async with InsightlySession(api_key="...", pod="na1") as crm:  # doctest: +SKIP
    ...     async for contact in crm.contacts.list():
    ...         print(contact.first_name)

    Args:
        api_key: The API key (User Settings → API). Default: ``INSIGHTLY_API_KEY``.
        pod: The account's pod, e.g. ``"na1"``, ``"eu1"``. Default: ``INSIGHTLY_POD``.
        base_url: A full API root instead of a pod (e.g. an emulator on loopback).
            Default: ``INSIGHTLY_BASE_URL``. Plain http is refused except to loopback.
        rate: Requests per second (default 9.8, just under the 10/s ceiling; 9.6 for a
            fleet in ``redis``, see :data:`insightly_async.redis.FLEET_RATE`). Not allowed
            together with ``limiter`` (set the rate on the shared limiter instead).
        max_in_flight: Most requests waiting for an answer at once (default 10).
        max_retries: Retries after the first attempt of a request (default 5).
        timeout: Seconds per attempt (default 60; connecting gets at most 10 of them), or
            an ``aiohttp.ClientTimeout``.
        quota_reserve: Daily calls to leave for others: a request that would leave fewer
            raises :class:`QuotaExhaustedError` before being sent.
        limiter: A pacer shared with other sessions (see :mod:`insightly_async.limits`).
        session: A caller-owned ``aiohttp.ClientSession`` to send with; it is never
            closed by this session.
        transport: Anything that makes one HTTP exchange (see
            :mod:`insightly_async.transport`), e.g. ``testing.MockTransport`` in tests.
            Not allowed together with ``session``.
        backoff: The retry timing: exponential backoff with full jitter, honouring
            ``Retry-After`` (default ``Backoff(base=0.5, cap=30.0, max_retry_after=120.0)``,
            from ``insightly_async._sansio``).
        max_response_bytes: The longest answer read (default 64 MiB): a longer one
            stops being read as soon as it shows and raises
            :class:`MalformedResponseError`, so a broken proxy cannot exhaust memory.
        redis: A Redis URL (``redis://host:6379/0``) or ``redis.asyncio.Redis`` client
            (the ``redis`` extra): the session joins the account's fleet, sharing its
            pacer, slow-down, daily quota and reserve with every process using that Redis
            and account (see :mod:`insightly_async.redis`). Not allowed with ``limiter``.
        redis_key: The fleet's key prefix in Redis (default: derived from the account).
        redis_policy: When Redis is unreachable: ``"wait"`` (send nothing until it is
            back, the default) or ``"local"`` (go on alone, with a warning).

    Raises:
        ValidationError: a missing key, a malformed pod, an unsafe URL or a bad option.
    """

    _client: Client

    def __init__(
        self,
        api_key: str | None = None,
        *,
        pod: str | None = None,
        base_url: str | None = None,
        rate: float | None = None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float | aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        quota_reserve: int = 0,
        limiter: RateLimiter | None = None,
        session: aiohttp.ClientSession | None = None,
        transport: Transport | None = None,
        backoff: _sansio.Backoff | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        redis: str | Any | None = None,
        redis_key: str | None = None,
        redis_policy: str = "wait",
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("INSIGHTLY_API_KEY")
        if key is None:
            raise ValidationError("api_key", "is required (pass api_key= or set INSIGHTLY_API_KEY)")
        auth = _sansio.auth_header(key)  # the only place the key is kept, inside the funnel
        if pod is None and base_url is None:
            base_url = os.environ.get("INSIGHTLY_BASE_URL") or None
            pod = None if base_url else (os.environ.get("INSIGHTLY_POD") or None)
        root = _sansio.base_url_for(pod=pod, base_url=base_url)
        if (
            isinstance(max_in_flight, bool)
            or not isinstance(max_in_flight, int)
            or max_in_flight < 1
        ):
            raise ValidationError("max_in_flight", f"must be an int >= 1, got {max_in_flight!r}")
        if limiter is not None and rate is not None:
            raise ValidationError("rate", "set the rate on the shared limiter, not on the session")
        if limiter is not None and not isinstance(limiter, RateLimiter):
            raise ValidationError("limiter", "must have acquire(), on_throttled(), on_success()")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ValidationError("session", "must be an aiohttp.ClientSession")
        if transport is not None:
            if session is not None:
                raise ValidationError("transport", "give either session or transport, not both")
            if not isinstance(transport, Transport):
                raise ValidationError("transport", "must have send(request) and aclose()")
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1024
        ):
            raise ValidationError(
                "max_response_bytes", f"must be an int >= 1024, got {max_response_bytes!r}"
            )
        per_attempt = as_timeout(timeout)
        pacer: RateLimiter
        quota: QuotaGate
        self._redis: Any = None  # a Redis client this session made, closed with it
        if redis is not None:
            if limiter is not None:
                raise ValidationError("redis", "give either redis or limiter, not both")
            pacer, quota = self._fleet(
                redis,
                api_key=key,
                root=root,
                rate=rate,
                reserve=quota_reserve,
                key=redis_key,
                policy=redis_policy,
            )
        else:
            pace = DEFAULT_RATE if rate is None else rate
            pacer = limiter if limiter is not None else Pacer(pace)
            quota = Quota(reserve=quota_reserve)
        funnel = Funnel(
            transport=transport or AiohttpTransport(session, max_connections=max_in_flight),
            auth_header=auth,
            limiter=pacer,
            quota=quota,
            max_in_flight=max_in_flight,
            backoff=backoff or _sansio.Backoff(),
            max_body=max_response_bytes,
        )
        self._client = Client(root, funnel, max_retries=max_retries, timeout=per_attempt)

    def _fleet(
        self,
        redis: str | Any,
        *,
        api_key: str,
        root: str,
        rate: float | None,
        reserve: int,
        key: str | None,
        policy: str,
    ) -> tuple[RateLimiter, QuotaGate]:
        """The shared pacer and quota of the account's fleet in ``redis``."""
        try:
            from insightly_async import redis as fleet  # noqa: PLC0415 - the redis extra
        except ImportError:
            raise ValidationError(
                "redis",
                "needs the redis extra (redis-py): pip install '.[redis]' or pip install redis",
            ) from None
        if policy not in fleet.POLICIES:
            raise ValidationError(
                "redis_policy", f"must be one of {fleet.POLICIES}, got {policy!r}"
            )
        if key is not None and (not isinstance(key, str) or not key):
            raise ValidationError("redis_key", f"must be a non-empty string, got {key!r}")
        if isinstance(redis, str):
            try:
                client = self._redis = fleet.connect(redis)
            except ValueError as exc:
                raise ValidationError("redis", f"not a Redis URL: {exc}") from None
        else:
            client = redis
        prefix = key or fleet.account_key(root, api_key)
        pace = fleet.FLEET_RATE if rate is None else rate
        pacer = fleet.RedisPacer(client, key=prefix, rate=pace, policy=policy)
        quota = fleet.RedisQuota(client, key=prefix, reserve=reserve, policy=pacer.link.policy)
        return pacer, quota

    # --- state ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._client.base_url

    @property
    def quota(self) -> QuotaGate:
        """The daily allowance as the API last reported it (``limit``, ``remaining``)."""
        return self._client.quota

    @property
    def limiter(self) -> RateLimiter:
        """The pacer; pass it as ``limiter=`` to share it with other sessions."""
        return self._client.limiter

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt of a request."""
        return self._client.max_retries

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        """The limits of one attempt."""
        limits = self._client.timeout
        return aiohttp.ClientTimeout(
            total=limits.total, connect=limits.connect, sock_read=limits.read
        )

    @property
    def requests_sent(self) -> int:
        """Requests sent so far by this session and its views (every attempt, retries
        included: each counts against the daily allowance)."""
        return self._client.requests_sent

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (on this session or the one it is a view of)."""
        return self._client.closed

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        timeout: float | aiohttp.ClientTimeout | None = None,
    ) -> InsightlySession:
        """A view of this session with other retry or timeout settings.

        The view shares everything else (connection pool, pacer, quota) and needs no
        closing of its own: ``crm.with_options(max_retries=0).contacts.get(42)``. Closing
        a view (``aclose`` or ``async with``) leaves the session it came from open.

        Args:
            max_retries: Retries after the first attempt (default: this session's).
            timeout: Seconds per attempt, or an ``aiohttp.ClientTimeout`` (default: this
                session's).

        Returns:
            The view: an ``InsightlySession`` with every resource attribute.

        Raises:
            ValidationError: a negative ``max_retries`` or a bad ``timeout``.
        """
        view = object.__new__(type(self))
        view._client = self._client.with_options(max_retries=max_retries, timeout=timeout)
        view._redis = None
        return view

    # --- resources by name -----------------------------------------------------------------

    @staticmethod
    def resource_names() -> tuple[str, ...]:
        """The names of the record-type attributes (``contacts``, ``price_books``…).

        Returns:
            The attribute names, in the catalog's order (custom objects are not among
            them: see :meth:`custom_object`).
        """
        return tuple(record_type.name for record_type in CATALOG)

    def resource(self, name: str) -> Any:
        """The resource of a record type by attribute name (``"contacts"``) or of a custom
        object by its name (``"Fruit__c"``).

        Args:
            name: An attribute name from :meth:`resource_names`, or a custom object's name.

        Returns:
            The same object as ``getattr(crm, name)`` or ``crm.custom_object(name)``.

        Raises:
            ValidationError: ``name`` is neither.
        """
        if isinstance(name, str) and name in self.resource_names():
            return getattr(self, name)
        if isinstance(name, str) and CUSTOM_OBJECT_NAME.fullmatch(name):
            return self.custom_object(name)
        raise ValidationError(
            "name",
            f"{name!r} is not a record type (one of {', '.join(self.resource_names())}) "
            "nor a custom object name such as 'Fruit__c'",
        )

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> InsightlySession:
        transport = self._client.transport
        if self.closed:
            raise SessionClosedError("this InsightlySession is closed")
        if isinstance(transport, AiohttpTransport):
            transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (unless the caller owns it). Safe to call twice.

        On a view from :meth:`with_options` it does nothing: the session owns the pool.
        """
        if self._client.is_view or self._client.closed:
            return
        await self._client.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return (
            f"<InsightlySession {self.base_url} rate={getattr(self.limiter, 'rate', '?')} "
            f"max_retries={self.max_retries} {state}>"
        )
