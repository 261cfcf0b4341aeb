"""One codec per field kind: the table every conversion of the models reads.

The codec of a kind knows, for every field of that kind:

- how to read a wire value (:meth:`Codec.reader`; :attr:`Codec.guard` is the inline test
  with which the generated structure hooks skip it for values that need no conversion);
- how to write a model value back (:meth:`Codec.write`), and whether a value is still the
  one read (:meth:`Codec.sent`);
- how to check a payload value before it is sent (:meth:`Codec.check`);
- what a value of the kind must be (:attr:`Codec.reads` on the wire, :attr:`Codec.expected`
  in a payload).

Nothing else branches on a field's kind: :data:`CODECS` is looked up. A wire value that does
not fit raises :class:`~insightly_async.ResponseValidationError` naming the model, the field
(a path for nested values, ``custom_fields[2].field_value``) and the value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any, Final

from insightly_async._exceptions import ResponseValidationError, ValidationError, show_value
from insightly_async._facts.wire import (
    canonical_body_datetime,
    format_body_datetime,
    parse_wire_datetime,
)
from insightly_async.models._base import (
    CustomField,
    CustomFields,
    Kind,
    Model,
    OpportunityState,
    WireField,
)
from insightly_async.models._fields import is_custom_field_name
from insightly_async.models._values import (
    MAX_DEPTH,
    WriteModel,
    copy_json,
    format_datetime,
    is_json,
    json_equal,
    write_json,
)

__all__ = ["CODECS", "TOO_DEEP", "Codec", "misfit", "plain_hook", "within"]

#: The problem of a JSON value nested too deep.
TOO_DEEP: Final = f"expected a JSON value nested at most {MAX_DEPTH} levels deep"

#: The converter's structure hook of a model class (``converter.get_structure_hook``).
HookOf = Callable[[type[Model]], Callable[[Any, Any], Any]]
#: Checks a nested payload: (model class, payload, path).
CheckModel = Callable[[type[Model], Mapping[str, Any], str], None]


def misfit(
    model: type,
    problem: str,
    value: object,
    field: str | None = None,
    wire: str | None = None,
) -> ResponseValidationError:
    """The error for ``value``, read for ``field`` of ``model``, which does not fit."""
    return ResponseValidationError(
        problem, model=model.__name__, value=show_value(value), field=field, wire=wire
    )


def within(
    error: ResponseValidationError,
    model: type,
    field: str | None = None,
    wire: str | None = None,
    index: int | None = None,
) -> ResponseValidationError:
    """``error``, raised inside ``field`` of ``model`` (or record ``index`` of a list), named
    from ``model``: ``tags[3]`` and ``tag_name`` make ``tags[3].tag_name``."""
    if field is not None and error.field:
        field = f"{field}.{error.field}"
    if wire is not None and error.wire:
        wire = f"{wire}.{error.wire}"
    return ResponseValidationError(
        error.problem,
        model=model.__name__,
        value=error.value,
        field=error.field if field is None else field,
        wire=error.wire if wire is None else wire,
        index=index,
    )


class Codec:
    """How the values of the fields of one kind convert."""

    #: What a wire value must be (in read errors).
    reads: str
    #: What a payload value must be (in validation errors).
    expected: str
    #: An expression of the wire value ``{v}`` and of :attr:`constant` (``{c}``), true when
    #: the reader must run; a value for which it is false is kept as it is.
    guard: str = "{v} is not None"
    constant: object = None
    #: The type of a wire value whose model value may be built on first access rather
    #: than with the record (a sub-record's ``dict``, a collection's ``list``), when its
    #: contents fit; ``None``: always read with the record.
    deferred: type | None = None

    def reader(self, owner: type[Model], f: WireField, hook_of: HookOf) -> Callable[[Any], Any]:
        """The function that reads a wire value of ``f`` of ``owner`` (not ``None``).

        Raises (the function):
            ResponseValidationError: The value does not fit.
        """
        raise NotImplementedError

    def item_class(self, f: WireField) -> type[Model]:
        """The model class of the value, or of the items, of a field read by a nested hook
        (a kind with :attr:`deferred`)."""
        raise NotImplementedError(self)

    def write(self, f: WireField, value: Any, path: str, write_model: WriteModel) -> Any:
        """The wire value of the model value ``value`` (not ``None``). Type errors are left
        for :meth:`check`.

        Raises:
            ValidationError: A date is a naive ``datetime``; a value nests too deep.
        """
        return write_json(value, path, write_model)

    def sent(
        self, f: WireField, current: Any, wire_value: Any, path: str, write_model: WriteModel
    ) -> tuple[Any, bool]:
        """The wire value of ``current``, and whether it differs from what ``wire_value`` was
        read as (in-place edits of lists and sub-records count).

        Either way the value returned is the caller's own: written afresh, or a scalar.
        """
        written = self.write(f, current, path, write_model)
        return written, not json_equal(written, wire_value)

    def accepts(self, value: Any) -> bool:
        """``value`` (not ``None``) has the type a payload value of the kind must have."""
        raise NotImplementedError

    def check(
        self, owner: type[Model], f: WireField, value: Any, path: str, check_model: CheckModel
    ) -> None:
        """Check a payload value (not ``None``) of ``f`` of ``owner`` before it is sent.

        Raises:
            ValidationError: The first problem found, named by ``path``.
        """
        if not self.accepts(value):
            raise ValidationError(
                path,
                f"{f.wire} of a {owner.__name__} must be {self.expected}, "
                f"got {show_value(value)} ({type(value).__name__})",
            )


# What a leaf codec's parse raises for a value that does not fit (TooDeepError is a
# ValueError).
_UNFIT = (TypeError, ValueError, OverflowError)


class _Leaf(Codec):
    """A value read by one function: numbers, strings, dates, states."""

    def parse(self, value: Any) -> Any:
        """The model value of a wire value. Raises TypeError, ValueError or OverflowError."""
        raise NotImplementedError

    def reader(self, owner: type[Model], f: WireField, hook_of: HookOf) -> Callable[[Any], Any]:
        parse = self.parse
        problem = f"expected {self.reads}"

        def read(value: Any) -> Any:
            try:
                return parse(value)
            except _UNFIT:
                raise misfit(owner, problem, value, f.name, f.wire) from None

        return read

    def hook(self, target: type) -> Callable[[Any, Any], Any]:
        """A cattrs structure hook of a plain ``target`` value, read as this codec reads it."""
        parse = self.parse

        def structure(value: Any, _: Any = None) -> Any:
            try:
                result = parse(value)
            except _UNFIT:
                result = None
            if isinstance(result, target):
                return result
            raise misfit(target, f"expected a value of {target.__name__}", value)

        return structure

    def write(self, f: WireField, value: Any, path: str, write_model: WriteModel) -> Any:
        return value

    def sent(
        self, f: WireField, current: Any, wire_value: Any, path: str, write_model: WriteModel
    ) -> tuple[Any, bool]:
        # Compared as read: '2025-04-19T00:49:32Z' read is unchanged when the model still
        # holds the datetime it became, and goes back as it came.
        try:
            same = json_equal(current, self.parse(wire_value))
        except _UNFIT:
            same = False
        if same:
            return wire_value, False
        return self.write(f, current, path, write_model), True

    def check(
        self, owner: type[Model], f: WireField, value: Any, path: str, check_model: CheckModel
    ) -> None:
        super().check(owner, f, value, path, check_model)
        if f.max_length and len(value) > f.max_length:
            raise ValidationError(
                path,
                f"{f.wire} of a {owner.__name__} is {len(value)} characters long; "
                f"the API takes at most {f.max_length}",
            )


class _Json(_Leaf):
    """Any JSON value, kept as it came: read as a leaf (a copy, bounded in depth, of a list
    or an object), written and compared like the nested kinds (as JSON)."""

    reads = TOO_DEEP.removeprefix("expected ")
    expected = f"a JSON value (at most {MAX_DEPTH} levels deep)"
    guard = "{v}.__class__ in {c}"
    constant = (list, dict)
    parse = staticmethod(copy_json)
    write = Codec.write
    sent = Codec.sent

    def accepts(self, value: Any) -> bool:
        return is_json(value)


class _Typed(_Leaf):
    """A JSON scalar of one Python type: read as it is in the common case."""

    guard = "{v} is not None and {v}.__class__ is not {c}"
    #: The Python types a value may have; a bool is none of them unless bool is named.
    types: tuple[type, ...]

    def is_type(self, value: Any) -> bool:
        return isinstance(value, self.types) and (value.__class__ is not bool or bool in self.types)

    def parse(self, value: Any) -> Any:
        if self.is_type(value):
            return value
        raise TypeError

    def accepts(self, value: Any) -> bool:
        return self.is_type(value)


class _Str(_Typed):
    reads = expected = "a string"
    constant = str
    types = (str,)


class _Bool(_Typed):
    reads = expected = "true or false"
    constant = bool
    types = (bool,)


class _Int(_Typed):
    reads = expected = "an integer"
    constant = int
    types = (int,)

    def parse(self, value: Any) -> Any:
        # Tolerate 12.0 for an integer field; the round trip still writes back the 12.0 read.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return super().parse(value)


class _Float(_Typed):
    # An integer stays an int (1, not 1.0): it is a valid float for the type checker and
    # goes back to the wire exactly as it came.
    reads = expected = "a number"
    constant = float
    types = (int, float)

    def accepts(self, value: Any) -> bool:
        # NaN and the infinities are read as they come, but are not JSON: never sent.
        return self.is_type(value) and math.isfinite(value)


# The shape of a body date, derived from the wire format: digits as zeros.
_ZEROS = str.maketrans("123456789", "000000000")
_LAYOUT = format_body_datetime(datetime(2000, 1, 1, tzinfo=timezone.utc)).translate(_ZEROS)


class _DateTime(_Leaf):
    reads = "a date-time 'yyyy-MM-dd HH:mm:ss'"
    expected = "a date 'yyyy-MM-dd HH:mm:ss' (UTC)"
    parse = staticmethod(parse_wire_datetime)

    def write(self, f: WireField, value: Any, path: str, write_model: WriteModel) -> Any:
        return format_datetime(value, path) if isinstance(value, date) else value

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value.translate(_ZEROS) == _LAYOUT

    def check(
        self, owner: type[Model], f: WireField, value: Any, path: str, check_model: CheckModel
    ) -> None:
        super().check(owner, f, value, path, check_model)
        if canonical_body_datetime(value) != value:
            raise ValidationError(
                path, f"{f.wire} of a {owner.__name__} is not a real date: {show_value(value)}"
            )


class _State(_Leaf):
    reads = expected = "a string"

    def parse(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError
        try:
            return OpportunityState(value)
        except ValueError:
            # A state this version does not know stays a plain string.
            return value

    def write(self, f: WireField, value: Any, path: str, write_model: WriteModel) -> Any:
        if isinstance(value, str):
            state = self.parse(value)
            return state.value if isinstance(state, OpportunityState) else value
        return value

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)


class _Nested(Codec):
    """A sub-record, or a list of them: read by the converter's hook of the item class."""

    #: The type a payload value must have.
    container: type

    def item_class(self, f: WireField) -> type[Model]:
        assert f.item is not None, f
        return f.item

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.container)

    def check(
        self, owner: type[Model], f: WireField, value: Any, path: str, check_model: CheckModel
    ) -> None:
        super().check(owner, f, value, path, check_model)
        self.check_inside(f, value, path, check_model)

    def check_inside(self, f: WireField, value: Any, path: str, check_model: CheckModel) -> None:
        """Check the sub-records of a payload value of the right type."""
        check_model(self.item_class(f), value, path)


