"""The field table of each model class: its wire fields by attribute name and by wire name.

Built once per class from the :class:`~insightly_async.models.WireField` each attrs field
carries in its metadata; structuring, writing and validation all read it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import attrs

from insightly_async._exceptions import ValidationError
from insightly_async._facts.wire import CUSTOM_FIELD_NAME
from insightly_async.models._base import METADATA_KEY, Model, Record, WireField

__all__ = [
    "ClassFields",
    "class_fields",
    "is_custom_field_name",
    "model_fields",
    "unknown_field",
    "wire_name",
]


@attrs.frozen
class ClassFields:
    """The wire fields of one model class.

    Attributes:
        cls: The model class.
        fields: Its wire fields in declaration order, each with its attribute name.
        by_wire: The fields by wire name.
        by_attr: The fields by attribute name.
        known: The wire names (keys outside it go to ``extra``).
        id_field: The record's id field, if it has one.
        has_custom_fields: It has a ``CUSTOMFIELDS`` collection, so that a name ending in
            ``__c`` can stand for one of its custom fields.
    """

    cls: type[Model]
    fields: tuple[WireField, ...]
    by_wire: Mapping[str, WireField]
    by_attr: Mapping[str, WireField]
    known: frozenset[str]
    id_field: WireField | None
    has_custom_fields: bool

    def find(self, name: str) -> WireField | None:
        """The field named ``name``, by attribute or by wire name."""
        return self.by_attr.get(name) or self.by_wire.get(name)

    def names_custom_field(self, name: str) -> bool:
        """``name`` can only be one of the record's custom fields (``Hobby__c``)."""
        return self.has_custom_fields and is_custom_field_name(name) and name.endswith("__c")


_TABLES: dict[type, ClassFields] = {}


def class_fields(cls: type) -> ClassFields:
    """The field table of the model class ``cls`` (built once).

    Raises:
        TypeError: ``cls`` is not a model class.
    """
    table = _TABLES.get(cls)
    if table is not None:
        return table
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise TypeError(f"{cls!r} is not an insightly_async model class")
    fields = tuple(
        attrs.evolve(attribute.metadata[METADATA_KEY], name=attribute.name)
        for attribute in attrs.fields(cls)
        if METADATA_KEY in attribute.metadata
    )
    by_attr = {f.name: f for f in fields}
    id_attr = cls._id_attr if issubclass(cls, Record) else None
    table = _TABLES[cls] = ClassFields(
        cls=cls,
        fields=fields,
        by_wire={f.wire: f for f in fields},
        by_attr=by_attr,
        known=frozenset(f.wire for f in fields),
        id_field=by_attr[id_attr] if id_attr else None,
        has_custom_fields=any(f.kind == "custom_fields" for f in fields),
    )
    return table


def model_fields(model_cls: type[Model]) -> tuple[WireField, ...]:
    """The wire fields of ``model_cls``, in declaration order, with their attribute names.

    Args:
        model_cls: A model class (``Contact``).

    Returns:
        Each field's wire name, attribute name, kind, read-only flag and maximum length.
    """
    return class_fields(model_cls).fields


def is_custom_field_name(name: object) -> bool:
    """``name`` is a well-formed custom field name (``Hobby__c``, or ``CONTACT_FIELD_3``)."""
    return isinstance(name, str) and CUSTOM_FIELD_NAME.fullmatch(name) is not None


def unknown_field(table: ClassFields, name: str) -> ValidationError:
    """The error for ``name``, which names no field of the table's class, with a hint."""
    close = difflib.get_close_matches(name, [*table.by_attr, *table.by_wire], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if table.has_custom_fields:
        hint += " (custom fields go by their name ending in '__c', or under 'custom_fields')"
    return ValidationError(name, f"{table.cls.__name__} has no field {name!r}{hint}")


def wire_name(model_cls: type[Model], name: str) -> str:
    """The wire name of the field ``name`` of ``model_cls``, given as attribute or wire name.

    A custom field name (``Hobby__c``) is returned as it is.

    Args:
        model_cls: A model class (``Contact``).
        name: An attribute name (``last_name``), wire name or custom field name.

    Returns:
        The wire name (``LAST_NAME``).

    Raises:
        ValidationError: ``model_cls`` has no field ``name``.
    """
    table = class_fields(model_cls)
    found = table.find(name)
    if found is not None:
        return found.wire
    if table.names_custom_field(name):
        return name
    raise unknown_field(table, name)
