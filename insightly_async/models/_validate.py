"""The checks run on a wire payload before it is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from insightly_async._exceptions import ValidationError
from insightly_async.models._base import Model
from insightly_async.models._codecs import CODECS
from insightly_async.models._fields import class_fields

__all__ = ["check_payload", "validate"]


def check_payload(model_cls: type[Model], payload: Mapping[str, Any], path: str = "") -> None:
    """Check each known field of ``payload`` with its codec; ``path`` names the payload.

    Keys the model does not know come from ``.extra``: the server judges those.

    Raises:
        ValidationError: The first problem found.
    """
    table = class_fields(model_cls)
    prefix = f"{path}." if path else ""
    for key, value in payload.items():
        f = table.by_wire.get(key)
        if f is not None and value is not None:
            CODECS[f.kind].check(model_cls, f, value, prefix + f.name, check_payload)


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
    table = class_fields(model_cls)
    for wire in required:
        f = table.by_wire.get(wire)
        name = f.name if f is not None else wire
        if payload.get(wire) is None:
            state = "missing" if wire not in payload else "null"
            raise ValidationError(
                name, f"{wire} is required to create a {model_cls.__name__} ({state})"
            )
    check_payload(model_cls, payload)
