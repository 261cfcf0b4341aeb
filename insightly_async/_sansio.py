"""Pure functions of the Insightly protocol: no I/O, no clocks, no event loop.

Everything here is decided from its arguments alone (auth header, URLs, query encoding,
decoding an answer: status to exception, JSON, ``ETag``, rate-limit headers, whether a
failed write may have been applied; retry timing), so it is tested without sockets and the
request funnel stays a thin loop around it.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import json
import math
import random
import re
import reprlib
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Final

import attrs
from yarl import URL

from insightly_async._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExhaustedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from insightly_async._facts import wire
from insightly_async._facts.wire import is_daily_quota_429, parse_quota_headers

_fast_loads: Callable[[bytes], Any] | None
try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover  (PyPy, where orjson is not installed)
    _fast_loads = None
else:
    _fast_loads = _orjson_loads

__all__ = [
    "IDEMPOTENT_METHODS",
    "Answer",
    "Backoff",
    "auth_header",
    "base_url_for",
    "build_url",
    "connection_error",
    "decode_answer",
    "encode_query",
    "error_message",
    "header_value",
    "loads",
    "make_status_error",
    "parse_retry_after",
    "retries_unknown_outcome",
    "retry_after_of",
    "worth_retrying",
]

UTC: Final = timezone.utc


# --- credentials and URLs -------------------------------------------------------------


def auth_header(api_key: str) -> str:
    """The ``Authorization`` header value: HTTP Basic, the key as user, blank password."""
    if not isinstance(api_key, str):
        raise ValidationError("api_key", f"must be a string, not {type(api_key).__name__}")
    key = api_key.strip()
    if not key:
        raise ValidationError("api_key", "is empty (pass api_key= or set INSIGHTLY_API_KEY)")
    if any(ch.isspace() or ord(ch) < 32 for ch in key) or ":" in key:
        # A colon would split user from password; control characters could inject headers.
        raise ValidationError("api_key", "contains whitespace, control characters or ':'")
    token = base64.b64encode(f"{key}:".encode()).decode("ascii")
    return f"Basic {token}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def base_url_for(*, pod: str | None, base_url: str | None) -> str:
    """The API root, ``https://api.{pod}.insightly.com/v3.1`` or a validated ``base_url``.

    Plain http is accepted only for loopback hosts (``localhost``, ``127.0.0.0/8``,
    ``::1``): anything else would send the API key in the clear. The result has no
    trailing slash.

    Raises:
        ValidationError: neither or both given, a malformed pod, or an unsafe URL.
    """
    if base_url is not None and pod is not None:
        raise ValidationError("base_url", "give either pod or base_url, not both")
    if base_url is None:
        if pod is None:
            raise ValidationError(
                "pod", "is required (pass pod= or base_url=, or set INSIGHTLY_POD)"
            )
        if not isinstance(pod, str) or not wire.POD_NAME.fullmatch(pod):
            raise ValidationError("pod", f"{pod!r} is not a pod name like 'na1', 'eu1' or 'aps1'")
        return f"https://api.{pod}.insightly.com/v3.1"

    if not isinstance(base_url, str):
        raise ValidationError("base_url", f"must be a string, not {type(base_url).__name__}")
    try:
        url = URL(base_url.strip())
    except (TypeError, ValueError) as exc:
        # Shown without what may sit before an "@": a user and a password, the key even.
        shown = re.sub(r"//[^/]*@", "//…@", base_url)
        raise ValidationError("base_url", f"{shown!r} is not a URL") from exc
    if url.scheme not in ("https", "http") or not url.host:
        raise ValidationError("base_url", "must be an absolute http(s) URL")
    if url.user is not None or url.password is not None:
        raise ValidationError("base_url", "must not contain credentials; pass api_key=")
    if url.query_string or url.fragment:
        raise ValidationError("base_url", "must not have a query or a fragment")
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ValidationError(
            "base_url",
            f"plain http is only allowed to loopback hosts, not {url.host!r}; use https",
        )
    return str(url).rstrip("/")


def header_value(field: str, value: object) -> str:
    """A value to send in a header (``If-Match``): a string of visible characters.

    Raises:
        ValidationError: not a string, empty, too long, or holding control characters
            (a CR or LF would inject headers), naming ``field``.
    """
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, not {type(value).__name__}")
    if not value or len(value) > 8192:
        raise ValidationError(field, f"must be 1 to 8192 characters long, got {len(value)}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError(field, f"must not contain control characters: {value!r:.100}")
    return value


def build_url(base_url: str, *segments: str | int) -> str:
    """``base_url`` joined with validated path segments.

    Ints are ids (positive, not bool); strings must be plain names (letters, digits,
    underscores), so no segment can change the path, the query or the host.
    """
    parts = [base_url]
    for index, segment in enumerate(segments):
        if isinstance(segment, int) and not isinstance(segment, bool):
            parts.append(str(wire.validate_id(segment)))
        elif isinstance(segment, str) and wire.PATH_NAME.fullmatch(segment):
            parts.append(segment)
        else:
            raise ValidationError(f"path[{index}]", f"{segment!r} is not a valid path segment")
    return "/".join(parts)


# --- query strings and dates ----------------------------------------------------------


def encode_query(params: Mapping[str, object]) -> dict[str, str]:
    """Query parameters as strings: bools ``true``/``false``, datetimes ISO ``…Z``.

    ``None`` values are dropped, so optional arguments can be passed through as they are.
    """
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            out[key] = wire.format_query_datetime(value, key)
        elif isinstance(value, (int, float, str)):
            out[key] = str(value)
        else:
            raise ValidationError(key, f"cannot be sent as a query value: {type(value).__name__}")
    return out


# --- responses --------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    Returns ``None`` when absent or unparseable, and never a negative number.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        reference = now if now is not None else datetime.now(UTC)
        seconds = (when - reference).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def error_message(body: Any) -> str:
    """The human message of an error body: ``Message`` of a JSON object, or the text."""
    if isinstance(body, Mapping):
        for key in ("Message", "message", "ExceptionMessage", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        return json.dumps(body)[:300]
    if isinstance(body, str):
        text = " ".join(body.split())
        return text[:300]
    return ""


def _mentions_if_match(message: str) -> bool:
    return "if-match" in message.lower()


def make_status_error(
    *,
    status: int,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any,
    sent_if_match: bool = False,
) -> APIStatusError:
    """The exception for an HTTP error status.

    A 400 on a request that carried ``If-Match`` whose message speaks of If-Match is a
    :class:`ConflictError`: that is how the live API answers a stale ETag.
    """
    message = error_message(body)
    kwargs: dict[str, Any] = {
        "status": status,
        "method": method,
        "url": url,
        "headers": headers,
        "body": body,
        "message": message,
    }
    if status == 412 or (status == 400 and sent_if_match and _mentions_if_match(message)):
        return ConflictError(**kwargs)
    if status == 429:
        return RateLimitError(retry_after=parse_retry_after(headers.get("Retry-After")), **kwargs)
    cls: type[APIStatusError] = {
        400: BadRequestError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
    }.get(status, ServerError if status >= 500 else APIStatusError)
    return cls(**kwargs)


# --- decoding an answer --------------------------------------------------------------------


@attrs.frozen
class Answer:
    """A successful answer: status, headers and the decoded JSON body (``None`` if empty).

    Attributes:
        status: The HTTP status (2xx).
        headers: The response headers (case-insensitive).
        data: The decoded JSON body.
        method: The request's method.
        url: The request's URL (without the query; never holds credentials).
    """

    status: int
    headers: Mapping[str, str]
    data: Any
    method: str
    url: str

    @property
    def etag(self) -> str | None:
        """The answer's ``ETag``, if it sent one."""
        return self.headers.get(wire.ETAG)

    def malformed(self, expected: str) -> MalformedResponseError:
        """The error of an answer whose JSON does not have the shape its endpoint returns."""
        return MalformedResponseError(
            f"expected {expected}",
            status=self.status,
            method=self.method,
            url=self.url,
            text=_shown(self.data),
        )

    def object(self) -> dict[str, Any]:
        """The JSON object of the answer (some endpoints wrap it in a one-item array).

        Raises:
            MalformedResponseError: the body is not one object.
        """
        data = self.data
        if data.__class__ is list and len(data) == 1:
            data = data[0]
        if not isinstance(data, dict):
            raise self.malformed("a JSON object")
        return data

    def objects(self, *, empty_ok: bool = False) -> list[dict[str, Any]]:
        """The JSON array of objects of the answer (``[]`` for an empty body if ``empty_ok``).

        Raises:
            MalformedResponseError: the body is not an array, or an item is not an object.
        """
        data = self.data
        if data is None and empty_ok:
            return []
        if not isinstance(data, list):
            raise self.malformed("a JSON array")
        for item in data:
            if item.__class__ is not dict:
                raise self.malformed("a JSON array of objects")
        return data


