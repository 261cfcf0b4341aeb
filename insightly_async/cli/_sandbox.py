"""The sandbox account: the emulator with demo data, for ``--sandbox`` and ``sandbox``.

Besides records of every type it defines a custom object, ``Fruit__c`` (a name, and the
custom fields ``Color__c`` and ``Weight__c``) with a few records, so the custom object
examples of the README can be tried on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from insightly_async.testing import FakeInsightly

__all__ = ["FRUIT", "SANDBOX_RECORDS", "add_fruit", "sandbox_account"]

SANDBOX_RECORDS: Final = 200  # records of each type in the --sandbox account
FRUIT: Final = "Fruit__c"

_DEFINITION: Final = {
    "OBJECT_NAME": FRUIT,
    "SINGULAR_LABEL": "Fruit",
    "PLURAL_LABEL": "Fruits",
    "DESCRIPTION": "The sandbox's custom object",
    "RECORD_NAME_LABEL": "Fruit Name",
    "RECORD_NAME_TYPE": "TEXT",
    "RECORD_NAME_DISPLAY_FORMAT": None,
    "ENABLE_NAVBAR": True,
    "ENABLE_WORKFLOWS": True,
}


def _field(name: str, order: int, label: str, kind: str, default: str | None) -> dict[str, Any]:
    return {
        "FIELD_NAME": name,
        "FIELD_ORDER": order,
        "FIELD_FOR": FRUIT.upper(),
        "FIELD_LABEL": label,
        "FIELD_TYPE": kind,
        "FIELD_HELP_TEXT": None,
        "DEFAULT_VALUE": default,
        "EDITABLE": True,
        "VISIBLE": True,
        "CUSTOM_FIELD_OPTIONS": [],
        "DEPENDENCY": None,
        "JOIN_OBJECT": None,
    }


_FIELDS: Final = (
    _field("Weight__c", 1, "Weight", "NUMERIC", "0"),
    _field("Color__c", 2, "Color", "TEXT", None),
)
_FRUITS: Final = (
    ("Apple", "Green", 182),
    ("Banana", "Yellow", 118),
    ("Cherry", "Red", 8),
    ("Plum", "Purple", 66),
    ("Lemon", "Yellow", 58),
)


def add_fruit(fake: FakeInsightly) -> int:
    """Define ``Fruit__c`` in ``fake`` and create its records; how many."""
    fake.store.define_custom_object(_DEFINITION, _FIELDS)
    for name, color, grams in _FRUITS:
        fields = [
            {"FIELD_NAME": "Color__c", "FIELD_VALUE": color},
            {"FIELD_NAME": "Weight__c", "FIELD_VALUE": grams},
        ]
        fake.create(FRUIT, {"RECORD_NAME": name, "CUSTOMFIELDS": fields})
    return len(_FRUITS)


@contextlib.asynccontextmanager
async def sandbox_account(
    *, records: int = SANDBOX_RECORDS, seed: int = 0, port: int = 0, **options: Any
) -> AsyncIterator[FakeInsightly]:
    """A started emulator holding the sandbox account (``options`` go to FakeInsightly).

    Raises:
        OSError: the port cannot be served on.
    """
    from insightly_async.testing import FakeInsightly  # noqa: PLC0415 - loaded when used

    fake = FakeInsightly(seed=seed, **options)
    fake.seed(records)
    add_fruit(fake)
    await fake.start(port)
    try:
        yield fake
    finally:
        await fake.close()