class _One(_Nested):
    reads = expected = "an object"
    container = Mapping
    deferred = dict

    def reader(self, owner: type[Model], f: WireField, hook_of: HookOf) -> Callable[[Any], Any]:
        item_cls = self.item_class(f)
        hook = hook_of(item_cls)

        def read(value: Any) -> Any:
            try:
                return hook(value, item_cls)
            except ResponseValidationError as error:
                raise within(error, owner, f.name, f.wire) from None

        return read


class _Items(_Nested):
    reads = expected = "a list"
    container = list
    deferred = list
    #: Builds the model value of the list of items read (None: the list itself).
    wrap: Callable[[list[Any]], Any] | None = None

    def reader(self, owner: type[Model], f: WireField, hook_of: HookOf) -> Callable[[Any], Any]:
        item_cls = self.item_class(f)
        hook = hook_of(item_cls)
        wrap = self.wrap
        problem = f"expected {self.reads}"

        def read(value: Any) -> Any:
            if value.__class__ is not list:
                raise misfit(owner, problem, value, f.name, f.wire)
            try:
                items = [hook(item, item_cls) for item in value]
            except ResponseValidationError as error:
                raise _item_error(error, owner, f, value, hook) from None
            return items if wrap is None else wrap(items)

        return read

    def write(self, f: WireField, value: Any, path: str, write_model: WriteModel) -> Any:
        if not isinstance(value, (list, tuple)):
            return value
        return [write_json(item, f"{path}[{i}]", write_model) for i, item in enumerate(value)]

    def check_inside(self, f: WireField, value: Any, path: str, check_model: CheckModel) -> None:
        for index, item in enumerate(value):
            self.check_item(f, item, f"{path}[{index}]", check_model)

    def check_item(self, f: WireField, item: Any, path: str, check_model: CheckModel) -> None:
        if not isinstance(item, Mapping):
            raise ValidationError(
                path, f"items of {f.wire} must be objects, got {show_value(item)}"
            )
        super().check_inside(f, item, path, check_model)