def _shown(data: Any) -> str:
    # reprlib bounds depth and length: the answer may be large or deeply nested.
    return reprlib.repr(data)


# Every digit as a zero: a run of 19 zeros in a body so translated is a run of 19 digits.
_DIGITS_AS_ZEROS: Final = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS: Final = b"0" * 19


def loads(body: bytes) -> Any:
    """The JSON value of ``body``, exactly as ``json.loads`` decodes it, in less time.

    orjson decodes a 500-contact page in about a third of the time, and what it decodes it
    decodes as ``json.loads`` does, with one exception: an integer outside 64 bits becomes
    a float. So a body with a run of 19 digits or more (an integer may be that long; a
    translation and a search, a fraction of the decoding), and a body orjson refuses (NaN,
    ``1e400``, a byte order mark, UTF-16, a lone surrogate, nesting past 1,024 levels), go
    to ``json.loads``, which decides as it always did. Without orjson (PyPy), it is
    ``json.loads``.

    Raises:
        ValueError: not JSON (``UnicodeDecodeError`` included).
        RecursionError: nested deeper than ``json.loads`` goes.
    """
    if _fast_loads is not None and _NINETEEN_DIGITS not in body.translate(_DIGITS_AS_ZEROS):
        try:
            return _fast_loads(body)
        except ValueError:  # orjson.JSONDecodeError
            pass
    return json.loads(body)


