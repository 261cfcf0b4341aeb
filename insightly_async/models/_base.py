"""Base classes of the models, their field metadata, and the types every model shares.

The model classes themselves are generated (:mod:`insightly_async.models.classes`); this
module holds what they are built from:

- :func:`field`, which declares one wire field and attaches a :class:`WireField` to the attrs
  field's metadata (wire name, kind, read-only flag, maximum length);
- :class:`Model`, the base of every model: unknown wire keys in ``.extra``, and the memory
  of what was read or given to the constructor, so that a field the server never sent is
  never sent back as ``null``;
- :class:`Record` (a top-level record, with ``.id`` and ``.etag``) and :class:`SubRecord`;
- :class:`OpportunityState`, :class:`CustomField` and :class:`CustomFields`.

Conversion between models and wire dicts is built on the field metadata: the field table of
each class (``_fields``), one codec per kind (``_codecs``), the structure hooks
(``_structure``) of the converter (``_converter``), writing (``_unstructure``) and the
checks before sending (``_validate``).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, final

import attrs

from insightly_async._facts.wire import OpportunityState

__all__ = [
    "METADATA_KEY",
    "UNREAD",
    "UNSET",
    "CustomField",
    "CustomFields",
    "Kind",
    "Model",
    "OpportunityState",
    "Record",
    "SubRecord",
    "Unread",
    "WireField",
    "field",
    "peek",
]

Kind = Literal[
    "str",  # a string
    "int",  # an integer (never a bool)
    "float",  # a number; integers are accepted and kept as they came
    "bool",
    "datetime",  # an aware UTC datetime; `yyyy-MM-dd HH:mm:ss` on the wire
    "state",  # an OpportunityState, or the plain string when the value is not one
    "json",  # any JSON value, kept as it came (FIELD_VALUE of a custom field)
    "list",  # a list of `item` models
    "model",  # one nested `item` model
    "custom_fields",  # CUSTOMFIELDS: CustomFields, by name over a list of CustomField
]

# The key of the attrs field metadata that holds a field's WireField.
METADATA_KEY = "insightly"


class _Unset:
    """The default of every model field in the constructor: "not given"."""

    _instance: ClassVar[_Unset | None] = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"


#: Constructor default of every model field; replaced by ``None`` once the model is built,
#: and remembered as "not given" so that the field is left out of payloads.
UNSET: Any = _Unset()


class _Unread:
    """What :func:`peek` gives for an attribute not made yet."""

    def __repr__(self) -> str:
        return "UNREAD"


#: What :func:`peek` gives for an attribute not made yet.
UNREAD: Any = _Unread()


def _nothing() -> None:
    return None


@final
class Unread:
    """The attributes of a model read from the wire that are made on first access.

    Sub-records (``TAGS``, ``LINKS``, ``DATES``, ``CUSTOMFIELDS``…) whose contents were
    checked with the record are built when their attribute is first used, and ``extra``
    of a record without unknown keys is made empty then: until that, their slot is empty,
    and :meth:`Model.__getattr__` (called for an empty slot) makes the value through
    ``readers``, once. A stream of records that never looks at them never pays for them,
    and since what did not fit was refused with the record, making them cannot fail.

    Attributes:
        readers: Each such attribute's reader by name: it takes the model and returns the
            value, made from the model's wire dict.
    """

    __slots__ = ("readers",)

    def __init__(self, readers: Mapping[str, Callable[[Any], Any]]) -> None:
        self.readers = readers

    # A copy or a pickle is made from the fields' values, every one read by then: the
    # copy has nothing left to read (and readers are closures, which do not pickle).
    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return _nothing, ()

    def __copy__(self) -> Unread:
        return self

    def __deepcopy__(self, memo: object) -> Unread:
        return self


_get_slot = object.__getattribute__


def peek(model: Model, name: str) -> Any:
    """The attribute ``name`` of ``model``, or :data:`UNREAD` if it is not made yet (see
    :class:`Unread`): a sub-record still as it was read, or an ``extra`` still empty."""
    try:
        return _get_slot(model, name)
    except AttributeError:
        return UNREAD


@attrs.frozen
class WireField:
    """What the converter knows about one model field.

    Attributes:
        name: The attribute name (``first_name``); empty in the metadata of a class under
            construction, filled in by :func:`insightly_async.models.model_fields`.
        wire: The wire name (``FIRST_NAME``).
        kind: How values convert (see :data:`Kind`).
        read_only: The server sets it; it is never sent.
        create_only: Marked read-only by the spec, yet required when the record is created
            through its parent (``PRICEBOOK_ID`` of a price book entry): sent on create, never
            on update.
        max_length: The longest string the server takes; 0 when unbounded or not a string.
        item: The model class of the items (``list``) or of the value (``model``).
    """

    wire: str
    kind: Kind
    read_only: bool = False
    create_only: bool = False
    max_length: int = 0
    item: type[Model] | None = None
    name: str = ""


def field(
    wire: str,
    kind: Kind,
    *,
    read_only: bool = False,
    create_only: bool = False,
    max_length: int = 0,
    item: type[Model] | None = None,
) -> Any:
    """Declare one wire field of a model.

    Args:
        wire: The wire name.
        kind: How values convert.
        read_only: The server sets it; it is never sent.
        create_only: Sent on create only.
        max_length: The longest string the server takes (0: no limit).
        item: The model class of list items or of a nested model.

    Returns:
        An attrs field whose constructor default is :data:`UNSET`.
    """
    info = WireField(
        wire=wire,
        kind=kind,
        read_only=read_only,
        create_only=create_only,
        max_length=max_length,
        item=item,
    )
    return attrs.field(default=UNSET, metadata={METADATA_KEY: info})


class _ShortRepr(reprlib.Repr):
    """Cuts long strings, lists and dicts short; models and dates keep their own repr."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = 60
        self.maxother = 60
        self.maxlist = 3
        self.maxdict = 4
        self.maxlevel = 3

    def repr1(self, x: Any, level: int) -> str:
        # Models and custom fields cut their own values short; a datetime is short enough.
        if isinstance(x, (Model, CustomFields, datetime)):
            return repr(x)
        return super().repr1(x, level)