def _item_error(
    error: ResponseValidationError,
    owner: type[Model],
    f: WireField,
    items: list[Any],
    hook: Callable[[Any, Any], Any],
) -> ResponseValidationError:
    """``error``, raised by one of ``items``, named with the position of the item (found
    again, item by item: only an error pays for the search)."""
    for index, item in enumerate(items):
        try:
            hook(item, None)
        except ResponseValidationError as found:
            return within(found, owner, f"{f.name}[{index}]", f"{f.wire}[{index}]")
    return within(error, owner, f.name, f.wire)


class _CustomFields(_Items):
    """``CUSTOMFIELDS``: a list of :class:`CustomField` items, by name as :class:`CustomFields`."""

    wrap = CustomFields._wrap

    def item_class(self, f: WireField) -> type[Model]:
        return CustomField

    def write(self, f: WireField, value: Any, path: str, write_model: WriteModel) -> Any:
        if isinstance(value, CustomFields):
            value = value.fields
        elif isinstance(value, Mapping):
            value = [CustomField(name, item) for name, item in value.items()]
        return super().write(f, value, path, write_model)

    def check_item(self, f: WireField, item: Any, path: str, check_model: CheckModel) -> None:
        if isinstance(item, Mapping) and not is_custom_field_name(item.get("FIELD_NAME")):
            raise ValidationError(
                f"{path}.field_name",
                f"FIELD_NAME {show_value(item.get('FIELD_NAME'))} is not a custom field name "
                "(letters, digits and underscores, starting with a letter, e.g. 'Hobby__c')",
            )
        super().check_item(f, item, path, check_model)


#: The codec of each kind of field (a plain dict, typed read-only: looked up per value).
CODECS: Final[Mapping[Kind, Codec]] = {
    "str": _Str(),
    "int": _Int(),
    "float": _Float(),
    "bool": _Bool(),
    "datetime": _DateTime(),
    "state": _State(),
    "json": _Json(),
    "list": _Items(),
    "model": _One(),
    "custom_fields": _CustomFields(),
}


def plain_hook(kind: Kind, target: type) -> Callable[[Any, Any], Any]:
    """A cattrs structure hook of a plain ``target`` value (a ``datetime`` read alone), read
    as the codec of ``kind`` reads it."""
    codec = CODECS[kind]
    assert isinstance(codec, _Leaf), kind
    return codec.hook(target)
