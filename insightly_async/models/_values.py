"""Plain values of the models: dates, and JSON values kept as they came.

Dates follow :mod:`insightly_async._facts.wire`: read leniently (the REST layout and ISO
forms), written as UTC ``yyyy-MM-dd HH:mm:ss``. A naive ``datetime`` is refused with a
:class:`~insightly_async.ValidationError` naming the field: whether it meant UTC or local
time cannot be told, and guessing would shift the stored time silently.

JSON values (``extra`` keys, custom field values) are copied, compared, checked and written
by the functions below, none deeper than :data:`MAX_DEPTH`: a value nested deeper is
refused, so that nothing here, or later in ``json.dumps`` or ``==``, runs out of stack.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

from insightly_async._exceptions import ValidationError, show_value
from insightly_async._facts.wire import format_body_datetime, parse_wire_datetime
from insightly_async.models._base import Model

__all__ = [
    "MAX_DEPTH",
    "TooDeepError",
    "copy_json",
    "format_datetime",
    "is_json",
    "json_equal",
    "parse_datetime",
    "write_json",
]

#: How deep a JSON value below a field may nest (a list or an object is one level). Real
#: records nest two or three levels; a custom field's value is a scalar.
MAX_DEPTH: Final = 64

#: Writes a model nested in a value as its wire dict; the second argument is its path.
WriteModel = Callable[[Model, str], dict[str, Any]]


class TooDeepError(ValueError):
    """A JSON value nests deeper than :data:`MAX_DEPTH` (turned into an InsightlyError by
    whoever knows which field it came from)."""


def parse_datetime(value: str) -> datetime:
    """A wire date as an aware UTC ``datetime``.

    Takes the REST layout ``yyyy-MM-dd HH:mm:ss`` (UTC) and ISO 8601 variants: ``T`` or a
    space, optional seconds and fractions, ``Z`` or an offset (converted to UTC). A value
    without a zone is UTC; a date alone is midnight UTC.

    Args:
        value: The wire date.

    Returns:
        The aware UTC ``datetime``.

    Raises:
        ValueError: ``value`` is not a date, or not one a ``datetime`` can hold in UTC.
    """
    try:
        return parse_wire_datetime(value)
    except OverflowError:
        # An offset that moves year 1 or 9999 out of range.
        raise ValueError(f"{show_value(value)} is out of the range of dates") from None


def format_datetime(value: datetime | date, field: str = "value") -> str:
    """``value`` in the wire layout, ``yyyy-MM-dd HH:mm:ss`` in UTC.

    An aware ``datetime`` is converted to UTC; a ``date`` is midnight. Fractions of a second
    are dropped (the API keeps whole seconds).

    Args:
        value: The date to send.
        field: The field name for the error message.

    Returns:
        The wire date.

    Raises:
        ValidationError: ``value`` is a naive ``datetime``.
    """
    try:
        return format_body_datetime(value)
    except ValueError as error:
        raise ValidationError(field, str(error)) from None


def copy_json(value: Any, depth: int = 0) -> Any:
    """A copy of the lists and dicts of ``value`` (other values are immutable and shared).

    Values kept as raw JSON are copied so that editing them in place cannot alter the
    snapshot that changes are computed from.

    Raises:
        TooDeepError: ``value`` nests deeper than :data:`MAX_DEPTH`.
    """
    cls = value.__class__
    if cls is not list and cls is not dict:
        return value
    if depth >= MAX_DEPTH:
        raise TooDeepError
    if cls is list:
        return [copy_json(item, depth + 1) for item in value]
    return {key: copy_json(item, depth + 1) for key, item in value.items()}


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: like ``==``, but ``True`` is not ``1``.

    Recurses only as deep as both values go, so never deeper than a value read from the wire.
    """
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a.__class__ is b.__class__ and a == b
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(json_equal(value, b[key]) for key, value in a.items())
        )
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    return bool(a == b)


def is_json(value: Any, depth: int = 0) -> bool:
    """``value`` is a JSON value (finite numbers, string keys) at most :data:`MAX_DEPTH` deep."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(is_json(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and is_json(item, depth + 1) for key, item in value.items())
    return False


def write_json(value: Any, path: str, write_model: WriteModel, depth: int = 0) -> Any:
    """``value`` given by a caller, as JSON: aware datetimes as wire dates, enums as their
    values, models as their wire dicts, tuples as lists.

    Raises:
        ValidationError: A date is a naive ``datetime``, or ``value`` nests deeper than
            :data:`MAX_DEPTH`.
    """
    if isinstance(value, Model):
        return write_model(value, path)
    if isinstance(value, date):
        return format_datetime(value, path)
    if isinstance(value, Enum):
        return value.value
    if not isinstance(value, (Mapping, list, tuple)):
        return value
    if depth >= MAX_DEPTH:
        raise ValidationError(path, f"nests more than {MAX_DEPTH} levels deep")
    if isinstance(value, Mapping):
        return {
            key: write_json(item, f"{path}.{key}", write_model, depth + 1)
            for key, item in value.items()
        }
    return [
        write_json(item, f"{path}[{i}]", write_model, depth + 1) for i, item in enumerate(value)
    ]
