"""The request funnel: every request of a session goes through :meth:`Funnel.request`.

One attempt is: take an in-flight slot, check the daily quota, wait for the pacer, send,
read the whole body, decode it. Then the funnel returns, raises, or sleeps and tries
again; each retry goes through the slot, the quota and the pacer like a first attempt.

The funnel owns every attempt. aiohttp on its own resends an idempotent request once when
a kept-alive connection drops (aio-libs/aiohttp#10790); that resend would bypass the pacer
and could apply a PUT twice. A per-request client middleware (:func:`_one_attempt`) lets
aiohttp's first try through and turns its silent resend into the original error, which
the funnel then handles like any other dropped connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import aiohttp
import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async import _sansio
from insightly_async._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    MalformedResponseError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitError,
)
from insightly_async.limits import RateLimiter
from insightly_async.quota import Quota

__all__ = ["Funnel", "Response"]

logger = logging.getLogger("insightly_async")

IDEMPOTENT_METHODS: Final = frozenset({"GET", "PUT", "DELETE"})


@attrs.frozen
class Response:
    """A successful answer: status, headers and the decoded JSON body (``None`` if empty)."""

    status: int
    headers: CIMultiDictProxy[str]
    data: Any
    method: str
    url: str


_DROPPED = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


def _one_attempt() -> Callable[
    [aiohttp.ClientRequest, Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]]],
    Awaitable[aiohttp.ClientResponse],
]:
    """A client middleware that allows aiohttp exactly one try per call.

    aiohttp calls the middleware chain again for its own resend; the second call re-raises
    the error of the first instead of sending.
    """
    first_error: BaseException | None = None

    async def middleware(
        request: aiohttp.ClientRequest,
        handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
    ) -> aiohttp.ClientResponse:
        nonlocal first_error
        if first_error is not None:
            raise first_error
        try:
            return await handler(request)
        except _DROPPED as exc:
            first_error = exc
            raise

    return middleware


class Funnel:
    """Paces, sends, decodes, and retries or raises. Shared by a session and its views."""

    def __init__(
        self,
        *,
        http: Callable[[], aiohttp.ClientSession],
        auth_header: str,
        limiter: RateLimiter,
        quota: Quota,
        max_in_flight: int,
        backoff: _sansio.Backoff,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._headers = {
            "Authorization": auth_header,
            "Accept": "application/json",
        }
        self.limiter = limiter
        self.quota = quota
        self._slots = asyncio.Semaphore(max_in_flight)
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._sleep = sleep

    async def request(
        self,
        method: str,
        url: str,
        *,
        max_retries: int,
        timeout: aiohttp.ClientTimeout,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        if_match: str | None = None,
        retry_unknown_outcome: bool | None = None,
        missing_ok_after_retry: bool = False,
    ) -> Response:
        """Send one logical request, retrying what is safe to retry.

        Args:
            method: HTTP method.
            url: Absolute URL built by :func:`_sansio.build_url`.
            max_retries: Retries after the first attempt.
            timeout: Per-attempt timeout.
            params: Query parameters, already encoded.
            json_body: Body to send as JSON.
            if_match: ``If-Match`` header value.
            retry_unknown_outcome: Whether a failure after the request may have reached
                the server (connection dropped, timeout, 500/502/504) is retried. Default:
                yes for GET, PUT and DELETE, except a PUT with ``If-Match`` (a resent
                conditional write that was applied the first time would come back as a
                conflict, and the caller would apply its change twice).
            missing_ok_after_retry: A 404 on a retry that followed an unknown outcome
                counts as success (a DELETE that was applied the first time).
        """
        if retry_unknown_outcome is None:
            retry_unknown_outcome = method in IDEMPOTENT_METHODS and if_match is None
        headers = dict(self._headers)
        if if_match is not None:
            headers["If-Match"] = if_match
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"

        unknown_before = False
        retry = 0
        while True:
            try:
                return await self._attempt(
                    method,
                    url,
                    attempt=retry + 1,
                    params=params,
                    body=body,
                    headers=headers,
                    timeout=timeout,
                )
            except NotFoundError:
                if missing_ok_after_retry and unknown_before:
                    logger.debug("%s %s: gone after an unknown outcome: done", method, _path(url))
                    return Response(404, _NO_HEADERS, None, method, url)
                raise
            except (APIConnectionError, APIStatusError, MalformedResponseError) as error:
                if isinstance(error, APIConnectionError) and error.outcome_unknown:
                    unknown_before = True
                    if not retry_unknown_outcome:
                        raise
                elif not _worth_retrying(error, method, retry_unknown_outcome):
                    raise
                retry_after = _retry_after(error)
                if retry >= max_retries or self._backoff.gives_up_on(retry_after):
                    raise
                retry += 1
                delay = self._backoff.delay(retry, self._rng, retry_after)
                logger.debug(
                    "%s %s: retry %d of %d in %.2fs after %s",
                    method,
                    _path(url),
                    retry,
                    max_retries,
                    delay,
                    type(error).__name__,
                )
                await self._sleep(delay)

    async def _attempt(
        self,
        method: str,
        url: str,
        *,
        attempt: int,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: dict[str, str],
        timeout: aiohttp.ClientTimeout,
    ) -> Response:
        queued = time.monotonic()
        self.quota.check()  # fail fast, before queueing for a slot
        async with self._slots:
            self.quota.begin()
            status: int | None = None
            resp_headers: CIMultiDictProxy[str] | None = None
            sent: float | None = None
            try:
                await self.limiter.acquire()
                # The allowance may have been found spent while this request waited.
                self.quota.check_spent()
                sent = time.monotonic()
                async with self._http().request(
                    method,
                    url,
                    params=params,
                    data=body,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    raise_for_status=False,  # even on a caller's session that says otherwise
                    middlewares=(_one_attempt(),),
                ) as resp:
                    raw = await resp.read()
                    status = resp.status
                    resp_headers = resp.headers
            except asyncio.TimeoutError as exc:
                # A connect timeout means nothing was sent; any later one, nobody knows.
                unsent = isinstance(exc, aiohttp.ConnectionTimeoutError)
                raise APITimeoutError(
                    f"timed out ({exc.__class__.__name__})",
                    method=method,
                    url=url,
                    outcome_unknown=not unsent and method != "GET",
                ) from exc
            except aiohttp.ClientConnectorCertificateError as exc:
                raise APIConnectionError(
                    f"TLS certificate rejected: {exc}", method=method, url=url
                ) from exc
            except aiohttp.ClientConnectorError as exc:
                # Could not connect at all: nothing reached the server.
                raise APIConnectionError(
                    f"cannot connect: {exc.os_error}", method=method, url=url
                ) from exc
            except aiohttp.ClientError as exc:
                raise APIConnectionError(
                    f"connection failed: {type(exc).__name__}: {exc}",
                    method=method,
                    url=url,
                    outcome_unknown=method != "GET",
                ) from exc
            finally:
                self.quota.end(status, resp_headers)
                if status is None and sent is not None:
                    logger.debug(
                        "%s %s -> no answer (attempt %d, waited %.3fs, took %.3fs)",
                        method,
                        _path(url),
                        attempt,
                        sent - queued,
                        time.monotonic() - sent,
                    )

        assert sent is not None
        logger.debug(
            "%s %s -> %d (attempt %d, waited %.3fs, took %.3fs)",
            method,
            _path(url),
            status,
            attempt,
            sent - queued,
            time.monotonic() - sent,
        )
        if status == 429 and not _sansio.is_daily_quota_429(status, resp_headers):
            self.limiter.on_throttled()
        else:
            self.limiter.on_success()
        return self._decode(
            method, url, status, resp_headers, raw, sent_if_match="If-Match" in headers
        )

    def _decode(
        self,
        method: str,
        url: str,
        status: int,
        headers: CIMultiDictProxy[str],
        raw: bytes,
        *,
        sent_if_match: bool,
    ) -> Response:
        if 200 <= status < 300:
            if not raw.strip():
                return Response(status, headers, None, method, url)
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise MalformedResponseError(
                    "the body is not valid JSON",
                    status=status,
                    method=method,
                    url=url,
                    text=raw.decode("utf-8", errors="replace"),
                ) from exc
            return Response(status, headers, data, method, url)

        text = raw.decode("utf-8", errors="replace")
        body: Any
        try:
            body = json.loads(text) if text.strip() else ""
        except ValueError:
            body = text
        if _sansio.is_daily_quota_429(status, headers):
            reported = _sansio.parse_quota_headers(headers)
            raise QuotaExhaustedError(
                "the daily API allowance is spent (429 with X-RateLimit-Remaining: 0)",
                limit=reported.limit,
                remaining=0,
                reserve=self.quota.reserve,
            )
        raise _sansio.make_status_error(
            status=status,
            method=method,
            url=url,
            headers=headers,
            body=body,
            sent_if_match=sent_if_match,
        )


def _worth_retrying(
    error: APIConnectionError | APIStatusError | MalformedResponseError,
    method: str,
    retry_unknown_outcome: bool,
) -> bool:
    """Whether a failed attempt (whose outcome is known) deserves another one."""
    if isinstance(error, APIConnectionError):
        return True  # it certainly did not reach the server
    if isinstance(error, MalformedResponseError):
        # The server processed the request; only a read is safe to repeat.
        return method == "GET"
    if error.status in _sansio.NOT_APPLIED_STATUSES:
        return True
    return error.status in _sansio.RETRYABLE_STATUSES and retry_unknown_outcome


def _retry_after(error: Exception) -> float | None:
    if isinstance(error, RateLimitError):
        return error.retry_after
    if isinstance(error, APIStatusError):
        return _sansio.parse_retry_after(error.headers.get("Retry-After"))
    return None


def _path(url: str) -> str:
    # Log the path only: shorter, and the API key never travels in URLs anyway.
    start = url.find("/", url.find("://") + 3)
    return url[start:] if start >= 0 else url


_NO_HEADERS: Final = CIMultiDictProxy(CIMultiDict[str]())
