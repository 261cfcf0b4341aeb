"""InsightlySession: configuration, the aiohttp session, the pacer and the quota."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Final, TypeVar

import aiohttp
import attrs

from insightly_async import _sansio
from insightly_async._exceptions import SessionClosedError, ValidationError
from insightly_async._pipeline import Funnel, Response
from insightly_async.limits import DEFAULT_RATE, Pacer, RateLimiter
from insightly_async.pagination import Paginator
from insightly_async.quota import Quota
from insightly_async.resources import SessionResources

__all__ = ["InsightlySession"]

T = TypeVar("T")

# One second's worth of requests at the ceiling: enough to keep 10 per second going while
# responses take up to a second, few enough not to look like a flood. Measured in
# benchmarks/bench_pacing.py (README, "Pacing").
DEFAULT_MAX_IN_FLIGHT: Final = 10
DEFAULT_MAX_RETRIES: Final = 5
DEFAULT_TIMEOUT: Final = 60.0
_USER_AGENT: Final = "insightly-async"


@attrs.define
class _Core:
    """What a session and the views made by ``with_options`` share."""

    base_url: str
    funnel: Funnel
    http: aiohttp.ClientSession | None
    owns_http: bool
    max_in_flight: int
    closed: bool = False


def _timeout(value: object) -> aiohttp.ClientTimeout:
    if isinstance(value, aiohttp.ClientTimeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValidationError(
            "timeout", f"must be a positive number of seconds or a ClientTimeout, got {value!r}"
        )
    return aiohttp.ClientTimeout(total=float(value), connect=min(float(value), 10.0))


def _retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("max_retries", f"must be an int >= 0, got {value!r}")
    return value


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
        rate: Requests per second (default 9.8, just under the 10/s ceiling). Not allowed
            together with ``limiter`` (set the rate on the shared limiter instead).
        max_in_flight: Most requests waiting for an answer at once.
        max_retries: Retries after the first attempt of a request.
        timeout: Seconds per attempt, or an ``aiohttp.ClientTimeout``.
        quota_reserve: Daily calls to leave for others: a request that would leave fewer
            raises :class:`QuotaExhaustedError` before being sent.
        limiter: A pacer shared with other sessions (see :mod:`insightly_async.limits`).
        session: A caller-owned ``aiohttp.ClientSession`` to send with; it is never
            closed by this session.

    Raises:
        ValidationError: a missing key, a malformed pod, an unsafe URL or a bad option.
    """

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
        backoff: _sansio.Backoff | None = None,
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
        self._max_retries = _retries(max_retries)
        self._is_view = False
        self._timeout = _timeout(timeout)
        pacer = limiter if limiter is not None else Pacer(DEFAULT_RATE if rate is None else rate)
        funnel = Funnel(
            http=self._http,
            auth_header=auth,
            limiter=pacer,
            quota=Quota(reserve=quota_reserve),
            max_in_flight=max_in_flight,
            backoff=backoff or _sansio.Backoff(),
        )
        self._core = _Core(
            base_url=root,
            funnel=funnel,
            http=session,
            owns_http=session is None,
            max_in_flight=max_in_flight,
        )

    # --- state ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._core.base_url

    @property
    def quota(self) -> Quota:
        """The daily allowance as the API last reported it (``limit``, ``remaining``)."""
        return self._core.funnel.quota

    @property
    def limiter(self) -> RateLimiter:
        """The pacer; pass it as ``limiter=`` to share it with other sessions."""
        return self._core.funnel.limiter

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        return self._timeout

    @property
    def closed(self) -> bool:
        return self._core.closed

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
        """
        view = object.__new__(type(self))
        view._core = self._core
        view._is_view = True
        view._max_retries = self._max_retries if max_retries is None else _retries(max_retries)
        view._timeout = self._timeout if timeout is None else _timeout(timeout)
        return view

    # --- lifecycle ---------------------------------------------------------------------------

    def _http(self) -> aiohttp.ClientSession:
        core = self._core
        if core.closed:
            raise SessionClosedError("this InsightlySession is closed")
        if core.http is None:
            core.http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=core.max_in_flight, limit_per_host=core.max_in_flight
                ),
                headers={"User-Agent": _USER_AGENT},
                raise_for_status=False,
            )
        elif core.http.closed:
            raise SessionClosedError(
                "the aiohttp.ClientSession given to InsightlySession is closed"
            )
        return core.http

    async def __aenter__(self) -> InsightlySession:
        self._http()
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
        core = self._core
        if core.closed or self._is_view:
            return
        core.closed = True
        if core.owns_http and core.http is not None:
            await core.http.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return (
            f"<InsightlySession {self.base_url} rate={getattr(self.limiter, 'rate', '?')} "
            f"max_retries={self._max_retries} {state}>"
        )

    # --- used by the resources -------------------------------------------------------------------

    def _url(self, *segments: str | int) -> str:
        return _sansio.build_url(self._core.base_url, *segments)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        json: Any = None,
        if_match: str | None = None,
        retry_unknown_outcome: bool | None = None,
        missing_ok_after_retry: bool = False,
    ) -> Response:
        if self._core.closed:
            raise SessionClosedError("this InsightlySession is closed")
        return await self._core.funnel.request(
            method,
            url,
            max_retries=self._max_retries,
            timeout=self._timeout,
            params=_sansio.encode_query(params) if params else None,
            json_body=json,
            if_match=if_match,
            retry_unknown_outcome=retry_unknown_outcome,
            missing_ok_after_retry=missing_ok_after_retry,
        )

    def _paginate(
        self,
        url: str,
        parse: Callable[[Any], T],
        *,
        params: Mapping[str, object] | None = None,
        page_size: int = _sansio.MAX_PAGE_SIZE,
        count_total: bool = False,
        concurrency: int = 1,
        paged: bool = True,
        start: int = 0,
    ) -> Paginator[T]:
        async def fetch(page_params: Mapping[str, str]) -> Response:
            return await self._send("GET", url, params=page_params)

        return Paginator(
            fetch,
            parse,
            params=_sansio.encode_query(params or {}),
            page_size=page_size,
            count_total=count_total,
            concurrency=concurrency,
            paged=paged,
            start=start,
        )
