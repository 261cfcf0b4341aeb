"""Custom fields in records: ``CUSTOMFIELDS`` values, and the records of custom objects.

A record's ``CUSTOMFIELDS`` follow its object's definitions (see ``_custom_fields``):
some of the fields, sorted by name, each with a value of its FIELD_TYPE.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from insightly_async.testing.factories._calendar import DAY
from insightly_async.testing.factories._custom_fields import definitions, text_words
from insightly_async.testing.factories._engine import Builder
from insightly_async.testing.factories._kit import Gen, Kit, Record, Row
from insightly_async.testing.factories._lists import COUNTRIES
from insightly_async.testing.factories._people import PLACES
from insightly_async.testing.factories._phrases import (
    COLOURS,
    INDUSTRIES,
    NAME_ADJECTIVES,
    NAME_NOUNS,
)
from insightly_async.testing.factories._shared_rules import basics

__all__ = ["custom_fields", "custom_fields_gen", "custom_object"]

# How often a record has a value for a custom field of each type.
_CUSTOM_P: Final[Mapping[str, float]] = {
    "TEXT": 0.5,
    "MULTISELECT": 0.4,
    "BIT": 0.6,
    "DROPDOWN": 0.5,
    "DATE": 0.3,
    "DATETIME": 0.25,
    "MULTILINETEXT": 0.2,
    "NUMERIC": 0.4,
    "PERCENT": 0.3,
    "AUTONUMBER": 0.9,
}


def _text_vocabulary(name: str, label: str, words: Mapping[str, tuple[str, ...]]) -> Sequence[str]:
    known = words.get(name)
    if known:
        return known
    lowered = label.lower()
    if "colo" in lowered:
        return COLOURS
    if "city" in lowered:
        return tuple(place[0] for place in PLACES)
    if "country" in lowered:
        return COUNTRIES
    if "industry" in lowered:
        return INDUSTRIES
    return NAME_NOUNS


def _custom_value_gen(
    kit: Kit, field: Mapping[str, Any], words: Mapping[str, tuple[str, ...]]
) -> Gen:
    r, cal = kit.r, kit.cal
    name = str(field.get("FIELD_NAME"))
    field_type = str(field.get("FIELD_TYPE") or "TEXT").upper()
    options = [
        str(option.get("OPTION_VALUE"))
        for option in field.get("CUSTOM_FIELD_OPTIONS") or ()
        if option.get("OPTION_VALUE") is not None
    ]
    if field_type == "TEXT" or (field_type in ("DROPDOWN", "MULTISELECT") and not options):
        vocabulary = _text_vocabulary(name, str(field.get("FIELD_LABEL") or name), words)
        return lambda row: vocabulary[int(r() * len(vocabulary))]
    if field_type == "MULTISELECT":

        def multiselect(row: Row) -> str:
            # Kept in the options' listed order, as the recording shows.
            chosen = [option for option in options if r() < 0.35]
            return ";".join(chosen or [options[int(r() * len(options))]])

        return multiselect
    if field_type == "DROPDOWN":
        return lambda row: options[int(r() * len(options))]
    if field_type == "BIT":
        return lambda row: r() < 0.35
    if field_type == "DATE":
        return lambda row: cal.day(row.created + int((r() * 1.5 - 0.5) * 365) * DAY)
    if field_type == "DATETIME":
        return lambda row: cal.stamp(kit.between(row))
    if field_type == "MULTILINETEXT":
        return lambda row: kit.prose(1) + "\n" + kit.prose(2)
    if field_type in ("NUMERIC", "CURRENCY"):
        return lambda row: int(r() * 1_000) if r() < 0.7 else round(r() * 100, 1)
    if field_type == "PERCENT":
        return lambda row: int(r() * 21) * 5
    if field_type == "AUTONUMBER":
        prefix = re.sub(r"[^A-Z]", "", name.upper())[:3] or "NO"
        counter = f"autonumber:{name}"
        return lambda row: f"{prefix}-{kit.count(counter):05d}"
    return lambda row: None


def custom_fields_gen(
    kit: Kit, object_name: str, boost: float, fields: Sequence[Mapping[str, Any]] | None = None
) -> Gen:
    """CUSTOMFIELDS: some of the object's fields, sorted by name, as records carry them."""
    r = kit.r
    words = text_words(object_name)
    entries: list[tuple[str, float, bool, Gen]] = []
    defined = definitions(object_name) if fields is None else fields
    for field in sorted(defined, key=lambda f: str(f.get("FIELD_NAME"))):
        field_type = str(field.get("FIELD_TYPE") or "").upper()
        p = min(1.0, _CUSTOM_P.get(field_type, 0.4) * boost)
        nullable = field_type not in ("BIT", "AUTONUMBER")
        name = str(field.get("FIELD_NAME"))
        entries.append((name, p, nullable, _custom_value_gen(kit, field, words)))

    def gen(row: Row) -> list[Record]:
        values: list[Record] = []
        for name, p, nullable, value in entries:
            if r() < p:
                # Now and then a field that once had a value was cleared: it stays, null.
                v = None if nullable and r() < 0.04 else value(row)
                values.append({"FIELD_NAME": name, "FIELD_VALUE": v, "CUSTOM_FIELD_ID": name})
        return values

    return gen


def custom_fields(b: Builder) -> None:
    """CUSTOMFIELDS of a catalog type with custom fields: its own definitions."""
    if b.has("CUSTOMFIELDS") and b.rtype.custom_fields:
        b.set("CUSTOMFIELDS", 1.0, custom_fields_gen(b.kit, b.rtype.custom_fields, 1.0))


def custom_object(
    b: Builder, definition: Mapping[str, Any], fields: Sequence[Mapping[str, Any]]
) -> None:
    """The rules of a custom object's records, shaped like the recorded ``Fruit__c`` ones.

    ``definition`` is the object as ``GET /CustomObjects/{name}`` returns it
    (``RECORD_NAME_TYPE`` AUTONUMBER gives numbered names); ``fields`` its custom fields.
    """
    kit, r, rtype = b.kit, b.kit.r, b.rtype
    b.need_person = b.need_company = b.need_place = False
    basics(b)
    if str(definition.get("RECORD_NAME_TYPE") or "TEXT").upper() == "AUTONUMBER":
        prefix = re.sub(r"[^A-Z]", "", rtype.name[:-3].upper())[:3] or "REC"
        b.set("RECORD_NAME", 1.0, lambda row: f"{prefix}-{kit.count('RECORD_NAME'):05d}")
    else:
        b.set(
            "RECORD_NAME",
            1.0,
            lambda row: (
                f"{NAME_ADJECTIVES[int(r() * len(NAME_ADJECTIVES))]} "
                f"{NAME_NOUNS[int(r() * len(NAME_NOUNS))]}"
            ),
        )
    # Custom objects are young and purpose-built: their fields are mostly filled in.
    b.set("CUSTOMFIELDS", 1.0, custom_fields_gen(kit, rtype.name, 2.2, fields))
