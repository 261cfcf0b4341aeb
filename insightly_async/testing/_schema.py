"""Checking a written value as the API does, against the shared field tables.

The fields of each record type, their key order and what is writable are facts about the
API (:mod:`insightly_async._facts.fields`); this module adds the emulator's part: how a
value sent for a field is judged, and the 400 answer that names the field.
"""

from __future__ import annotations

from typing import Any

from insightly_async._facts.fields import VISIBILITY_VALUES, Field
from insightly_async._facts.fields import RecordFields as Shape
from insightly_async._facts.fields import record_fields as shape_of
from insightly_async.testing._wire import ApiError, parse_body_datetime

__all__ = [
    "OPPORTUNITY_STATES",
    "VISIBILITY_VALUES",
    "Field",
    "Shape",
    "check_value",
    "shape_of",
]

#: The values of an opportunity's ``OPPORTUNITY_STATE`` (and of a state change's
#: ``FOR_OPPORTUNITY_STATE``), in the order the API documents them.
OPPORTUNITY_STATES: tuple[str, ...] = ("OPEN", "WON", "LOST", "ABANDONED", "SUSPENDED")

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def check_value(field: Field, value: Any) -> Any:
    """``value`` checked against ``field`` and put in canonical form.

    ``None`` always passes (it clears the field). Dates come back as
    ``yyyy-MM-dd HH:mm:ss``.

    Raises:
        ApiError: 400 naming the field, when the value has the wrong type or is too long.
    """
    if value is None:
        return None
    name = field.name
    kind = field.kind
    if kind == "string":
        if not isinstance(value, str):
            raise ApiError(400, f"The value of {name} is not valid: expected a string.")
        if field.max_length and len(value) > field.max_length:
            raise ApiError(
                400,
                f"The field {name} must be a string with a maximum length of {field.max_length}.",
            )
        return value
    if kind == "datetime":
        canonical = parse_body_datetime(value) if isinstance(value, str) else None
        if canonical is None:
            raise ApiError(
                400,
                f"The value of {name} is not valid: expected a date and time "
                "as 'yyyy-MM-dd HH:mm:ss'.",
            )
        return canonical
    if kind == "integer":
        low, high = _INT32 if field.int32 else _INT64
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            bits = 32 if field.int32 else 64
            raise ApiError(400, f"The value of {name} is not valid: expected a {bits}-bit integer.")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError(400, f"The value of {name} is not valid: expected a number.")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ApiError(400, f"The value of {name} is not valid: expected true or false.")
        return value
    if kind == "collection":
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise ApiError(400, f"The value of {name} is not valid: expected a list of objects.")
        return value
    return value
