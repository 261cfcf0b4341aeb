"""The fields of each record type and the order of their keys, as the real API sends them.

The Swagger schemas give each field's type, format, ``maxLength`` and ``readOnly`` flag,
in the order the server writes them. Real records carry a few keys the schemas lack; the
recorded responses (``tests/samples``) say where:

- contacts put ``VISIBLE_TO`` before and ``VISIBLE_TEAM_ID`` after ``OWNER_USER_ID``
  (organisations, opportunities and projects are taken to do the same);
- leads put both after ``NEXT_ACTIVITY_DATE_UTC``, and ``LINKS`` after ``TAGS``;
- custom-object records follow the recorded ``Fruit__c`` records (the generic schema lacks
  ``DATE_UPDATED_UTC`` and ``CREATED_USER_ID``).

The models' generator, the emulator's store and record factories all read
:func:`record_fields`, so a model built in Python, a record the emulator makes and a record
the API returns have their keys in the same order.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from insightly_async._facts.catalog import RecordType
from insightly_async._facts.spec import entity_schema

__all__ = [
    "OWNED_TYPES",
    "SERVER_SET",
    "VISIBILITY_VALUES",
    "Field",
    "RecordFields",
    "field_of",
    "record_fields",
]

Kind = Literal["string", "datetime", "integer", "number", "boolean", "collection", "any"]

#: Types whose records carry ``VISIBLE_TO`` / ``VISIBLE_TEAM_ID`` (recorded v3.1 contacts,
#: leads and custom-object records; organisations, opportunities and projects in older
#: recordings and client models) and are subject to per-user visibility. Custom objects
#: too.
OWNED_TYPES: Final = frozenset({"contacts", "organisations", "leads", "opportunities", "projects"})

#: Keys the server always sets itself, whatever the schema's ``readOnly`` flag says (the
#: Notes and Events schemas forget to mark their timestamps read-only).
SERVER_SET: Final = frozenset({"DATE_CREATED_UTC", "DATE_UPDATED_UTC", "CREATED_USER_ID"})

#: The values of ``VISIBLE_TO``.
VISIBILITY_VALUES: Final = ("EVERYONE", "OWNER", "TEAM")

# The key order of a custom-object record, as recorded.
_CUSTOM_OBJECT_KEYS: Final = (
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
        kind: Its JSON type (``datetime`` for a body date, ``collection`` for a list of
            objects, ``any`` where the schema says nothing).
        max_length: The longest string the server takes (0: no limit).
        int32: An integer limited to 32 bits.
        read_only: The schema marks it read-only (the server ignores values sent for it).
        item: For a collection, the name of the spec definition of its items.
        schema: The property as the spec (or a recorded response) describes it.
    """

    name: str
    kind: Kind
    max_length: int = 0
    int32: bool = False
    read_only: bool = False
    item: str | None = None
    schema: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen
class RecordFields:
    """The fields of one record type.

    Attributes:
        rtype: The catalog entry.
        fields: Every field, by wire name, in the order the server writes them.
        layout: The key order of a record on the wire.
        writable: The keys a create or an update may set.
        collections: The list-valued keys (sub-collections).
        owned: Records carry ``VISIBLE_TO`` / ``VISIBLE_TEAM_ID`` (per-user visibility).
    """

    rtype: RecordType
    fields: Mapping[str, Field]
    layout: tuple[str, ...]
    writable: frozenset[str]
    collections: frozenset[str]
    owned: bool


def field_of(name: str, prop: Mapping[str, Any]) -> Field:
    """The :class:`Field` of one schema property."""
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
    elif type_ in ("integer", "number", "boolean"):
        kind = type_
    else:
        kind = "any"
    return Field(
        name=name,
        kind=kind,
        max_length=int(prop.get("maxLength") or 0) if kind == "string" else 0,
        int32=fmt == "int32",
        read_only=bool(prop.get("readOnly")),
        item=item,
        schema=dict(prop),
    )


# Keys real records carry beyond the schemas: (wire name, property).
_VISIBLE_TO: Final = ("VISIBLE_TO", {"type": "string", "maxLength": 11})
_VISIBLE_TEAM_ID: Final = ("VISIBLE_TEAM_ID", {"type": "integer", "format": "int64"})
_LINKS: Final = ("LINKS", {"type": "array", "items": {"$ref": "#/definitions/APILinkDto"}})
_CUSTOM_OBJECT_ADDED: Final = (
    ("DATE_UPDATED_UTC", {"type": "string", "format": "date-time", "readOnly": True}),
    ("CREATED_USER_ID", {"type": "integer", "format": "int64", "readOnly": True}),
)


def _insert_after(keys: list[str], anchor: str, *new: str) -> None:
    index = keys.index(anchor) + 1 if anchor in keys else len(keys)
    keys[index:index] = new


@functools.cache
def record_fields(rtype: RecordType) -> RecordFields:
    """The :class:`RecordFields` of ``rtype`` (computed once per type)."""
    props: dict[str, Mapping[str, Any]] = dict(entity_schema(rtype.path)["properties"])
    if rtype.custom_object:
        for name, prop in _CUSTOM_OBJECT_ADDED:
            props.setdefault(name, prop)
        layout = list(_CUSTOM_OBJECT_KEYS)
        owned = True
    else:
        layout = list(props)
        owned = rtype.name in OWNED_TYPES
        if owned:
            if rtype.name == "leads":
                _insert_after(layout, "NEXT_ACTIVITY_DATE_UTC", "VISIBLE_TO", "VISIBLE_TEAM_ID")
            else:
                layout.insert(layout.index("OWNER_USER_ID"), "VISIBLE_TO")
                _insert_after(layout, "OWNER_USER_ID", "VISIBLE_TEAM_ID")
        if rtype.name == "leads":
            _insert_after(layout, "TAGS", "LINKS")
    if owned:
        props.update((_VISIBLE_TO, _VISIBLE_TEAM_ID))
    if rtype.name == "leads":
        props.update((_LINKS,))
    missing = set(layout) ^ set(props)
    if missing:
        raise AssertionError(f"{rtype.name}: layout and fields differ in {sorted(missing)}")
    fields = {name: field_of(name, props[name]) for name in layout}
    required = set(rtype.required)
    writable = frozenset(
        name
        for name, field in fields.items()
        if name != rtype.id_field
        and name not in SERVER_SET
        # A required field is writable even where the schema marks it read-only
        # (PricebookEntry's PRICEBOOK_ID, a line item's LIST_PRICE).
        and (not field.read_only or name in required)
    )
    collections = frozenset(name for name, field in fields.items() if field.kind == "collection")
    return RecordFields(
        rtype=rtype,
        fields=fields,
        layout=tuple(layout),
        writable=writable,
        collections=collections,
        owned=owned,
    )
