"""Exceptions raised by insightly_async.

Every error the SDK raises is an :class:`InsightlyError`; the transport's own exceptions
(aiohttp, asyncio timeouts) never leak, they are wrapped with ``from``::

    InsightlyError
    ├── ValidationError            bad input, caught before anything is sent (also a ValueError)
    ├── SessionClosedError         the session was closed (also a RuntimeError)
    ├── QuotaExhaustedError        daily allowance spent, or the caller's reserve reached
    ├── APIConnectionError         no usable answer: refused, reset, dropped; .outcome_unknown
    │   └── APITimeoutError        the request timed out
    ├── MalformedResponseError     an answer that is not the JSON it should be; .text
    │   └── ResponseValidationError   valid JSON that does not fit its model; .model .field
    │                                 .wire .value (also a ValueError)
    └── APIStatusError             any HTTP error status; .status .method .url .headers .body
        ├── BadRequestError        400
        ├── AuthenticationError    401
        ├── PermissionDeniedError  403
        ├── NotFoundError          404
        ├── ConflictError          412, or a stale If-Match answered 400
        ├── RateLimitError         429 with daily allowance left; .retry_after
        └── ServerError            5xx

URLs carried by errors never contain credentials: the API key travels only in the
``Authorization`` header, and that header is never stored on an error. Messages show control
characters escaped (a backslash and ``r``, never a raw line break), so neither input nor an
answer can forge lines in a log.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InsightlyError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuotaExhaustedError",
    "RateLimitError",
    "ResponseValidationError",
    "ServerError",
    "SessionClosedError",
    "ValidationError",
]

# Bodies kept on errors are cut to this many characters, so that a 5 MB HTML error page
# does not end up in a log line.
MAX_BODY_CHARS = 2000


def _clip(text: str, limit: int = MAX_BODY_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def escape_controls(text: str) -> str:
    """``text`` with control and other non-printable characters escaped (``\\n``, ``\\x1b``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _ValueRepr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = 60
        self.maxlong = 40
        self.maxother = 60

    def repr_int(self, x: int, level: int) -> str:
        # repr() of an integer of more than 4,300 digits raises ValueError.
        if x.bit_length() > 256:
            return f"<an integer of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_value_repr = _ValueRepr()


def show_value(value: object, limit: int = 80) -> str:
    """``value`` for an error message: a repr cut to ``limit`` characters, nested values cut
    a few levels down (however deep ``value`` goes), non-printable characters escaped."""
    text = escape_controls(_value_repr.repr(value))
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class InsightlyError(Exception):
    """Base class of every error raised by insightly_async."""


class ValidationError(InsightlyError, ValueError):
    """Input that cannot be sent. Raised before any request goes out.

    Its message reads ``"{field}: {message}"``. Also a ``ValueError``.

    Args:
        field: As below.
        message: What is wrong with it.

    Attributes:
        field: The name of the offending argument or record field (a dotted path for
            nested values, e.g. ``customfields[2].field_name``).
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(escape_controls(f"{field}: {message}"))


class SessionClosedError(InsightlyError, RuntimeError):
    """The session was used after ``aclose()`` (or its caller-owned aiohttp session closed)."""


class QuotaExhaustedError(InsightlyError):
    """The daily allowance is spent, or the next request would cross the reserve.

    Never retried: the allowance comes back over the next 24 hours, not in seconds.

    Args:
        message: What was refused, and why.
        limit: As below.
        remaining: As below.
        reserve: As below.

    Attributes:
        limit: The daily allowance (``X-RateLimit-Limit``), if known.
        remaining: Calls left (``X-RateLimit-Remaining``), if known.
        reserve: The reserve the session keeps for others (``quota_reserve``).
    """

    def __init__(
        self,
        message: str,
        *,
        limit: int | None = None,
        remaining: int | None = None,
        reserve: int = 0,
    ) -> None:
        self.limit = limit
        self.remaining = remaining
        self.reserve = reserve
        super().__init__(message)


class APIConnectionError(InsightlyError):
    """The request got no usable answer: refused, reset, dropped or timed out.

    Its message reads ``"{method} {url}: {message}"``, followed by ``(the request may have
    been applied)`` when ``outcome_unknown``.

    Args:
        message: What happened to the connection.
        method: As below.
        url: As below.
        outcome_unknown: As below.
        host_unknown: As below.

    Attributes:
        method: The HTTP method.
        url: The request URL (never holds credentials).
        outcome_unknown: True when the request may have reached the server and been
            applied before the connection broke. A write in that state is not retried;
            the caller decides (look the record up, then retry or not).
        host_unknown: True when the server's host name could not be resolved (a wrong
            pod or base URL, or no DNS): nothing was sent, and it is retried once only.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        outcome_unknown: bool = False,
        host_unknown: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.outcome_unknown = outcome_unknown
        self.host_unknown = host_unknown
        suffix = " (the request may have been applied)" if outcome_unknown else ""
        super().__init__(f"{method} {url}: {message}{suffix}")


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class MalformedResponseError(InsightlyError):
    """The server answered, but not with the JSON the endpoint returns.

    The request is named when it is known; an answer checked apart from its request (a
    record given to :func:`insightly_async.models.structure`) has ``None`` there.

    Args:
        message: What is wrong with the answer.
        status: As below.
        method: As below.
        url: As below.
        text: The raw body, if known (kept cut short, as below).

    Attributes:
        status: The HTTP status of the answer, or ``None``.
        method: The HTTP method, or ``None``.
        url: The request URL, or ``None``.
        text: The start of the raw body (at most ``MAX_BODY_CHARS`` characters); empty when
            no body is known (a string either way, as it has always been).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        text: str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.text = "" if text is None else _clip(text)
        request = " ".join(part for part in (method, url) if part)
        if status is not None:
            request = f"{request} -> {status}" if request else f"-> {status}"
        if request:
            message = f"{request}: {message}"
        if text is not None:
            message = f"{message}: {self.text[:200]!r}"
        super().__init__(escape_controls(message))


class ResponseValidationError(MalformedResponseError, ValueError):
    """An answer that is valid JSON but does not fit its model.

    Raised by :func:`insightly_async.models.structure` for a value of the wrong type, a list
    that is not a list, an item that is not an object, a value nested too deep, and the
    like. Also a ``ValueError``, which ``structure()`` raised before this class existed.

    Args:
        problem: As below.
        model: As below.
        value: As below.
        field: As below.
        wire: As below.
        index: As below.
        status: The HTTP status of the answer, if known.
        method: The HTTP method, if known.
        url: The request URL, if known.
        text: The raw body, if known.

    Attributes:
        model: The name of the model type (``"Contact"``).
        field: The attribute name of the offending value, a dotted path for nested values
            (``custom_fields[2].field_value``); ``None`` when the whole record does not fit.
        wire: The wire name, or path, of the value (``CUSTOMFIELDS[2].FIELD_VALUE``);
            ``None`` as for ``field``.
        value: The offending value as shown: a repr cut short, control characters escaped.
        problem: What was expected (``"expected a string"``).
        index: The position of the record in the list given to ``structure_many()``.
    """

    def __init__(
        self,
        problem: str,
        *,
        model: str,
        value: str,
        field: str | None = None,
        wire: str | None = None,
        index: int | None = None,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        text: str | None = None,
    ) -> None:
        self.model = model
        self.field = field
        self.wire = wire
        self.value = value
        self.problem = problem
        self.index = index
        where = f"{model}.{field}" if field else model
        if wire:
            where += f" ({wire})"
        if index is not None:
            where = f"item {index}: {where}"
        super().__init__(
            f"{where}: {problem}, got {value}", status=status, method=method, url=url, text=text
        )


class APIStatusError(InsightlyError):
    """The server answered with an HTTP error status.

    The session raises the subclass of the status (:class:`NotFoundError` for 404…), or
    this class for a status without one. Its message reads
    ``"{method} {url} -> {status}: {message}"``.

    Args:
        status: As below.
        method: As below.
        url: As below.
        headers: As below.
        body: As below (a text body is cut to ``MAX_BODY_CHARS`` characters).
        message: As below.

    Attributes:
        status: The HTTP status code.
        method: The HTTP method.
        url: The request URL (never holds credentials).
        headers: The response headers.
        body: The decoded JSON body, or the raw text (bounded) when it was not JSON.
        message: The ``Message`` of a JSON error body, else the start of the text.
    """

    def __init__(
        self,
        *,
        status: int,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Any,
        message: str,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.headers = dict(headers)
        self.body = _clip(body) if isinstance(body, str) else body
        self.message = message
        super().__init__(
            f"{method} {url} -> {status}: {message}" if message else f"{method} {url} -> {status}"
        )


class BadRequestError(APIStatusError):
    """400: the server rejected the request's data or parameters."""


class AuthenticationError(APIStatusError):
    """401: the API key is wrong, or the user's API access is switched off."""


class PermissionDeniedError(APIStatusError):
    """403: the user may not see or change this record or list."""


class NotFoundError(APIStatusError):
    """404: no such record (or one the user cannot see)."""


class ConflictError(APIStatusError):
    """The record changed since it was read: 412, or a stale ``If-Match`` answered 400."""


class RateLimitError(APIStatusError):
    """429 over the per-second ceiling, with daily allowance left. Retried by the SDK.

    Raised to the caller only when the retries ran out (``max_retries``).

    Args:
        retry_after: As below.
        **kwargs: The arguments of :class:`APIStatusError`.

    Attributes:
        retry_after: Seconds the server asked to wait (``Retry-After``), if it said.
    """

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(APIStatusError):
    """5xx: the server failed."""
