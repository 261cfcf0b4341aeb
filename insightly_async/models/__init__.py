"""Typed models of the Insightly v3.1 records, and their conversion to and from the wire.

Every record type has an attrs class named after it (:class:`Contact`, :class:`Quote`…) with
snake_case attributes for the UPPER_SNAKE wire fields, ``.id``, ``.extra`` for wire keys the
model does not know (written back unchanged), and ``.etag``. One cattrs converter turns wire
dicts into models and back:

>>> from insightly_async.models import Contact, changes, structure, unstructure
>>> c = structure(Contact, {"CONTACT_ID": 42, "FIRST_NAME": "Ada", "LAST_NAME": None})
>>> c.last_name = "Lovelace"
>>> changes(c)
{'LAST_NAME': 'Lovelace'}
>>> unstructure(c)
{'CONTACT_ID': 42, 'FIRST_NAME': 'Ada', 'LAST_NAME': 'Lovelace'}

:data:`MODELS` maps each record model's name (``RecordType.model`` of the catalog) to its
class.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from insightly_async._exceptions import ResponseValidationError
from insightly_async.models import classes
from insightly_async.models._base import Model, SubRecord, WireField
from insightly_async.models._converter import (
    converter,
    make_converter,
    structure,
    structure_many,
)
from insightly_async.models._fields import model_fields, wire_name
from insightly_async.models._unstructure import (
    changes,
    create_payload,
    mark_clean,
    payload_from_changes,
    unstructure,
)
from insightly_async.models._validate import validate
from insightly_async.models._values import format_datetime, parse_datetime
from insightly_async.models.classes import *  # noqa: F403  (every model class)

__all__ = [
    "MODELS",
    "Model",
    "ResponseValidationError",
    "SubRecord",
    "WireField",
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
# The model classes, listed once: by their generator, in classes.__all__.
__all__ += classes.__all__

#: The record model classes by name (``"Contact"``, ``"CustomObjectRecord"``…).
MODELS: Mapping[str, type[classes.Record]] = MappingProxyType(
    {
        cls.__name__: cls
        for cls in (getattr(classes, name) for name in classes.__all__)
        if isinstance(cls, type) and issubclass(cls, classes.Record) and cls is not classes.Record
    }
)
