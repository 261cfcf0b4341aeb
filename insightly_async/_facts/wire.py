"""Wire facts of the v3.1 API: dates, names, page size, headers and statuses.

Dates
    Body fields are UTC ``yyyy-MM-dd HH:mm:ss`` (no zone); query dates
    (``updated_after_utc``) are ISO 8601 ``yyyy-MM-ddTHH:mm:ssZ``. The server also accepts
    a ``T`` and fractions in bodies, and the space form in queries; webhooks send ISO with
    fractions. Readers here are lenient about what servers send and strict (``canonical_*``)
    about what the server accepts, which is what the emulator plays.

Statuses
    Which answers say a request was certainly not applied (safe to resend even a POST), and
    which leave a write's outcome unknown (the server may have applied it before failing).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Final

import attrs

from insightly_async._exceptions import ValidationError

__all__ = [
    "BODY_DATETIME_FORMAT",
    "CUSTOM_FIELD_NAME",
    "CUSTOM_OBJECT_NAME",
    "ETAG",
    "IF_MATCH",
    "MAX_PAGE_SIZE",
    "NOT_APPLIED_STATUSES",
    "OUTCOME_UNKNOWN_STATUSES",
    "PATH_NAME",
    "POD_NAME",
    "QUERY_DATETIME_FORMAT",
    "RATE_LIMIT_LIMIT",
    "RATE_LIMIT_REMAINING",
    "RATE_PER_SECOND",
    "RETRYABLE_STATUSES",
    "TOTAL_COUNT",
    "OpportunityState",
    "QuotaHeaders",
    "canonical_body_datetime",
    "format_body_date",
    "format_body_datetime",
    "format_query_datetime",
    "is_daily_quota_429",
    "parse_query_datetime",
    "parse_quota_headers",
    "parse_wire_datetime",
    "validate_id",
    "validate_page_size",
]

UTC: Final = timezone.utc

# --- limits ---------------------------------------------------------------------------

#: Records per page: ``top`` above this is clamped by the server.
MAX_PAGE_SIZE: Final = 500
#: Requests per second per account, every plan (a strict sliding window, counted at arrival).
RATE_PER_SECOND: Final = 10

# --- headers ------------------------------------------------------------------------------

RATE_LIMIT_LIMIT: Final = "X-RateLimit-Limit"
RATE_LIMIT_REMAINING: Final = "X-RateLimit-Remaining"
TOTAL_COUNT: Final = "X-Total-Count"
ETAG: Final = "ETag"
IF_MATCH: Final = "If-Match"

# --- statuses -----------------------------------------------------------------------------

#: Worth another attempt. 429 only when it is the per-second limit (daily allowance left).
RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
#: The server refused before acting: even a POST may be sent again.
NOT_APPLIED_STATUSES: Final = frozenset({429, 503})
#: The server (or a gateway) failed after the request arrived: a write may have been applied.
OUTCOME_UNKNOWN_STATUSES: Final = frozenset({500, 502, 504})

# --- the daily allowance ----------------------------------------------------------------


@attrs.frozen
class QuotaHeaders:
    """The daily allowance as one response reported it."""

    limit: int | None
    remaining: int | None


def _header_count(headers: Mapping[str, str], name: str) -> int | None:
    # A count of calls: a whole number >= 0. Anything else (absent, garbled, negative)
    # says nothing, rather than something absurd: a proxy that rewrote the header to -5
    # must not make the client believe the allowance is spent for the next five minutes.
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def parse_quota_headers(headers: Mapping[str, str]) -> QuotaHeaders:
    """``X-RateLimit-Limit`` / ``X-RateLimit-Remaining``.

    Each is ``None`` when absent, not a whole number, or negative: such a value is
    ignored, and the quota keeps what earlier answers said.
    """
    return QuotaHeaders(
        limit=_header_count(headers, RATE_LIMIT_LIMIT),
        remaining=_header_count(headers, RATE_LIMIT_REMAINING),
    )


def is_daily_quota_429(status: int, headers: Mapping[str, str]) -> bool:
    """A 429 that means the daily allowance is spent (``X-RateLimit-Remaining: 0``)."""
    return status == 429 and parse_quota_headers(headers).remaining == 0


# --- opportunity states -------------------------------------------------------------------


class OpportunityState(str, enum.Enum):
    """The state of an opportunity (``OPPORTUNITY_STATE``, ``FOR_OPPORTUNITY_STATE``), in the
    order the API documents them.

    Parsing is case-insensitive (``OpportunityState("won")``); values go out in upper case.
    A state read from the server that is not one of these stays a plain ``str``.
    """

    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"
    ABANDONED = "ABANDONED"
    SUSPENDED = "SUSPENDED"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> OpportunityState | None:
        if isinstance(value, str):
            return cls.__members__.get(value.strip().upper())
        return None

    @classmethod
    def parse(cls, value: str) -> OpportunityState:
        """The state named ``value``, in any letter case.

        Args:
            value: ``"won"``, ``"WON"``…

        Returns:
            The state.

        Raises:
            ValueError: ``value`` names no state.
        """
        return cls(value)


# --- names --------------------------------------------------------------------------------

#: A pod: ``na1``, ``eu1``, ``aps1``.
POD_NAME: Final = re.compile(r"^[a-z]{2,4}[0-9]{1,2}$")
#: A custom object: ``Fruit__c``.
CUSTOM_OBJECT_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,60}__c$")
#: A custom field: ``Hobby__c``, and on older accounts ``CONTACT_FIELD_3``.
CUSTOM_FIELD_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,127}$")
#: A path segment that is a name (a collection, a custom object or field), never an id:
#: nothing that could add a segment, a query or a host.
PATH_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


def validate_id(value: object, field: str = "id") -> int:
    """A record id: an ``int`` (not ``bool``) greater than zero.

    Raises:
        ValidationError: anything else, naming ``field``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be a positive int, not {type(value).__name__}")
    if value <= 0:
        raise ValidationError(field, f"must be a positive int, got {value}")
    return value