def decode_answer(
    *,
    method: str,
    url: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    sent_if_match: bool = False,
    quota_reserve: int = 0,
) -> Answer:
    """The answer to one attempt, or the exception it means.

    A 2xx answer must be JSON (or empty). An error status becomes its
    :class:`APIStatusError`, except a 429 that says the daily allowance is spent, which is a
    :class:`QuotaExhaustedError` (never retried).

    Raises:
        MalformedResponseError: a 2xx answer that is not JSON.
        QuotaExhaustedError: 429 with ``X-RateLimit-Remaining: 0``.
        APIStatusError: any other error status (its subclass for the status).
    """
    if 200 <= status < 300:
        if not body.strip():
            return Answer(status, headers, None, method, url)
        try:
            data = loads(body)
        except RecursionError as exc:
            raise MalformedResponseError(
                "the body's JSON is nested too deep",
                status=status,
                method=method,
                url=url,
                text=body[:200].decode("utf-8", errors="replace"),
            ) from exc
        except ValueError as exc:
            raise MalformedResponseError(
                "the body is not valid JSON",
                status=status,
                method=method,
                url=url,
                text=body.decode("utf-8", errors="replace"),
            ) from exc
        return Answer(status, headers, data, method, url)
    text = body.decode("utf-8", errors="replace")
    decoded: Any
    try:
        decoded = json.loads(text) if text.strip() else ""
    except (ValueError, RecursionError):
        decoded = text
    if is_daily_quota_429(status, headers):
        raise QuotaExhaustedError(
            "the daily API allowance is spent (429 with X-RateLimit-Remaining: 0)",
            limit=parse_quota_headers(headers).limit,
            remaining=0,
            reserve=quota_reserve,
        )
    raise make_status_error(
        status=status,
        method=method,
        url=url,
        headers=headers,
        body=decoded,
        sent_if_match=sent_if_match,
    )


