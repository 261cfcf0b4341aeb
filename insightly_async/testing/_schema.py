"""Record shapes from Insightly's Swagger document: field types, key order, what is writable.

The Swagger schemas give each field's type, format, ``maxLength`` and ``readOnly`` flag.
Real records also carry keys the schemas lack (``VISIBLE_TO``, ``VISIBLE_TEAM_ID``, and
``LINKS`` on leads); :func:`record_layout` puts them where the recorded responses have
them, so a record the emulator builds has the same key order as a real one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from insightly_async._catalog import RecordType
from insightly_async._spec import entity_schema
from insightly_async.testing._wire import ApiError, parse_body_datetime

__all__ = [
    "OWNED_TYPES",
    "Field",
    "Shape",
    "check_value",
    "record_layout",
    "shape_of",
]

Kind = Literal["string", "datetime", "integer", "number", "boolean", "collection", "any"]

# Types whose real records carry VISIBLE_TO / VISIBLE_TEAM_ID (recorded v3.1 contacts,
# leads and custom-object records; organisations, opportunities and projects in older
# recordings and client models). Custom objects are added by `Shape.owned`.
OWNED_TYPES: frozenset[str] = frozenset(
    {"contacts", "organisations", "leads", "opportunities", "projects"}
)

# Keys the server always sets itself, whatever the schema's readOnly flag says (the Notes
# and Events schemas forget to mark their timestamps read-only).
SERVER_SET: frozenset[str] = frozenset({"DATE_CREATED_UTC", "DATE_UPDATED_UTC", "CREATED_USER_ID"})

VISIBILITY_VALUES: tuple[str, ...] = ("EVERYONE", "OWNER", "TEAM")

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)

# The key order of a custom-object record, as recorded (the Swagger schema lacks
# DATE_UPDATED_UTC and CREATED_USER_ID).
_CUSTOM_OBJECT_LAYOUT: tuple[str, ...] = (
    "RECORD_ID",
    "RECORD_NAME",
    "OWNER_USER_ID",
    "DATE_CREATED_UTC",
    "DATE_UPDATED_UTC",
    "CREATED_USER_ID",
    "VISIBLE_TO",
    "VISIBLE_TEAM_ID",
    "CUSTOMFIELDS",
)


@attrs.frozen
class Field:
    """One top-level field of a record type.

    Attributes:
        name: The wire name.
        kind: How values are checked.
        max_length: The longest string allowed (0: no limit).
        int32: An integer field limited to 32 bits.
        read_only: The server ignores values sent for it.
        item: For a collection, the name of the spec definition of its items.
    """

    name: str
    kind: Kind
    max_length: int = 0
    int32: bool = False
    read_only: bool = False
    item: str | None = None


@attrs.frozen
class Shape:
    """Everything the emulator needs to know about the records of one type.

    Attributes:
        rtype: The catalog entry.
        fields: Every field the schema knows, plus the visibility keys where real
            records carry them, by wire name.
        layout: The key order of a stored record.
        writable: The keys a POST or PUT may set.
        collections: The list-valued keys (sub-collections).
        owned: Records carry ``VISIBLE_TO`` / ``VISIBLE_TEAM_ID`` and are subject to
            per-user visibility.
    """

    rtype: RecordType
    fields: Mapping[str, Field]
    layout: tuple[str, ...]
    writable: frozenset[str]
    collections: frozenset[str]
    owned: bool


def _field(name: str, prop: Mapping[str, Any]) -> Field:
    kind: Kind
    type_ = prop.get("type")
    fmt = prop.get("format")
    item = None
    if type_ == "array":
        kind = "collection"
        ref = prop.get("items", {}).get("$ref")
        item = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
    elif type_ == "string":
        kind = "datetime" if fmt == "date-time" else "string"
    elif type_ == "integer":
        kind = "integer"
    elif type_ == "number":
        kind = "number"
    elif type_ == "boolean":
        kind = "boolean"
    else:
        kind = "any"
    max_length = int(prop.get("maxLength") or 0) if kind == "string" else 0
    return Field(
        name=name,
        kind=kind,
        max_length=max_length,
        int32=fmt == "int32",
        read_only=bool(prop.get("readOnly")),
        item=item,
    )


_VISIBLE_TO = Field("VISIBLE_TO", "string", max_length=11)
_VISIBLE_TEAM_ID = Field("VISIBLE_TEAM_ID", "integer")
_LINKS = Field("LINKS", "collection", item="APILinkDto")


def _insert_after(keys: list[str], anchor: str, *new: str) -> None:
    index = keys.index(anchor) + 1 if anchor in keys else len(keys)
    keys[index:index] = new


def record_layout(rtype: RecordType) -> tuple[str, ...]:
    """The key order of a record of ``rtype``, as the real API returns it.

    Schema order, with the keys the schema lacks placed as in recorded responses:
    contacts put ``VISIBLE_TO`` before and ``VISIBLE_TEAM_ID`` after ``OWNER_USER_ID``
    (organisations, opportunities and projects are assumed to do the same); leads put
    both after ``NEXT_ACTIVITY_DATE_UTC`` and ``LINKS`` after ``TAGS``; custom-object
    records follow the recorded ``Fruit__c`` records.
    """
    return shape_of(rtype).layout


@functools.cache
def _shape(rtype: RecordType) -> Shape:
    if rtype.custom_object:
        schema_props: dict[str, Any] = dict(entity_schema(rtype.path)["properties"])
        fields = {name: _field(name, prop) for name, prop in schema_props.items()}
        fields.setdefault("DATE_UPDATED_UTC", Field("DATE_UPDATED_UTC", "datetime", read_only=True))
        fields.setdefault("CREATED_USER_ID", Field("CREATED_USER_ID", "integer", read_only=True))
        layout = list(_CUSTOM_OBJECT_LAYOUT)
        owned = True
    else:
        props: dict[str, Any] = entity_schema(rtype.path)["properties"]
        fields = {name: _field(name, prop) for name, prop in props.items()}
        layout = list(props)
        owned = rtype.name in OWNED_TYPES
        if owned:
            if rtype.name == "leads":
                _insert_after(layout, "NEXT_ACTIVITY_DATE_UTC", "VISIBLE_TO", "VISIBLE_TEAM_ID")
            else:
                layout.insert(layout.index("OWNER_USER_ID"), "VISIBLE_TO")
                _insert_after(layout, "OWNER_USER_ID", "VISIBLE_TEAM_ID")
            fields["VISIBLE_TO"] = _VISIBLE_TO
            fields["VISIBLE_TEAM_ID"] = _VISIBLE_TEAM_ID
        if rtype.name == "leads":
            _insert_after(layout, "TAGS", "LINKS")
            fields["LINKS"] = _LINKS
    id_field = rtype.id_field
    required = set(rtype.required)
    writable = frozenset(
        name
        for name, field in fields.items()
        if name != id_field
        and name not in SERVER_SET
        # A required field is writable even where the schema marks it read-only
        # (PricebookEntry's PRICEBOOK_ID, a line item's LIST_PRICE).
        and (not field.read_only or name in required)
    )
    collections = frozenset(name for name, field in fields.items() if field.kind == "collection")
    return Shape(
        rtype=rtype,
        fields=fields,
        layout=tuple(layout),
        writable=writable,
        collections=collections,
        owned=owned,
    )


def shape_of(rtype: RecordType) -> Shape:
    """The :class:`Shape` of ``rtype`` (computed once per type)."""
    return _shape(rtype)


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
