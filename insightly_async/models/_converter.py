"""The one cattrs converter of the models, and the payload functions built on it.

Wire dicts become models through a structure hook that is generated once per model class
from its field metadata (wire name and kind); nothing here is written per class. The hook
keeps a reference to the wire dict it read, which is how the functions below tell what
changed and how a record goes back to the wire exactly as it came:

- :func:`structure` and :func:`unstructure`: wire dict to model and back, losslessly (same
  keys, same order, same values for everything not changed);
- :func:`create_payload`: the body of a POST;
- :func:`changes`: the fields changed since the record was read, for a partial PUT;
- :func:`payload_from_changes`: a user's mapping of changes as a wire dict;
- :func:`validate`: the checks run before anything is sent.

Dates on the wire are UTC ``yyyy-MM-dd HH:mm:ss``; models hold aware UTC ``datetime``s.
Reading also accepts ISO forms with ``T``, fractions and ``Z`` or an offset (webhooks send
``2019-06-25T17:18:46.877``). Writing a naive ``datetime`` is refused with a
:class:`~insightly_async.ValidationError`: whether it meant UTC or local time cannot be told,
and guessing would shift the stored time silently.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, TypeVar

import attrs
import cattrs

from insightly_async._exceptions import ValidationError
from insightly_async.models._base import (
    METADATA_KEY,
    CustomField,
    CustomFields,
    Model,
    OpportunityState,
    Record,
    WireField,
)

__all__ = [
    "changes",
    "converter",
    "create_payload",
    "format_datetime",
    "make_converter",
    "mark_clean",
    "model_fields",
    "parse_datetime",
    "payload_from_changes",
    "structure",
    "structure_many",
    "unstructure",
    "validate",
    "wire_name",
]

M = TypeVar("M", bound=Model)

_UTC = timezone.utc

# ---------------------------------------------------------------------------------------
# Dates


# What webhooks and other ISO writers send that datetime.fromisoformat() of Python 3.10
# does not take: a `Z`, fractions other than 3 or 6 digits, an offset without a colon.
_ISO_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)

_WIRE_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def parse_datetime(value: str) -> datetime:
    """A wire date as an aware UTC ``datetime``.

    Takes the REST layout ``yyyy-MM-dd HH:mm:ss`` (UTC) and ISO 8601 variants: ``T`` or a
    space, optional seconds and fractions, ``Z`` or an offset (converted to UTC). A value
    without a zone is UTC; a date alone is midnight UTC.

    Raises:
        ValueError: ``value`` is not a date.
    """
    if isinstance(value, str) and len(value) == 19:
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
        return parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


def _parse_iso_fallback(value: str) -> datetime:
    problem = f"{value!r} is not a date-time (expected 'yyyy-MM-dd HH:mm:ss')"
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


def format_datetime(value: datetime | date, field: str = "value") -> str:
    """``value`` in the wire layout, ``yyyy-MM-dd HH:mm:ss`` in UTC.

    An aware ``datetime`` is converted to UTC; a ``date`` is midnight. Fractions of a second
    are dropped (the API keeps whole seconds).

    Args:
        value: The date to send.
        field: The field name for the error message.

    Raises:
        ValidationError: ``value`` is a naive ``datetime``.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                field,
                f"naive datetime {value.isoformat()!r}: give it a time zone "
                "(e.g. tzinfo=timezone.utc); the API stores UTC and a naive time is ambiguous",
            )
        value = value.astimezone(_UTC)
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        )
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} 00:00:00"


# ---------------------------------------------------------------------------------------
# Per-class field tables


@attrs.frozen
class _ClassSpec:
    fields: tuple[WireField, ...]
    by_wire: Mapping[str, WireField]
    by_attr: Mapping[str, WireField]
    known: frozenset[str]
    id_field: WireField | None
    has_custom_fields: bool


_SPECS: dict[type, _ClassSpec] = {}