def validate_page_size(value: object) -> int:
    """A page size: an int from 1 to :data:`MAX_PAGE_SIZE`.

    Raises:
        ValidationError: anything else, naming ``page_size``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("page_size", f"must be an int, not {type(value).__name__}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValidationError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


# --- dates --------------------------------------------------------------------------------

BODY_DATETIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
QUERY_DATETIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"

# What servers and webhooks send that datetime.fromisoformat() of Python 3.10 does not
# take: a `Z`, fractions other than 3 or 6 digits, an offset without a colon.
_ISO_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
# What the server accepts in a body: its own layout, or ISO 8601 with a `T` (fractions cut
# to the second, a zone converted to UTC, no zone meaning UTC).
_BODY_ACCEPTED = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?: |T)(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$"
)
# What the server accepts as updated_after_utc: the two documented forms and nothing else.
# A zoneless ISO value is the classic bug of formatting a naive datetime; an offset is
# refused too, as a client cannot know the real API would convert it.
_QUERY_SPACE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_QUERY_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z)$")


def _aware_utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            field,
            f"naive datetime {value.isoformat()!r}: give it a time zone "
            "(e.g. tzinfo=timezone.utc); the API stores UTC and a naive time is ambiguous",
        )
    return value.astimezone(UTC)


def format_body_datetime(value: datetime | date, field: str = "date") -> str:
    """``value`` as a body date, ``yyyy-MM-dd HH:mm:ss`` in UTC.

    An aware ``datetime`` is converted to UTC and cut to the second; a ``date`` is midnight.

    Raises:
        ValidationError: ``value`` is a naive ``datetime`` (UTC or local time cannot be
            told), naming ``field``.
    """
    if isinstance(value, datetime):
        value = _aware_utc(value, field)
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        )
    return format_body_date(value, field)


def format_body_date(value: date, field: str = "date") -> str:
    """A date-only field's value: ``yyyy-MM-dd 00:00:00`` (a ``datetime`` is cut to its
    UTC day; a naive one is refused with a :class:`ValidationError` naming ``field``)."""
    if isinstance(value, datetime):
        value = _aware_utc(value, field).date()
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} 00:00:00"


def format_query_datetime(value: datetime, field: str = "updated_after") -> str:
    """``value`` as a query date (``updated_after_utc``): ISO 8601 in UTC with ``Z``.

    Raises:
        ValidationError: ``value`` is naive, naming ``field``.
    """
    return _aware_utc(value, field).strftime(QUERY_DATETIME_FORMAT)


def parse_wire_datetime(value: str) -> datetime:
    """A date read from an answer, as an aware UTC ``datetime``.

    Takes the REST layout ``yyyy-MM-dd HH:mm:ss`` (UTC) and ISO 8601 variants: ``T`` or a
    space, optional seconds and fractions, ``Z`` or an offset (converted to UTC). A value
    without a zone is UTC; a date alone is midnight UTC.

    Raises:
        ValueError: ``value`` is not a date.
    """
    if value.__class__ is str and len(value) == 19:
        # The REST layout. Appending the zone is ten times faster than .replace(tzinfo=).
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = _parse_iso_fallback(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # an offset that takes year 1 or 9999 out of range
        raise ValueError(f"{value!r} is out of the range of dates") from None


def _parse_iso_fallback(value: object) -> datetime:
    shown = repr(value) if len(repr(value)) <= 80 else f"{repr(value)[:77]}..."
    problem = f"{shown} is not a date-time (expected 'yyyy-MM-dd HH:mm:ss')"
    match = _ISO_DATETIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(problem)
    text = match["date"]
    if match["time"]:
        text += "T" + match["time"]
        if match["fraction"]:
            text += "." + match["fraction"][:6].ljust(6, "0")
    zone = match["zone"]
    if zone and zone.upper() != "Z":
        text += zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    elif zone:
        text += "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"{problem}: {error}") from None


def _build(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    zone = match.groups()[-1] if len(match.groups()) > 6 else None
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        moment -= sign * offset
    return moment


def canonical_body_datetime(text: str) -> str | None:
    """The server's ``yyyy-MM-dd HH:mm:ss`` form of a body date it accepts, else ``None``."""
    match = _BODY_ACCEPTED.match(text)
    if match is None:
        return None
    moment = _build(match)
    return None if moment is None else format_body_datetime(moment)


def parse_query_datetime(text: str) -> datetime | None:
    """An ``updated_after_utc`` value the server accepts, as aware UTC; else ``None``."""
    match = _QUERY_SPACE.match(text) or _QUERY_ISO.match(text)
    if match is None:
        return None
    return _build(match)
