"""The session core: what every resource talks to.

A :class:`Client` holds the API root and the request funnel (and through it the
transport, the pacer and the quota), plus the per-view options (retries, timeout). It
builds URLs and sends requests; it knows nothing of record types or models, so the
resources above it depend on it and never on the public session class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import attrs

from insightly_async import _sansio
from insightly_async._exceptions import SessionClosedError, ValidationError
from insightly_async._pipeline import Funnel
from insightly_async._sansio import Answer
from insightly_async.limits import RateLimiter
from insightly_async.quota import QuotaGate
from insightly_async.transport import Timeout, Transport

__all__ = ["Answer", "Client", "as_timeout", "validate_retries"]


def as_timeout(value: object) -> Timeout:
    """A session's ``timeout`` option: seconds per attempt, or an ``aiohttp.ClientTimeout``.

    Raises:
        ValidationError: anything else.
    """
    if isinstance(value, aiohttp.ClientTimeout):
        return Timeout(total=value.total, connect=value.connect, read=value.sock_read)
    if isinstance(value, Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValidationError(
            "timeout", f"must be a positive number of seconds or a ClientTimeout, got {value!r}"
        )
    return Timeout(total=float(value), connect=min(float(value), 10.0))


def validate_retries(value: object) -> int:
    """A ``max_retries`` option: an int >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("max_retries", f"must be an int >= 0, got {value!r}")
    return value


@attrs.define
class _Shared:
    """What a client and the views made by :meth:`Client.with_options` share."""

    base_url: str
    funnel: Funnel
    closed: bool = False


class Client:
    """The API root, the funnel, and the options of one view of a session."""

    def __init__(
        self, base_url: str, funnel: Funnel, *, max_retries: int, timeout: Timeout
    ) -> None:
        self._shared = _Shared(base_url, funnel)
        self.max_retries = validate_retries(max_retries)
        self.timeout = timeout
        self.is_view = False

    @property
    def base_url(self) -> str:
        return self._shared.base_url

    @property
    def quota(self) -> QuotaGate:
        return self._shared.funnel.quota

    @property
    def limiter(self) -> RateLimiter:
        return self._shared.funnel.limiter

    @property
    def transport(self) -> Transport:
        return self._shared.funnel.transport

    @property
    def closed(self) -> bool:
        return self._shared.closed

    @property
    def requests_sent(self) -> int:
        return self._shared.funnel.sent

    def with_options(self, *, max_retries: int | None = None, timeout: object = None) -> Client:
        """A view sharing everything but the retry and timeout options."""
        view = object.__new__(Client)
        view._shared = self._shared
        view.max_retries = (
            self.max_retries if max_retries is None else validate_retries(max_retries)
        )
        view.timeout = self.timeout if timeout is None else as_timeout(timeout)
        view.is_view = True
        return view

    def url(self, *segments: str | int) -> str:
        """The API root joined with validated path segments."""
        return _sansio.build_url(self._shared.base_url, *segments)

    def query(self, params: Mapping[str, object]) -> dict[str, str]:
        """Query parameters encoded as the API reads them (see :func:`_sansio.encode_query`).

        Raises:
            ValidationError: a value that cannot be sent, naming its key.
        """
        return _sansio.encode_query(params)

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        json: Any = None,
        if_match: str | None = None,
        retry_unknown_outcome: bool | None = None,
        missing_ok_after_retry: bool = False,
    ) -> Answer:
        """Send one request through the funnel (see :meth:`Funnel.request`).

        Raises:
            SessionClosedError: the session is closed.
        """
        if self._shared.closed:
            raise SessionClosedError("this InsightlySession is closed")
        if if_match is not None:
            if_match = _sansio.header_value("if_match", if_match)
        return await self._shared.funnel.request(
            method,
            url,
            max_retries=self.max_retries,
            timeout=self.timeout,
            params=self.query(params) if params else None,
            json_body=json,
            if_match=if_match,
            retry_unknown_outcome=retry_unknown_outcome,
            missing_ok_after_retry=missing_ok_after_retry,
        )

    async def aclose(self) -> None:
        """Close the transport. A view leaves it open; safe to call twice."""
        if self._shared.closed or self.is_view:
            return
        self._shared.closed = True
        await self._shared.funnel.transport.aclose()
