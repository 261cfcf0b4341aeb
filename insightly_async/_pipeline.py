"""The request funnel: every request of a session goes through :meth:`Funnel.request`.

One attempt is: take an in-flight slot, check the daily quota, wait for the pacer, send
through the transport, decode the answer. Then the funnel returns, raises, or sleeps and
tries again; each retry goes through the slot, the quota and the pacer like a first
attempt. What an answer means is decided by the pure functions of :mod:`._sansio`; how it
travels is the :class:`~insightly_async.transport.Transport`'s.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async import _sansio
from insightly_async._exceptions import (
    APIConnectionError,
    APIStatusError,
    MalformedResponseError,
    NotFoundError,
)
from insightly_async._facts import wire
from insightly_async._sansio import Answer
from insightly_async.limits import Permit, RateLimiter
from insightly_async.quota import QuotaGate
from insightly_async.transport import (
    Request,
    Response,
    ResponseTooLargeError,
    Timeout,
    Transport,
    TransportError,
)

__all__ = ["Funnel"]

logger = logging.getLogger("insightly_async")

_NO_HEADERS: Final = CIMultiDictProxy(CIMultiDict[str]())


class Funnel:
    """Paces, sends, decodes, and retries or raises. Shared by a session and its views."""

    def __init__(
        self,
        *,
        transport: Transport,
        auth_header: str,
        limiter: RateLimiter,
        quota: QuotaGate,
        max_in_flight: int,
        backoff: _sansio.Backoff,
        max_body: int | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.transport = transport
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
        self.sent = 0  # attempts handed to the transport, retries included
        self.max_body = max_body  # the largest answer body read, in bytes

    async def request(
        self,
        method: str,
        url: str,
        *,
        max_retries: int,
        timeout: Timeout,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        if_match: str | None = None,
        retry_unknown_outcome: bool | None = None,
        missing_ok_after_retry: bool = False,
    ) -> Answer:
        """Send one logical request, retrying what is safe to retry.

        Args:
            method: HTTP method.
            url: Absolute URL built by :func:`_sansio.build_url`.
            max_retries: Retries after the first attempt.
            timeout: Per-attempt limits.
            params: Query parameters, already encoded.
            json_body: Body to send as JSON.
            if_match: ``If-Match`` header value.
            retry_unknown_outcome: Whether a failure after the request may have reached
                the server (connection dropped, timeout, 500/502/504) is retried (default:
                :func:`_sansio.retries_unknown_outcome`).
            missing_ok_after_retry: A 404 on a retry that followed an unknown outcome
                counts as success (a DELETE that was applied the first time).
        """
        if retry_unknown_outcome is None:
            retry_unknown_outcome = _sansio.retries_unknown_outcome(
                method, if_match=if_match is not None
            )
        headers = dict(self._headers)
        if if_match is not None:
            headers[wire.IF_MATCH] = if_match
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = Request(method, url, params or {}, headers, body, timeout, self.max_body)

        unknown_before = False
        retry = 0
        while True:
            try:
                return await self._attempt(request, attempt=retry + 1)
            except NotFoundError:
                if missing_ok_after_retry and unknown_before:
                    logger.debug("%s %s: gone after an unknown outcome: done", method, _path(url))
                    return Answer(404, _NO_HEADERS, None, method, url)
                raise
            except (APIConnectionError, APIStatusError, MalformedResponseError) as error:
                if isinstance(error, APIConnectionError) and error.outcome_unknown:
                    unknown_before = True
                if not _sansio.worth_retrying(
                    error, method=method, retry_unknown_outcome=retry_unknown_outcome
                ):
                    raise
                retry_after = _sansio.retry_after_of(error)
                allowed = max_retries
                cause = type(error).__name__
                if isinstance(error, APIConnectionError) and error.host_unknown:
                    # A name that did not resolve twice will not: a wrong pod or URL.
                    allowed, cause = min(max_retries, 1), _sansio.HOST_UNKNOWN
                if retry >= allowed or self._backoff.gives_up_on(retry_after):
                    raise
                retry += 1
                delay = self._backoff.delay(retry, self._rng, retry_after)
                logger.debug(
                    "%s %s: retry %d of %d in %.2fs after %s",
                    method,
                    _path(url),
                    retry,
                    allowed,
                    delay,
                    cause,
                )
                await self._sleep(delay)

    async def _attempt(self, request: Request, *, attempt: int) -> Answer:
        method, url = request.method, request.url
        queued = time.monotonic()
        self.quota.check()  # fail fast, before queueing for a slot
        async with self._slots:
            await self.quota.enter()
            response: Response | None = None
            sent: float | None = None
            permit: Permit | None = None
            reached = True  # the request may have reached the server
            too_large: ResponseTooLargeError | None = None
            try:
                permit = await self.limiter.acquire()
                # The allowance may have been found spent while this request waited.
                await self.quota.recheck()
                sent = time.monotonic()
                self.sent += 1
                if permit is not None:
                    permit.sending()
                    request = attrs.evolve(request, on_written=_reporter(permit))
                response = await self.transport.send(request)
            except TransportError as exc:
                reached = exc.sent
                raise _sansio.connection_error(
                    method=method,
                    url=url,
                    message=str(exc),
                    sent=exc.sent,
                    timeout=exc.timeout,
                    host_unknown=exc.host_unknown,
                ) from exc
            except ResponseTooLargeError as exc:
                too_large = exc
                response = Response(exc.status, exc.headers)
            finally:
                if permit is not None:
                    permit.finished(sent=sent is not None and reached)
                if response is None:
                    await self.quota.leave(None, None)
                    if sent is not None:
                        logger.debug(
                            "%s %s -> no answer (attempt %d, waited %.3fs, took %.3fs)",
                            method,
                            _path(url),
                            attempt,
                            sent - queued,
                            time.monotonic() - sent,
                        )
                else:
                    await self.quota.leave(response.status, response.headers)

        assert sent is not None
        status, headers = response.status, response.headers
        logger.debug(
            "%s %s -> %d (attempt %d, waited %.3fs, took %.3fs)",
            method,
            _path(url),
            status,
            attempt,
            sent - queued,
            time.monotonic() - sent,
        )
        if status == 429 and not wire.is_daily_quota_429(status, headers):
            told = self.limiter.on_throttled()
        else:
            told = self.limiter.on_success()
        if told is not None:
            await told
        if too_large is not None:
            raise MalformedResponseError(
                f"the answer is larger than the session's limit of {too_large.limit:,} bytes "
                "(max_response_bytes)",
                status=status,
                method=method,
                url=url,
                text="",
            ) from too_large
        return _sansio.decode_answer(
            method=method,
            url=url,
            status=status,
            headers=headers,
            body=response.body,
            sent_if_match=wire.IF_MATCH in request.headers,
            quota_reserve=self.quota.reserve,
        )


def _reporter(permit: Permit) -> Callable[[bool], None]:
    def written(new_connection: bool) -> None:
        permit.written(new_connection=new_connection)

    return written


def _path(url: str) -> str:
    # Log the path only: shorter, and the API key never travels in URLs anyway.
    start = url.find("/", url.find("://") + 3)
    return url[start:] if start >= 0 else url
