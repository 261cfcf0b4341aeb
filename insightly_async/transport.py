"""The transport seam: how one HTTP exchange is made, and nothing more.

The request funnel sends every attempt through a :class:`Transport`: a :class:`Request`
in (method, URL, query, headers, body, timeout), a :class:`Response` out (status, headers,
body), or a :class:`TransportError` that says whether the request may have reached the
server. Pacing, the daily quota, retries and decoding stay in the funnel, so a transport
is small, and a test (or a user's test) can replace the network with a function, as
``httpx.MockTransport`` does::

    from insightly_async import InsightlySession
    from insightly_async.testing import MockTransport
    from insightly_async.transport import Request, Response

    def handler(request: Request) -> Response:
        return Response.with_json({"USER_ID": 1, "FIRST_NAME": "Ada"})

    async with InsightlySession("key", pod="na1", transport=MockTransport(handler)) as crm:
        me = await crm.users.me()

:class:`AiohttpTransport` is the default: aiohttp, with one attempt per call (aiohttp's own
silent resend of an idempotent request on a dropped keep-alive connection is turned off).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Protocol, runtime_checkable

import aiohttp
import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async._exceptions import SessionClosedError

__all__ = [
    "AiohttpTransport",
    "Request",
    "Response",
    "ResponseTooLargeError",
    "Timeout",
    "Transport",
    "TransportError",
]

_USER_AGENT: Final = "insightly-async"


@attrs.frozen
class Timeout:
    """Limits of one attempt, in seconds (``None``: no limit).

    Attributes:
        total: The whole exchange, from connecting to the last byte of the answer.
        connect: Getting a connection (from the pool, or a new one with its handshake).
        read: Between two reads of the answer.
    """

    total: float | None = None
    connect: float | None = None
    read: float | None = None


@attrs.frozen
class Request:
    """One attempt of a request, exactly as it goes on the wire.

    Attributes:
        method: ``GET``, ``POST``, ``PUT`` or ``DELETE``.
        url: The absolute URL, without the query.
        params: The query parameters, already encoded as strings.
        headers: Every header to send (``Authorization`` included: never log it).
        body: The body, or ``None``.
        timeout: The limits of this attempt.
        max_body: The largest answer body to read, in bytes (``None``: no limit); a
            longer one raises :class:`ResponseTooLargeError` as soon as it shows.
        on_written: Called by the transport the moment the request is written, with
            ``True`` when it went on a connection opened for it (the pacer counts requests
            as the server sees them; a transport that cannot tell may leave it uncalled).
    """

    method: str
    url: str
    params: Mapping[str, str] = attrs.field(factory=dict)
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    body: bytes | None = attrs.field(default=None, repr=False)
    timeout: Timeout = Timeout()
    max_body: int | None = None
    on_written: Callable[[bool], None] | None = attrs.field(default=None, repr=False, eq=False)


def _headers(value: Mapping[str, str] | CIMultiDictProxy[str]) -> CIMultiDictProxy[str]:
    if isinstance(value, CIMultiDictProxy):
        return value
    return CIMultiDictProxy(CIMultiDict(value))


@attrs.frozen
class Response:
    """The answer to one attempt: any status, the headers and the raw body.

    Attributes:
        status: The HTTP status.
        headers: The headers, case-insensitive.
        body: The raw body (empty when there is none).
    """

    status: int
    headers: CIMultiDictProxy[str] = attrs.field(converter=_headers)
    body: bytes = b""

    @classmethod
    def with_json(
        cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """An answer whose body is ``data`` as JSON (for tests and fake transports).

        Args:
            data: Anything ``json.dumps`` takes.
            status: The HTTP status.
            headers: Headers besides ``Content-Type`` (which says JSON).

        Returns:
            The answer.
        """
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        body = json.dumps(data, ensure_ascii=False).encode()
        return cls(status, all_headers, body)


class TransportError(Exception):
    """No answer: the connection could not be made, broke, or timed out.

    Args:
        message: What happened.
        sent: As below.
        timeout: As below.

    Attributes:
        sent: The request may have reached the server (all or part of it was written).
            ``False`` only when it certainly did not: the connection was never made.
        timeout: The attempt ran out of time.
        host_unknown: The server's host name could not be resolved.
    """

    def __init__(
        self, message: str, *, sent: bool, timeout: bool = False, host_unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.sent = sent
        self.timeout = timeout
        self.host_unknown = host_unknown


class ResponseTooLargeError(Exception):
    """The answer's body is longer than the request's ``max_body``: reading stopped.

    Attributes:
        status: The answer's status.
        headers: The answer's headers.
        limit: The limit it went over, in bytes.
    """

    def __init__(self, status: int, headers: CIMultiDictProxy[str], limit: int) -> None:
        super().__init__(f"the answer is larger than {limit:,} bytes")
        self.status = status
        self.headers = headers
        self.limit = limit


@runtime_checkable
class Transport(Protocol):
    """What the request funnel needs to make one exchange."""

    async def send(self, request: Request) -> Response:
        """Make one attempt; raise :class:`TransportError` when there is no answer.

        Args:
            request: The attempt, exactly as it goes on the wire.

        Returns:
            The answer, whatever its status.
        """

    async def aclose(self) -> None:
        """Release what the transport holds (connections). Safe to call twice."""


_DROPPED = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)
_Handler = Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]]
_Middleware = Callable[[aiohttp.ClientRequest, _Handler], Awaitable[aiohttp.ClientResponse]]


def _one_attempt() -> _Middleware:
    """A client middleware that allows aiohttp exactly one try per call.

    aiohttp calls the middleware chain again for its own resend of an idempotent request
    on a dropped keep-alive connection (aio-libs/aiohttp#10790): that resend would pass
    the pacer by and could apply a PUT twice. The second call re-raises the first error.
    """
    first_error: BaseException | None = None

    async def middleware(
        request: aiohttp.ClientRequest, handler: _Handler
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


async def _read(resp: aiohttp.ClientResponse, limit: int | None) -> bytes:
    """The body, read no further than ``limit`` bytes (declared length or not)."""
    if limit is None:
        return await resp.read()
    declared = resp.content_length
    if declared is not None and declared > limit:
        raise ResponseTooLargeError(resp.status, resp.headers, limit)
    if declared is not None and resp.headers.get("Content-Encoding", "identity") == "identity":
        # Exactly the declared length, within the limit (aiohttp reads no further than
        # Content-Length): read as resp.read() reads it, with nothing on top.
        return await resp.read()
    # Chunked, or compressed (the limit is on what it inflates to): counted as it comes.
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLargeError(resp.status, resp.headers, limit)
        chunks.append(chunk)
    return b"".join(chunks)


class _Sending:
    """What the trace hooks know of one request: whether its connection is new."""

    __slots__ = ("new_connection", "on_written")

    def __init__(self, on_written: Callable[[bool], None]) -> None:
        self.on_written = on_written
        self.new_connection = False


async def _connection_created(_: object, context: Any, __: object) -> None:
    sending = context.trace_request_ctx
    if isinstance(sending, _Sending):
        sending.new_connection = True


async def _headers_sent(_: object, context: Any, __: object) -> None:
    sending = context.trace_request_ctx
    if isinstance(sending, _Sending):
        sending.on_written(sending.new_connection)


def _trace_config() -> aiohttp.TraceConfig:
    """Hooks that report when each request is written, and on what kind of connection."""
    config = aiohttp.TraceConfig()
    config.on_connection_create_end.append(_connection_created)
    config.on_request_headers_sent.append(_headers_sent)
    config.freeze()
    return config


class AiohttpTransport:
    """The default transport: an aiohttp connection pool.

    Args:
        session: A caller-owned ``aiohttp.ClientSession`` to send with; it is never closed
            here. Without one, the transport makes its own on first use and closes it in
            :meth:`aclose`. A caller's session gets one more trace config, which reports
            when this transport's requests are written and ignores all others.
        max_connections: The size of the pool it makes (ignored with ``session``).
    """

    def __init__(
        self, session: aiohttp.ClientSession | None = None, *, max_connections: int = 10
    ) -> None:
        self._trace = _trace_config()
        self._session = session
        self._owns = session is None
        self._max_connections = max_connections
        self._closed = False
        if session is not None:
            session.trace_configs.append(self._trace)

    def _client(self) -> aiohttp.ClientSession:
        if self._closed:
            raise SessionClosedError("this transport is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections, limit_per_host=self._max_connections
                ),
                headers={"User-Agent": _USER_AGENT},
                raise_for_status=False,
                trace_configs=[self._trace],
            )
        elif self._session.closed:
            raise SessionClosedError(
                "the aiohttp.ClientSession given to InsightlySession is closed"
            )
        return self._session

    def open(self) -> None:
        """Make the connection pool now (it is made on first use otherwise)."""
        self._client()

    async def send(self, request: Request) -> Response:
        """Make one attempt through the pool (aiohttp's own resend is turned off).

        Args:
            request: The attempt, exactly as it goes on the wire.

        Returns:
            The answer, whatever its status.

        Raises:
            TransportError: no answer (``sent`` says whether it may have arrived).
            ResponseTooLargeError: the body is longer than ``request.max_body``.
            SessionClosedError: the transport, or the caller's aiohttp session, is closed.
        """
        timeout = request.timeout
        try:
            async with self._client().request(
                request.method,
                request.url,
                params=request.params or None,
                data=request.body,
                headers=dict(request.headers),
                timeout=aiohttp.ClientTimeout(
                    total=timeout.total, connect=timeout.connect, sock_read=timeout.read
                ),
                allow_redirects=False,
                raise_for_status=False,  # even on a caller's session that says otherwise
                middlewares=(_one_attempt(),),
                trace_request_ctx=(
                    _Sending(request.on_written) if request.on_written is not None else None
                ),
            ) as resp:
                body = await _read(resp, request.max_body)
                return Response(resp.status, resp.headers, body)
        except asyncio.TimeoutError as exc:
            # A connect timeout means nothing was sent; after that, nobody knows.
            unsent = isinstance(exc, aiohttp.ConnectionTimeoutError)
            raise TransportError(
                f"timed out ({type(exc).__name__})", sent=not unsent, timeout=True
            ) from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise TransportError(
                f"cannot resolve the host name: {exc.os_error}", sent=False, host_unknown=True
            ) from exc
        except aiohttp.ClientConnectorCertificateError as exc:
            raise TransportError(f"TLS certificate rejected: {exc}", sent=False) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransportError(f"cannot connect: {exc.os_error}", sent=False) from exc
        except aiohttp.ClientError as exc:
            raise TransportError(
                f"connection failed: {type(exc).__name__}: {exc}", sent=True
            ) from exc

    async def aclose(self) -> None:
        """Close the pool it made (never a caller's session). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._owns and self._session is not None:
            await self._session.close()
