"""Checking a written value as the API does, against the shared field tables.

The fields of each record type, their key order and what is writable are facts about the
API (:mod:`insightly_async._facts.fields`); this module adds the emulator's part: how a
value sent for a field (a record's own, a choice among values, a custom field, an item's
id) is judged, and the 400 answer that names the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from insightly_async._facts.fields import VISIBILITY_VALUES, Field
from insightly_async._facts.fields import RecordFields as Shape
from insightly_async._facts.fields import record_fields as shape_of
from insightly_async._facts.wire import OpportunityState
from insightly_async.testing._wire import ApiError, parse_body_datetime

__all__ = [
    "OPPORTUNITY_STATES",
    "VISIBILITY_VALUES",
    "Field",
    "Shape",
    "check_choice",
    "check_custom_value",
    "check_value",
    "optional_id",
    "shape_of",
]

#: The values of an opportunity's ``OPPORTUNITY_STATE`` (and of a state change's
#: ``FOR_OPPORTUNITY_STATE``), in the order the API documents them.
OPPORTUNITY_STATES: tuple[str, ...] = tuple(state.value for state in OpportunityState)

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


def check_choice(name: str, value: Any, choices: Sequence[str], *, any_case: bool = False) -> Any:
    """``value`` checked to be one of ``choices`` (``any_case``: compared in upper case).

    Returns the value, upper-cased with ``any_case``.

    Raises:
        ApiError: 400 naming the field and the choices.
    """
    chosen = value.upper() if any_case and isinstance(value, str) else value
    if chosen not in choices:
        raise ApiError(
            400, f"The value '{value}' is not valid for {name}: use one of {', '.join(choices)}."
        )
    return chosen


def optional_id(item: Mapping[str, Any], key: str) -> int | None:
    """The id at ``key`` of a sub-collection item, or ``None`` when it has none.

    Raises:
        ApiError: 400 when it is there but not an integer.
    """
    value = item.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(400, f"The value of {key} is not valid: expected an integer.")
    return value


def check_custom_value(name: str, definition: Mapping[str, Any], value: Any) -> Any:
    """A custom field's value checked against its definition's ``FIELD_TYPE``.

    ``None`` always passes. Dates come back as ``yyyy-MM-dd HH:mm:ss``.

    Raises:
        ApiError: 400 naming the custom field.
    """
    if value is None:
        return None
    field_type = str(definition.get("FIELD_TYPE") or "").upper()
    if field_type in _TEXT_TYPES:
        if not isinstance(value, str):
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected a string."
            )
        options = [o.get("OPTION_VALUE") for o in definition.get("CUSTOM_FIELD_OPTIONS") or ()]
        if field_type in ("DROPDOWN", "MULTISELECT") and options:
            chosen = value.split(";") if field_type == "MULTISELECT" else [value]
            for choice in chosen:
                if choice and choice not in options:
                    raise ApiError(
                        400, f"The value '{choice}' is not an option of custom field {name}."
                    )
        return value
    if field_type == "BIT":
        if not isinstance(value, bool):
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected true or false."
            )
        return value
    if field_type in _NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected a number."
            )
        return value
    if field_type in ("DATE", "DATETIME"):
        canonical = parse_body_datetime(value) if isinstance(value, str) else None
        if canonical is None:
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected a date and time."
            )
        return canonical
    return value


_TEXT_TYPES = frozenset({"TEXT", "MULTILINETEXT", "DROPDOWN", "MULTISELECT", "URL", "AUTONUMBER"})
_NUMBER_TYPES = frozenset({"NUMERIC", "PERCENT", "CURRENCY", "LOOKUP"})
