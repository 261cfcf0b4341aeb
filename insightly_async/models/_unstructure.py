"""Models back to the wire: whole, as the body of a create, as the changes since they were
read, and a caller's mapping of changes as a wire dict.

A model read from the wire keeps a reference to the dict it was read from; a value still
equal to what was read (the codec of its field tells) goes back exactly as it was read, so
a record round-trips key for key, and :func:`changes` holds only what the caller changed.
A sub-record not built yet is as it was read: it goes back as read, without being built
for that.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from insightly_async._exceptions import ValidationError
from insightly_async.models._base import UNREAD, CustomField, Model, WireField, peek
from insightly_async.models._codecs import CODECS
from insightly_async.models._fields import class_fields, unknown_field
from insightly_async.models._values import MAX_DEPTH, TooDeepError, copy_json, json_equal

__all__ = [
    "changes",
    "create_payload",
    "mark_clean",
    "payload_from_changes",
    "unstructure",
    "write_model",
]


# A custom field's value, written for a custom field given by its name (``Hobby__c``).
_FIELD_VALUE = class_fields(CustomField).by_wire["FIELD_VALUE"]


def _copy(value: Any, path: str) -> Any:
    try:
        return copy_json(value)
    except TooDeepError:
        raise ValidationError(path, f"nests more than {MAX_DEPTH} levels deep") from None


def _write(f: WireField, value: Any, path: str) -> Any:
    """The wire value of a field's model value."""
    if value is None:
        return None
    return CODECS[f.kind].write(f, value, path, write_model)


def _sent(f: WireField, current: Any, wire_value: Any, path: str) -> tuple[Any, bool]:
    """The wire value of ``current``, and whether it differs from what ``wire_value`` was
    read as; the value is the caller's own (written afresh, or a scalar).

    Callers first test ``current is wire_value``: strings, numbers, bools and nulls are kept
    as the very objects read, so that is the common case, and it costs no call.
    """
    if current is None or wire_value is None:
        return _write(f, current, path), True
    return CODECS[f.kind].sent(f, current, wire_value, path, write_model)


def _present(model: Model, f: WireField, value: Any) -> bool:
    given = model._given
    return value is not None or (given is not None and f.name in given)


_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


def _extra_of(model: Model) -> Mapping[str, Any]:
    """``model.extra``, without making it for a model read without unknown keys."""
    extra = peek(model, "extra")
    return _NO_EXTRA if extra is UNREAD else extra


def write_model(model: Model, path: str = "") -> dict[str, Any]:
    """The whole wire dict of ``model``; ``path`` names it in errors (``tags[2]``).

    Raises:
        ValidationError: A date is a naive ``datetime``, or a value nests too deep.
    """
    table = class_fields(type(model))
    prefix = f"{path}." if path else ""
    wire = model._wire
    extra = _extra_of(model)
    out: dict[str, Any] = {}
    if wire is not None:
        # Keys in the order they were read; a value left alone goes back exactly as read.
        by_wire = table.by_wire
        for key, wire_value in wire.items():
            f = by_wire.get(key)
            if f is None:
                if key in extra:
                    out[key] = _copy(extra[key], prefix + key)
                continue
            current = peek(model, f.name)
            if current is not wire_value and current is not UNREAD:
                out[key] = _sent(f, current, wire_value, prefix + f.name)[0]
            elif wire_value.__class__ is list or wire_value.__class__ is dict:
                out[key] = _copy(wire_value, prefix + f.name)
            else:
                out[key] = wire_value
    # Then the fields that were not read (none, when every field was).
    if wire is None or not wire.keys() >= table.known:
        for f in table.fields:
            if wire is not None and f.wire in wire:
                continue
            current = getattr(model, f.name)
            if _present(model, f, current):
                out[f.wire] = _write(f, current, prefix + f.name)
    for key, value in extra.items():
        if key not in out and key not in table.known:
            out[key] = _copy(value, prefix + key)
    return out


def unstructure(model: Model) -> dict[str, Any]:
    """The whole wire dict of ``model``.

    A model read from the wire gives back the keys it was read with, in the same order,
    with the same values for everything not changed since; fields set since then follow,
    then new ``extra`` keys. A model built in Python gives the fields passed to its
    constructor or set since, in declaration order, then ``extra``.

    Args:
        model: The model.

    Returns:
        The wire dict.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    return write_model(model)


def create_payload(record: Model) -> dict[str, Any]:
    """The wire body that creates ``record`` (POST).

    Every present field except the read-only ones, sub-records included, and ``extra``.

    Args:
        record: The new record.

    Returns:
        The body, by wire name.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    table = class_fields(type(record))
    result = {}
    for key, value in write_model(record).items():
        f = table.by_wire.get(key)
        if f is None or not f.read_only:
            result[key] = value
    return result


