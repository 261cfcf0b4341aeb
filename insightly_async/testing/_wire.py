"""Wire formats of the emulator: JSON bodies, dates, query parameters, error answers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

__all__ = [
    "JSON_CONTENT_TYPE",
    "ApiError",
    "dumps",
    "format_datetime",
    "json_response",
    "parse_body_datetime",
    "parse_query_datetime",
]

UTC = timezone.utc
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
BODY_DATETIME = "%Y-%m-%d %H:%M:%S"

# Body dates: the API's own "yyyy-MM-dd HH:mm:ss", or ISO 8601 with a "T" (fractions are
# cut to the second, a zone is converted to UTC, no zone means UTC).
_BODY_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?: |T)(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$"
)
# Query dates (updated_after_utc): "yyyy-MM-dd HH:mm:ss" (UTC), or ISO 8601 in UTC
# ("…T…Z", fractions cut to the second): the two forms the API documents, and nothing
# else. A zoneless ISO value is the classic client bug of formatting a naive datetime; an
# offset is refused too, as a client cannot know the real API would convert it.
_QUERY_SPACE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_QUERY_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?(Z)$")


class ApiError(Exception):
    """An error answer: raised anywhere in a handler, sent as ``{"Message": ...}``."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON, non-ASCII characters left as they are (like Json.NET)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(
    data: Any,
    status: int = 200,
    *,
    etag: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A JSON answer; ``data=None`` with a 202/204 gives an empty body."""
    # An empty answer (a 202 to a DELETE) has no content type, like ASP.NET's.
    all_headers = {} if data is None else {"Content-Type": JSON_CONTENT_TYPE}
    if etag is not None:
        all_headers["ETag"] = etag
    if headers:
        all_headers.update(headers)
    body = b"" if data is None else dumps(data)
    return web.Response(body=body, status=status, headers=all_headers)


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """The API's error answer: ``{"Message": ...}`` as JSON."""
    return json_response({"Message": message}, status, headers=headers)


def format_datetime(moment: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in UTC; a naive value is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(BODY_DATETIME)


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


def parse_body_datetime(text: str) -> str | None:
    """The canonical ``yyyy-MM-dd HH:mm:ss`` form of a body date, or ``None`` if invalid."""
    match = _BODY_DATETIME.match(text)
    if match is None:
        return None
    moment = _build(match)
    return None if moment is None else moment.strftime(BODY_DATETIME)


def parse_query_datetime(text: str) -> datetime | None:
    """An ``updated_after_utc`` value as an aware UTC datetime, or ``None`` if invalid."""
    match = _QUERY_SPACE.match(text) or _QUERY_ISO.match(text)
    if match is None:
        return None
    return _build(match)
