"""Wire formats of the emulator: JSON bodies, dates, query parameters, error answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web

from insightly_async._facts.wire import ETAG, parse_query_datetime
from insightly_async._facts.wire import canonical_body_datetime as parse_body_datetime

_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - where orjson has no wheel (not CPython)
    _orjson = None

__all__ = [
    "JSON_CONTENT_TYPE",
    "ApiError",
    "dumps",
    "json_response",
    "parse_body_datetime",
    "parse_query_datetime",
]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ApiError(Exception):
    """An error answer: raised anywhere in a handler, sent as ``{"Message": ...}``."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# Dates and dataclasses go to _refuse, as json refuses them, rather than being written in
# orjson's own way (the emulator writes the API's date format itself).
_STRICT: Final = (
    0 if _orjson is None else _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON, non-ASCII characters left as they are (like Json.NET).

    Encoded by orjson where it is installed: a page of 500 records then holds the
    emulator's event loop for about 1 ms instead of 5, so the arrival times it logs and
    limits on stay close to when requests really came in.
    """
    if _orjson is not None:
        try:
            encoded: bytes = _orjson.dumps(data, default=_refuse, option=_STRICT)
            return encoded
        except (TypeError, _orjson.JSONEncodeError):
            pass  # what orjson refuses (integers over 64 bits, non-string keys): json below
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
        all_headers[ETAG] = etag
    if headers:
        all_headers.update(headers)
    body = b"" if data is None else dumps(data)
    return web.Response(body=body, status=status, headers=all_headers)


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """The API's error answer: ``{"Message": ...}`` as JSON."""
    return json_response({"Message": message}, status, headers=headers)