def changes(record: Model) -> dict[str, Any]:
    """The wire fields of ``record`` changed since it was read, for a partial update (PUT).

    A field counts as changed when its value differs from what was read (in-place edits of
    lists and sub-records included) or, for a field that was not read, when it holds a
    value. A changed sub-collection goes whole: ``CUSTOMFIELDS`` is sent as read plus the
    change, so the update cannot drop the fields left alone whichever way the server
    applies it. Read-only fields and the id are never included (the caller adds the id).
    A record built in Python counts every present field as changed.

    Args:
        record: A model, read from the wire or built in Python.

    Returns:
        The changed fields by wire name; empty when nothing changed.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    table = class_fields(type(record))
    wire = record._wire
    out: dict[str, Any] = {}
    for f in table.fields:
        if f.read_only or f.create_only:
            continue
        current = peek(record, f.name)
        if current is UNREAD:
            continue  # not built yet: still as read
        if wire is not None and f.wire in wire:
            wire_value = wire[f.wire]
            if current is not wire_value:
                value, changed = _sent(f, current, wire_value, f.name)
                if changed:
                    out[f.wire] = value
        elif _present(record, f, current):
            out[f.wire] = _write(f, current, f.name)
    for key, value in _extra_of(record).items():
        if key in table.known:
            continue
        if wire is None or key not in wire or not json_equal(value, wire[key]):
            out[key] = _copy(value, key)
    return out


def mark_clean(record: Model) -> None:
    """Take the record's current values as what was read: :func:`changes` becomes empty.

    Args:
        record: The model to mark.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    record._wire = write_model(record)
    record._given = None


def payload_from_changes(
    model_cls: type[Model], changes: Mapping[str, Any], *, creating: bool = False
) -> dict[str, Any]:
    """The wire dict of a mapping of field values: a blind partial update, or a new record.

    Keys are attribute names (``last_name``), wire names (``LAST_NAME``) or custom field
    names ending in ``__c`` (``Hobby__c``). Custom fields can also be given together under
    ``custom_fields`` (or ``CUSTOMFIELDS``), as a mapping of name to value or as a list of
    :class:`CustomField`. Only the custom fields named are sent: there is no record to
    complete the collection from. Values are converted: aware datetimes to wire dates, enums
    to their values, models to dicts.

    Args:
        model_cls: The model class of the record.
        changes: The values by field name.
        creating: The values are those of a new record: the fields that can only be set on
            create (``PRICEBOOK_ID`` of a price book entry) are accepted.

    Returns:
        The wire dict of the values.

    Raises:
        ValidationError: A key names no field, names a read-only field or the id, or names
            a field twice; or a date is a naive ``datetime``.
    """
    table = class_fields(model_cls)
    out: dict[str, Any] = {}
    named_custom: list[dict[str, Any]] = []
    for key, value in changes.items():
        if not isinstance(key, str):
            raise ValidationError(repr(key), "change keys must be field names (strings)")
        f = table.find(key)
        if f is None:
            if table.names_custom_field(key):
                written = _write(_FIELD_VALUE, value, key)
                named_custom.append({"FIELD_NAME": key, "FIELD_VALUE": written})
                continue
            raise unknown_field(table, key)
        if f is table.id_field:
            raise ValidationError(f.name, f"{f.wire} is the record id: pass it as the id")
        if f.read_only:
            raise ValidationError(f.name, f"{f.wire} is read-only: the server sets it")
        if f.create_only and not creating:
            raise ValidationError(f.name, f"{f.wire} is set when the record is created only")
        if f.wire in out:
            raise ValidationError(f.name, f"{f.wire} is given twice")
        out[f.wire] = _write(f, value, f.name)
    if named_custom:
        merged = out.setdefault("CUSTOMFIELDS", [])
        if not isinstance(merged, list):
            raise ValidationError("custom_fields", "CUSTOMFIELDS must be a list")
        seen = {item.get("FIELD_NAME") for item in merged if isinstance(item, Mapping)}
        for item in named_custom:
            if item["FIELD_NAME"] in seen:
                raise ValidationError(item["FIELD_NAME"], "custom field is given twice")
            merged.append(item)
    return out