def _spec(cls: type) -> _ClassSpec:
    spec = _SPECS.get(cls)
    if spec is not None:
        return spec
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise TypeError(f"{cls!r} is not an insightly_async model class")
    wire_fields = tuple(
        attrs.evolve(attribute.metadata[METADATA_KEY], name=attribute.name)
        for attribute in attrs.fields(cls)
        if METADATA_KEY in attribute.metadata
    )
    by_attr = {f.name: f for f in wire_fields}
    id_attr = getattr(cls, "_id_attr", None) if issubclass(cls, Record) else None
    spec = _ClassSpec(
        fields=wire_fields,
        by_wire={f.wire: f for f in wire_fields},
        by_attr=by_attr,
        known=frozenset(f.wire for f in wire_fields),
        id_field=by_attr[id_attr] if id_attr else None,
        has_custom_fields=any(f.kind == "custom_fields" for f in wire_fields),
    )
    _SPECS[cls] = spec
    return spec


def model_fields(model_cls: type[Model]) -> tuple[WireField, ...]:
    """The wire fields of ``model_cls``, in declaration order, with their attribute names."""
    return _spec(model_cls).fields


def wire_name(model_cls: type[Model], name: str) -> str:
    """The wire name of the field ``name`` of ``model_cls``, given as attribute or wire name.

    A custom field name (``Hobby__c``) is returned as it is.

    Raises:
        ValidationError: ``model_cls`` has no field ``name``.
    """
    spec = _spec(model_cls)
    found = spec.by_attr.get(name) or spec.by_wire.get(name)
    if found is not None:
        return found.wire
    if spec.has_custom_fields and _is_custom_field_name(name) and name.endswith("__c"):
        return name
    raise ValidationError(name, _unknown_field_message(model_cls, spec, name))


# ---------------------------------------------------------------------------------------
# Reading values


