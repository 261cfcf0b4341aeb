"""Pure functions of the Insightly protocol: no I/O, no clocks, no event loop.

Everything here is decided from its arguments alone (auth header, URLs, query encoding,
dates, rate-limit headers, status -> exception, retry timing), so it is tested without
sockets and the request funnel stays a thin loop around it.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import json
import math
import random
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any, Final

import attrs
from yarl import URL

from insightly_async._exceptions import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)

__all__ = [
    "Backoff",
    "QuotaHeaders",
    "auth_header",
    "base_url_for",
    "build_url",
    "encode_query",
    "error_message",
    "format_body_datetime",
    "format_query_datetime",
    "is_daily_quota_429",
    "make_status_error",
    "parse_body_datetime",
    "parse_quota_headers",
    "parse_retry_after",
    "validate_id",
    "validate_page_size",
]

UTC: Final = timezone.utc

POD_PATTERN: Final = re.compile(r"^[a-z]{2,4}[0-9]{1,2}$")
# A path segment that is not an id: a collection or sub-resource name, or a custom
# object / custom field name. Nothing that could add a segment, a query or a host.
_NAME_SEGMENT: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
# Statuses worth another attempt. 429 is retried only when it is the per-second limit
# (see is_daily_quota_429); 501 and 505 are not transient.
RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
# Statuses that say the server did not act on the request, so even a POST may be resent.
NOT_APPLIED_STATUSES: Final = frozenset({429, 503})
MAX_PAGE_SIZE: Final = 500
BODY_DATETIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


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
        if not isinstance(pod, str) or not POD_PATTERN.fullmatch(pod):
            raise ValidationError("pod", f"{pod!r} is not a pod name like 'na1', 'eu1' or 'aps1'")
        return f"https://api.{pod}.insightly.com/v3.1"

    if not isinstance(base_url, str):
        raise ValidationError("base_url", f"must be a string, not {type(base_url).__name__}")
    try:
        url = URL(base_url.strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError("base_url", f"{base_url!r} is not a URL") from exc
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


def validate_id(value: object, field: str = "id") -> int:
    """A record id: an ``int`` (not ``bool``) greater than zero."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be a positive int, not {type(value).__name__}")
    if value <= 0:
        raise ValidationError(field, f"must be a positive int, got {value}")
    return value


def validate_page_size(value: object) -> int:
    """A page size: an int between 1 and 500 (the API's maximum)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("page_size", f"must be an int, not {type(value).__name__}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValidationError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


def build_url(base_url: str, *segments: str | int) -> str:
    """``base_url`` joined with validated path segments.

    Ints are ids (positive, not bool); strings must be plain names (letters, digits,
    underscores), so no segment can change the path, the query or the host.
    """
    parts = [base_url]
    for index, segment in enumerate(segments):
        if isinstance(segment, int) and not isinstance(segment, bool):
            parts.append(str(validate_id(segment)))
        elif isinstance(segment, str) and _NAME_SEGMENT.fullmatch(segment):
            parts.append(segment)
        else:
            raise ValidationError(f"path[{index}]", f"{segment!r} is not a valid path segment")
    return "/".join(parts)


# --- query strings and dates ----------------------------------------------------------


def _as_utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            field, "must be timezone-aware (e.g. datetime.now(timezone.utc)); naive is ambiguous"
        )
    return value.astimezone(UTC)


def format_query_datetime(value: datetime, field: str = "updated_after") -> str:
    """A query-string date: ISO 8601 in UTC with ``Z``, whole seconds."""
    return _as_utc(value, field).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_body_datetime(value: datetime | date, field: str = "date") -> str:
    """A body date: ``yyyy-MM-dd HH:mm:ss`` in UTC (a plain ``date`` becomes midnight)."""
    if not isinstance(value, datetime):
        return f"{value.isoformat()} 00:00:00"
    return _as_utc(value, field).strftime(BODY_DATETIME_FORMAT)


def parse_body_datetime(text: str) -> datetime:
    """A date from a body: ``yyyy-MM-dd HH:mm:ss`` (UTC) or an ISO 8601 variant."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


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
            out[key] = format_query_datetime(value, key)
        elif isinstance(value, (int, float, str)):
            out[key] = str(value)
        else:
            raise ValidationError(key, f"cannot be sent as a query value: {type(value).__name__}")
    return out


# --- responses --------------------------------------------------------------------------


@attrs.frozen
class QuotaHeaders:
    """The daily allowance as one response reported it."""

    limit: int | None
    remaining: int | None


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def parse_quota_headers(headers: Mapping[str, str]) -> QuotaHeaders:
    """``X-RateLimit-Limit`` / ``X-RateLimit-Remaining`` (``None`` when absent or garbled)."""
    return QuotaHeaders(
        limit=_header_int(headers, "X-RateLimit-Limit"),
        remaining=_header_int(headers, "X-RateLimit-Remaining"),
    )


def is_daily_quota_429(status: int, headers: Mapping[str, str]) -> bool:
    """A 429 that means the daily allowance is spent (``X-RateLimit-Remaining: 0``)."""
    return status == 429 and parse_quota_headers(headers).remaining == 0


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


def decode_json(text: str) -> Any:
    """JSON text to Python (raises ``ValueError`` when it is not JSON)."""
    return json.loads(text)


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