#: What a retry's log line names as its cause when the host name did not resolve.
HOST_UNKNOWN = "a host name that does not resolve"


def connection_error(
    *, method: str, url: str, message: str, sent: bool, timeout: bool, host_unknown: bool = False
) -> APIConnectionError:
    """The exception for an attempt that got no answer.

    A request that may have reached the server (``sent``) leaves a write's outcome unknown:
    it may have been applied before the connection broke. A GET changes nothing.

    Args:
        method: The request's method.
        url: The request's URL.
        message: What happened.
        sent: The request may have reached the server.
        timeout: The attempt ran out of time.
        host_unknown: The host name could not be resolved.

    Returns:
        An :class:`APITimeoutError` for a timeout, else an :class:`APIConnectionError`.
    """
    cls = APITimeoutError if timeout else APIConnectionError
    return cls(
        message,
        method=method,
        url=url,
        outcome_unknown=sent and method != "GET",
        host_unknown=host_unknown,
    )


#: Methods a server applies the same way however often they arrive.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "PUT", "DELETE"})


def retries_unknown_outcome(method: str, *, if_match: bool) -> bool:
    """Whether a request whose outcome is unknown may be sent again by default.

    GET, PUT and DELETE may, except a PUT with ``If-Match``: a resent conditional write that
    was applied the first time comes back as a conflict, and the caller would apply its
    change twice. A POST never may: it could create a duplicate.
    """
    return method in IDEMPOTENT_METHODS and not if_match


def worth_retrying(
    error: APIConnectionError | APIStatusError | MalformedResponseError,
    *,
    method: str,
    retry_unknown_outcome: bool,
) -> bool:
    """Whether a failed attempt deserves another one."""
    if isinstance(error, APIConnectionError):
        return retry_unknown_outcome or not error.outcome_unknown
    if isinstance(error, MalformedResponseError):
        # The server processed the request; only a read is safe to repeat.
        return method == "GET"
    if error.status in wire.NOT_APPLIED_STATUSES:
        return True
    return error.status in wire.RETRYABLE_STATUSES and retry_unknown_outcome


def retry_after_of(error: Exception) -> float | None:
    """The wait the server asked for with a failed attempt, if any."""
    if isinstance(error, RateLimitError):
        return error.retry_after
    if isinstance(error, APIStatusError):
        return parse_retry_after(error.headers.get("Retry-After"))
    return None


# --- retry timing -------------------------------------------------------------------------


@attrs.frozen
class Backoff:
    """Exponential backoff with full jitter, honouring ``Retry-After`` up to a cap.

    Attributes:
        base: The first delay's upper bound, in seconds.
        cap: No computed delay exceeds this.
        max_retry_after: A server-requested wait longer than this is not waited for: the
            request fails instead (nobody wants a call to hang for an hour).
    """

    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.cap, self.base * (2 ** max(0, retry - 1)))
        jittered = rng.uniform(0.0, ceiling)
        if retry_after is None:
            return jittered
        # The server's wait is a floor; a little jitter on top keeps concurrent callers
        # from waking in lockstep.
        return retry_after + rng.uniform(0.0, min(1.0, ceiling))

    def gives_up_on(self, retry_after: float | None) -> bool:
        return retry_after is not None and retry_after > self.max_retry_after