_repr = _ShortRepr()


@attrs.define(repr=False)
class Model:
    """Base class of every model: records, sub-records and payload models.

    A model knows which wire keys it was read with (``structure`` keeps a reference to the
    wire dict) or which fields were passed to its constructor. A field that is neither, and
    is still ``None``, is absent: payloads leave it out rather than send ``null``.

    ``copy.copy`` keeps that memory; ``attrs.evolve`` builds a new model through the
    constructor, which counts every field as given (``None`` included).

    A model read from the wire builds its sub-records when they are first used (they
    were checked with the record; see :class:`Unread`): nothing tells the difference
    but the time it takes.

    Attributes:
        extra: Wire keys the model does not know, by wire name, with their values as read.
            They are written back unchanged, and edits to them are sent like any change.
            An entry whose key is a field of the model is ignored: the field wins.
    """

    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True)
    # The wire dict this model was read from (by reference), or None if built in Python.
    _wire: Mapping[str, Any] | None = attrs.field(default=None, init=False, eq=False)
    # Names of the fields given to the constructor; None for a model read from the wire.
    _given: frozenset[str] | None = attrs.field(default=None, init=False, eq=False)
    # What is made on first access, for a model read from the wire.
    _unread: Unread | None = attrs.field(default=None, init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        given = []
        for attribute in attrs.fields(type(self)):
            if METADATA_KEY not in attribute.metadata:
                continue
            if getattr(self, attribute.name) is UNSET:
                object.__setattr__(self, attribute.name, None)
            else:
                given.append(attribute.name)
        self._given = frozenset(given)

    if not TYPE_CHECKING:  # (to the type checker, a model has only its fields)

        def __getattr__(self, name: str) -> Any:
            # Called only when the attribute is not found: an empty slot, which holds
            # what is made on first access (made now, once), or no such attribute.
            try:
                read = _get_slot(self, "_unread").readers[name]
            except (AttributeError, KeyError):
                raise AttributeError(
                    f"{type(self).__name__!r} object has no attribute {name!r}",
                    name=name,
                    obj=self,
                ) from None
            value = read(self)
            setattr(self, name, value)
            return value

    def __repr__(self) -> str:
        # Only the fields that hold something, each cut short: a knowledge article's body or
        # a list of 200 links would otherwise fill a log line.
        parts = []
        for attribute in attrs.fields(type(self)):
            if METADATA_KEY not in attribute.metadata:
                continue
            value = getattr(self, attribute.name)
            if value is not None:
                parts.append(f"{attribute.name}={_repr.repr(value)}")
        if self.extra:
            parts.append(f"extra={_repr.repr(self.extra)}")
        return f"{type(self).__name__}({', '.join(parts)})"


@attrs.define(repr=False)
class Record(Model):
    """Base class of the top-level records (``Contact``, ``Quote``, ``CustomObjectRecord``…).

    Attributes:
        etag: The ``ETag`` of the response the record came from, set by the caller; not a
            wire field, and not part of equality.
    """

    etag: str | None = attrs.field(default=None, kw_only=True, eq=False)

    # The attribute that holds the record's id; None for types without one.
    _id_attr: ClassVar[str | None] = None

    @property
    def id(self) -> int | None:
        """The record's id (``contact_id`` of a ``Contact``); ``None`` if it has none yet."""
        if self._id_attr is None:
            return None
        value: int | None = getattr(self, self._id_attr)
        return value


@attrs.define(repr=False)
class SubRecord(Model):
    """Base class of the models nested in records and of sub-resource payloads."""


@attrs.define(repr=False)
class CustomField(SubRecord):
    """One custom field value of a record (an item of ``CUSTOMFIELDS``).

    Attributes:
        field_name: The field's name (``Hobby__c``; older accounts also ``CONTACT_FIELD_3``).
        field_value: Its JSON value: a string, a number, a bool or ``None``. Multi-select
            values are joined with ``;``.
        custom_field_id: Read responses repeat the name here.
    """

    field_name: str | None = field("FIELD_NAME", "str")
    field_value: Any = field("FIELD_VALUE", "json")  # noqa: RUF009  (an attrs field)
    custom_field_id: str | None = field("CUSTOM_FIELD_ID", "str")


class CustomFields(MutableMapping[str, Any]):
    """The custom fields of a record, by name, in the order they came.

    A mapping of field name to value over the list of :class:`CustomField` items the record
    carries (``.fields``). Setting a name that is there updates that item in place, so the
    collection goes back in its order, ``CUSTOM_FIELD_ID`` included; a new name is
    appended.

    >>> fields = CustomFields({"Hobby__c": "Skiing"})
    >>> fields["Hobby__c"] = "Chess"
    >>> fields.set("Pet__c", "Cat")
    >>> fields["Hobby__c"], "Pet__c" in fields, fields.get("Age__c", "none"), list(fields)
    ('Chess', True, 'none', ['Hobby__c', 'Pet__c'])
    """

    __slots__ = ("fields",)

    fields: list[CustomField]
    """The items themselves, in order (live: editing it edits the collection)."""

    def __init__(self, fields: Mapping[str, Any] | Iterable[CustomField] = ()) -> None:
        """Custom fields from a mapping of name to value, or from :class:`CustomField` items.

        Args:
            fields: ``{"Hobby__c": "Chess"}``, or ``CustomField`` items (kept as they are).
        """
        if isinstance(fields, Mapping):
            self.fields = [CustomField(name, value) for name, value in fields.items()]
        else:
            self.fields = list(fields)

    @classmethod
    def _wrap(cls, fields: list[CustomField]) -> CustomFields:
        # Takes the list as it is: structure() builds it and hands it over.
        instance = cls.__new__(cls)
        instance.fields = fields
        return instance

    def field(self, name: str) -> CustomField | None:
        """The item of the custom field ``name``, or ``None``.

        Args:
            name: The custom field's name (``Hobby__c``).

        Returns:
            The item (name, value, ``CUSTOM_FIELD_ID``), or ``None`` if it is not there.
        """
        for item in self.fields:
            if item.field_name == name:
                return item
        return None

    def set(self, name: str, value: Any) -> None:
        """Set the custom field ``name`` to ``value`` (the same as ``fields[name] = value``).

        Args:
            name: The custom field's name (``Hobby__c``); a new one is appended.
            value: Its value.
        """
        self[name] = value

    def __getitem__(self, name: str) -> Any:
        item = self.field(name)
        if item is None:
            raise KeyError(name)
        return item.field_value

    def __setitem__(self, name: str, value: Any) -> None:
        item = self.field(name)
        if item is None:
            self.fields.append(CustomField(name, value))
        else:
            item.field_value = value

    def __delitem__(self, name: str) -> None:
        item = self.field(name)
        if item is None:
            raise KeyError(name)
        self.fields.remove(item)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return any(item.field_name == name for item in self.fields)

    def _names(self) -> list[str]:
        names = (item.field_name for item in self.fields if item.field_name is not None)
        return list(dict.fromkeys(names))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CustomFields):
            return self.fields == other.fields
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{item.field_name!r}: {_repr.repr(item.field_value)}" for item in self.fields
        )
        return f"CustomFields({{{inner}}})"