def _clip(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _bad_value(cls: type, f: WireField, value: object, expected: str) -> ValueError:
    return ValueError(
        f"{cls.__name__}.{f.name} ({f.wire}): expected {expected}, got {_clip(value)}"
    )


def _read_str(cls: type, f: WireField, value: Any) -> Any:
    if isinstance(value, str):
        return value
    raise _bad_value(cls, f, value, "a string")


def _read_int(cls: type, f: WireField, value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # Tolerate 12.0 for an integer field; the round trip still writes back the 12.0 read.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _bad_value(cls, f, value, "an integer")


def _read_float(cls: type, f: WireField, value: Any) -> Any:
    # An integer stays an int (1, not 1.0): it is a valid float for the type checker and
    # goes back to the wire exactly as it came.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise _bad_value(cls, f, value, "a number")


def _read_bool(cls: type, f: WireField, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise _bad_value(cls, f, value, "true or false")


def _read_datetime(cls: type, f: WireField, value: Any) -> Any:
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        raise _bad_value(cls, f, value, "a date-time 'yyyy-MM-dd HH:mm:ss'") from None


def _read_state(value: Any) -> Any:
    try:
        return OpportunityState(value)
    except ValueError:
        return value


def _json_copy(value: Any) -> Any:
    # Values kept as raw JSON (extra keys, custom field values) are copied when mutable, so
    # that editing them in place cannot alter the snapshot the changes are computed from.
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    return value


def _read_scalar(cls: type, f: WireField, value: Any) -> Any:
    """The model value of the wire value of a scalar field (the structure hook inlines this)."""
    if value is None:
        return None
    kind = f.kind
    if kind == "str":
        return _read_str(cls, f, value)
    if kind == "int":
        return _read_int(cls, f, value)
    if kind == "float":
        return _read_float(cls, f, value)
    if kind == "bool":
        return _read_bool(cls, f, value)
    if kind == "datetime":
        return _read_datetime(cls, f, value)
    if kind == "state":
        return _read_state(value)
    return value


def _not_a_mapping(cls: type, value: object) -> ValueError:
    return ValueError(f"{cls.__name__}: expected a JSON object, got {_clip(value)}")


def _make_structure_fn(cls: type[Model], conv: cattrs.Converter) -> Callable[..., Any]:
    """Generate the structure hook of ``cls`` from its field metadata.

    The hook builds the instance without calling ``__init__`` (every slot is assigned
    directly, so a 500-record page structures in milliseconds), checks each value's type
    inline, and keeps a reference to the wire dict it read.
    """
    spec = _spec(cls)
    namespace: dict[str, Any] = {
        "_new": object.__new__,
        "_cls": cls,
        "_known": spec.known,
        "_json_copy": _json_copy,
        "_Mapping": Mapping,
        "_not_a_mapping": _not_a_mapping,
        "_read_state": _read_state,
        "_str": _read_str,
        "_int": _read_int,
        "_float": _read_float,
        "_bool": _read_bool,
        "_datetime": _read_datetime,
        "_list": list,
        "_dict": dict,
    }
    lines = [
        "def structure(o, _=None):",
        "    if o.__class__ is not _dict and not isinstance(o, _Mapping):",
        "        raise _not_a_mapping(_cls, o)",
        "    self = _new(_cls)",
        "    get = o.get",
    ]
    for index, f in enumerate(spec.fields):
        namespace[f"_f{index}"] = f
        lines.append(f"    v = get({f.wire!r})")
        if f.kind in ("str", "int", "float", "bool"):
            # The common case (the right type, or null) costs one class check; the kind is
            # also the name of the builtin type.
            lines.append(
                f"    if v is not None and v.__class__ is not {f.kind}:"
                f" v = _{f.kind}(_cls, _f{index}, v)"
            )
        elif f.kind == "datetime":
            lines.append(f"    if v is not None: v = _datetime(_cls, _f{index}, v)")
        elif f.kind == "state":
            lines.append("    if v is not None: v = _read_state(v)")
        elif f.kind == "json":
            lines.append("    if v.__class__ is _list or v.__class__ is _dict: v = _json_copy(v)")
        else:
            namespace[f"_h{index}"] = _make_nested_reader(cls, f, conv)
            lines.append(f"    if v is not None: v = _h{index}(v)")
        lines.append(f"    self.{f.name} = v")
    lines += [
        "    if o.keys() <= _known:",
        "        self.extra = {}",
        "    else:",
        "        self.extra = {k: _json_copy(v) for k, v in o.items() if k not in _known}",
        "    self._wire = o",
        "    self._given = None",
    ]
    if issubclass(cls, Record):
        lines.append("    self.etag = None")
    lines.append("    return self")
    source = "\n".join(lines)
    code = compile(source, f"<insightly_async structure {cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102  (our own source, generated from field metadata)
    hook: Callable[..., Any] = namespace["structure"]
    return hook


def _same_list(items: list[Any]) -> list[Any]:
    return items


def _make_nested_reader(
    cls: type[Model], f: WireField, conv: cattrs.Converter
) -> Callable[[Any], Any]:
    assert f.item is not None or f.kind == "custom_fields", f
    item_cls = CustomField if f.kind == "custom_fields" else f.item
    item_hook = conv.get_structure_hook(item_cls)
    if f.kind == "model":

        def read_model(value: Any) -> Any:
            return item_hook(value, item_cls)

        return read_model

    container: Callable[[list[Any]], Any] = (
        CustomFields._wrap if f.kind == "custom_fields" else _same_list
    )

    def read_list(value: Any) -> Any:
        if value.__class__ is not list:
            raise _bad_value(cls, f, value, "a list")
        return container([item_hook(item, item_cls) for item in value])

    return read_list


# ---------------------------------------------------------------------------------------
# Writing values


def _write(f: WireField, value: Any, path: str) -> Any:
    """The wire value of a field's model value. Type errors are left for :func:`validate`."""
    if value is None:
        return None
    kind = f.kind
    if kind == "datetime":
        return format_datetime(value, path) if isinstance(value, date) else value
    if kind == "state":
        return _write_state(value)
    if kind == "json":
        return _write_json(value, path)
    if kind == "custom_fields":
        if isinstance(value, CustomFields):
            value = value.fields
        elif isinstance(value, Mapping):
            value = [CustomField(name, item) for name, item in value.items()]
    if kind in ("list", "custom_fields"):
        if not isinstance(value, (list, tuple)):
            return value
        return [_write_item(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "model":
        return _write_item(value, path)
    return value


def _write_state(value: Any) -> Any:
    if isinstance(value, OpportunityState):
        return value.value
    if isinstance(value, str):
        state = _read_state(value)
        return state.value if isinstance(state, OpportunityState) else value
    return value


def _write_item(item: Any, path: str) -> Any:
    if isinstance(item, Model):
        return _unstructure(item, path)
    if isinstance(item, Mapping):
        return {key: _write_json(value, f"{path}.{key}") for key, value in item.items()}
    return item


def _write_json(value: Any, path: str) -> Any:
    if isinstance(value, date):
        return format_datetime(value, path)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Model):
        return _unstructure(value, path)
    if isinstance(value, Mapping):
        return {key: _write_json(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_write_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: like ``==``, but ``True`` is not ``1``."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a.__class__ is b.__class__ and a == b
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_json_equal(value, b[key]) for key, value in a.items())
        )
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    return bool(a == b)


# What _sent_value() returns for a field that is still what was read.
_SAME: Any = object()


def _sent_value(cls: type, f: WireField, current: Any, wire_value: Any, path: str) -> Any:
    """The wire value of ``current``, or ``_SAME`` if it is still what ``wire_value`` was read as.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    if current is wire_value:
        # Strings, numbers, bools and nulls are kept as the very objects read: the common case.
        return _SAME
    if current is None or wire_value is None:
        return _write(f, current, path)
    if f.kind in ("list", "custom_fields", "model"):
        # Items read from the wire and left alone write back their wire values, so this is
        # equal exactly when nothing inside changed (in-place edits included).
        written = _write(f, current, path)
        return _SAME if _json_equal(written, wire_value) else written
    if f.kind == "json":
        same = _json_equal(current, wire_value)
    else:
        try:
            same = _json_equal(current, _read_scalar(cls, f, wire_value))
        except ValueError:
            same = False
    return _SAME if same else _write(f, current, path)


def _present(model: Model, f: WireField, value: Any) -> bool:
    given = model._given
    return value is not None or (given is not None and f.name in given)


def _unstructure(model: Model, path: str = "") -> dict[str, Any]:
    cls = type(model)
    spec = _spec(cls)
    prefix = f"{path}." if path else ""
    wire = model._wire
    extra = model.extra
    out: dict[str, Any] = {}
    if wire is not None:
        # Keys in the order they were read; a value left alone goes back exactly as read.
        for key, wire_value in wire.items():
            f = spec.by_wire.get(key)
            if f is None:
                if key in extra:
                    out[key] = _json_copy(extra[key])
                continue
            value = _sent_value(cls, f, getattr(model, f.name), wire_value, prefix + f.name)
            if value is not _SAME:
                out[key] = value
            elif wire_value.__class__ is list or wire_value.__class__ is dict:
                out[key] = _json_copy(wire_value)
            else:
                out[key] = wire_value
    for f in spec.fields:
        if wire is not None and f.wire in wire:
            continue
        current = getattr(model, f.name)
        if _present(model, f, current):
            out[f.wire] = _write(f, current, prefix + f.name)
    for key, value in extra.items():
        if key not in out and key not in spec.known:
            out[key] = _json_copy(value)
    return out


# ---------------------------------------------------------------------------------------
# The converter


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model) and attrs.has(cls)


def make_converter() -> cattrs.Converter:
    """A cattrs converter for the models.

    Dates and opportunity states get their own hooks; every model class gets its structure
    and unstructure hooks from one factory each, built from the field metadata.
    """
    conv = cattrs.Converter()
    conv.register_structure_hook(datetime, lambda value, _: parse_datetime(value))
    conv.register_unstructure_hook(datetime, format_datetime)
    conv.register_structure_hook(OpportunityState, lambda value, _: OpportunityState(value))
    conv.register_unstructure_hook(OpportunityState, lambda state: state.value)
    conv.register_structure_hook_factory(_is_model, lambda cls: _make_structure_fn(cls, conv))
    conv.register_unstructure_hook_factory(_is_model, lambda cls: _unstructure)
    return conv


#: The converter of the package, built once.
converter = make_converter()

_HOOKS: dict[type, Callable[..., Any]] = {}


def _hook(model_cls: type[Model]) -> Callable[..., Any]:
    hook = _HOOKS.get(model_cls)
    if hook is None:
        _spec(model_cls)  # a clear TypeError for a class that is not a model
        hook = _HOOKS[model_cls] = converter.get_structure_hook(model_cls)
    return hook


# ---------------------------------------------------------------------------------------
# Public functions


def structure(model_cls: type[M], wire: Mapping[str, Any], *, etag: str | None = None) -> M:
    """The model of the wire dict ``wire``.

    The model keeps a reference to ``wire`` (no copy) as the record of what was read, so
    ``wire`` must not be modified afterwards.

    Args:
        model_cls: The model class.
        wire: The JSON object, as decoded.
        etag: The response's ``ETag``, for a :class:`Record`.

    Raises:
        ValueError: A value does not have its field's type.
    """
    model: M = _hook(model_cls)(wire, model_cls)
    if etag is not None and isinstance(model, Record):
        model.etag = etag
    return model


def structure_many(model_cls: type[M], wires: Iterable[Mapping[str, Any]]) -> list[M]:
    """:func:`structure` each dict of ``wires`` (a page of records)."""
    hook = _hook(model_cls)
    return [hook(wire, model_cls) for wire in wires]


def unstructure(model: Model) -> dict[str, Any]:
    """The whole wire dict of ``model``.

    A model read from the wire gives back the keys it was read with, in the same order,
    with the same values for everything not changed since; fields set since then follow,
    then new ``extra`` keys. A model built in Python gives the fields passed to its
    constructor or set since, in declaration order, then ``extra``.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    return _unstructure(model)


def create_payload(record: Model) -> dict[str, Any]:
    """The wire body that creates ``record`` (POST).

    Every present field except the read-only ones, sub-records included, and ``extra``.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    spec = _spec(type(record))
    result = {}
    for key, value in _unstructure(record).items():
        f = spec.by_wire.get(key)
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

    Returns:
        The changed fields by wire name; empty when nothing changed.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    cls = type(record)
    spec = _spec(cls)
    wire = record._wire
    out: dict[str, Any] = {}
    for f in spec.fields:
        if f.read_only or f.create_only:
            continue
        current = getattr(record, f.name)
        if wire is not None and f.wire in wire:
            value = _sent_value(cls, f, current, wire[f.wire], f.name)
            if value is not _SAME:
                out[f.wire] = value
        elif _present(record, f, current):
            out[f.wire] = _write(f, current, f.name)
    for key, value in record.extra.items():
        if key in spec.known:
            continue
        if wire is None or key not in wire or not _json_equal(value, wire[key]):
            out[key] = _json_copy(value)
    return out


def mark_clean(record: Model) -> None:
    """Take the record's current values as what was read: :func:`changes` becomes empty.

    Raises:
        ValidationError: A date is a naive ``datetime``.
    """
    record._wire = _unstructure(record)
    record._given = None


# ---------------------------------------------------------------------------------------
# Changes given as a mapping

# Custom field names: `Hobby__c`, and on older accounts `CONTACT_FIELD_3`.
_CUSTOM_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")


def _is_custom_field_name(name: object) -> bool:
    return isinstance(name, str) and _CUSTOM_FIELD_NAME.fullmatch(name) is not None


def _unknown_field_message(model_cls: type, spec: _ClassSpec, name: str) -> str:
    candidates = [*spec.by_attr, *spec.by_wire]
    close = difflib.get_close_matches(name, candidates, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if spec.has_custom_fields:
        hint += " (custom fields go by their name ending in '__c', or under 'custom_fields')"
    return f"{model_cls.__name__} has no field {name!r}{hint}"


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

    Raises:
        ValidationError: A key names no field, names a read-only field or the id, or names
            a field twice; or a date is a naive ``datetime``.
    """
    spec = _spec(model_cls)
    out: dict[str, Any] = {}
    named_custom: list[dict[str, Any]] = []
    for key, value in changes.items():
        if not isinstance(key, str):
            raise ValidationError(repr(key), "change keys must be field names (strings)")
        f = spec.by_attr.get(key) or spec.by_wire.get(key)
        if f is None:
            if spec.has_custom_fields and key.endswith("__c") and _is_custom_field_name(key):
                named_custom.append({"FIELD_NAME": key, "FIELD_VALUE": _write_json(value, key)})
                continue
            raise ValidationError(key, _unknown_field_message(model_cls, spec, key))
        if f is spec.id_field:
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


# ---------------------------------------------------------------------------------------
# Validation

_EXPECTED = {
    "str": "a string",
    "state": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "datetime": "a date 'yyyy-MM-dd HH:mm:ss' (UTC)",
    "list": "a list",
    "custom_fields": "a list",
    "model": "an object",
    "json": "a JSON value",
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind in ("str", "state"):
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, str) and _WIRE_DATETIME.fullmatch(value) is not None
    if kind in ("list", "custom_fields"):
        return isinstance(value, list)
    if kind == "model":
        return isinstance(value, Mapping)
    return _is_json(value)


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    return False


def _check_value(model_cls: type, f: WireField, value: Any, path: str) -> None:
    if value is None:
        return
    if not _type_ok(f.kind, value):
        raise ValidationError(
            path,
            f"{f.wire} of a {model_cls.__name__} must be {_EXPECTED[f.kind]}, "
            f"got {_clip(value)} ({type(value).__name__})",
        )
    if f.kind == "datetime":
        try:
            parse_datetime(value)
        except ValueError:
            raise ValidationError(
                path, f"{f.wire} of a {model_cls.__name__} is not a real date: {value!r}"
            ) from None
    if f.max_length and len(value) > f.max_length:
        raise ValidationError(
            path,
            f"{f.wire} of a {model_cls.__name__} is {len(value)} characters long; "
            f"the API takes at most {f.max_length}",
        )
    if f.kind == "custom_fields":
        for index, item in enumerate(value):
            _check_custom_field(item, f"{path}[{index}]")
    elif f.kind == "list":
        assert f.item is not None
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if not isinstance(item, Mapping):
                raise ValidationError(
                    item_path, f"items of {f.wire} must be objects, got {_clip(item)}"
                )
            _check_payload(f.item, item, item_path)
    elif f.kind == "model":
        assert f.item is not None
        _check_payload(f.item, value, path)


def _check_custom_field(item: Any, path: str) -> None:
    if not isinstance(item, Mapping):
        raise ValidationError(path, f"items of CUSTOMFIELDS must be objects, got {_clip(item)}")
    name = item.get("FIELD_NAME")
    if not _is_custom_field_name(name):
        raise ValidationError(
            f"{path}.field_name",
            f"FIELD_NAME {name!r} is not a custom field name "
            "(letters, digits and underscores, starting with a letter, e.g. 'Hobby__c')",
        )
    _check_payload(CustomField, item, path)


def _check_payload(model_cls: type[Model], payload: Mapping[str, Any], path: str = "") -> None:
    spec = _spec(model_cls)
    prefix = f"{path}." if path else ""
    for key, value in payload.items():
        f = spec.by_wire.get(key)
        # Keys the model does not know come from `.extra`: the server judges those.
        if f is not None:
            _check_value(model_cls, f, value, prefix + f.name)


def validate(
    model_cls: type[Model], payload: Mapping[str, Any], *, required: Sequence[str] = ()
) -> None:
    """Check a wire payload before it is sent.

    Checks that the ``required`` wire fields are present and not ``None``, that each known
    field has its type (an integer is not a bool; dates are ``yyyy-MM-dd HH:mm:ss``
    strings), that strings fit the field's maximum length, and that custom field names are
    well formed, in sub-records too.

    Args:
        model_cls: The model class the payload is for.
        payload: The wire dict (from :func:`create_payload`, :func:`changes` or
            :func:`payload_from_changes`).
        required: Wire names that must be present (the catalog's ``required`` on create).

    Raises:
        ValidationError: The first problem found; ``field`` is the attribute name (a dotted
            path for sub-records, e.g. ``custom_fields[2].field_name``).
    """
    spec = _spec(model_cls)
    for wire in required:
        f = spec.by_wire.get(wire)
        name = f.name if f is not None else wire
        if payload.get(wire) is None:
            state = "missing" if wire not in payload else "null"
            raise ValidationError(
                name, f"{wire} is required to create a {model_cls.__name__} ({state})"
            )
    _check_payload(model_cls, payload)
