"""The spec's operations in scope, read from the copy in ``tests/data``, and a test world.

"In scope" is every path under a record type of the catalog (DESIGN's resource list), the
custom objects (``/{objectName}``, ``/CustomObjects``) and ``/CustomFields``; ``/Users`` is
a catalog type. The rest of the spec (community forums, marketing, document templates,
file categories, ``/Comments``…) is outside the SDK's brief.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs

from insightly_async import InsightlySession
from insightly_async._facts.catalog import BY_PATH, CATALOG, RecordType, custom_object_type
from insightly_async._sansio import Backoff
from insightly_async.testing import FakeInsightly

DATA = Path(__file__).resolve().parent.parent / "data" / "openapi-v3.1-operations.json"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"

# Retries in tests wait milliseconds, not seconds.
FAST_BACKOFF = Backoff(base=0.01, cap=0.05)

CUSTOM_OBJECT = "Fruit__c"
META_HEADS = ("CustomFields", "CustomObjects", "{objectName}")
SCOPE: tuple[str, ...] = tuple(t.path for t in CATALOG) + META_HEADS


@attrs.frozen(order=True)
class Operation:
    """One path and verb of the spec (``GET /Contacts/{id}/Links``)."""

    verb: str
    path: str

    def __str__(self) -> str:
        return f"{self.verb} {self.path}"

    @property
    def head(self) -> str:
        """The collection segment (``Contacts``, ``CustomFields``, ``{objectName}``)."""
        return self.path.split("/")[1]

    @property
    def tail(self) -> str:
        """The path after the collection, parameters as ``{}`` (``{}/Links/{}``)."""
        return re.sub(r"\{[^}]*\}", "{}", "/".join(self.path.split("/")[2:]))

    @property
    def segment(self) -> str | None:
        """The sub-resource segment after the id (``Links``), if any."""
        parts = self.path.split("/")
        return parts[3] if len(parts) > 3 else None

    def matches(self, method: str, path: str) -> bool:
        """Whether a logged request (``PUT``, ``/Contacts/5/Links``) is this operation."""
        pattern = "".join(
            "[^/]+" if piece.startswith("{") else re.escape(piece)
            for piece in re.split(r"(\{[^}]*\})", self.path)
        )
        return method == self.verb and re.fullmatch(pattern, path) is not None


def load_operations() -> dict[str, list[str]]:
    """Every path of the spec copy with its verbs."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    paths: dict[str, list[str]] = data["paths"]
    return paths


def operations_in_scope() -> list[Operation]:
    """The spec's operations on the record types in scope, sorted."""
    found = [
        Operation(verb, path)
        for path, verbs in load_operations().items()
        for verb in verbs
        if path.split("/")[1] in SCOPE
    ]
    return sorted(found)


def sample(name: str) -> Any:
    """A recorded real response from ``tests/samples``."""
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def ticking_clock() -> Any:
    """A wall clock that moves one second each time it is read."""
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    ticks = itertools.count()

    def clock() -> datetime:
        return start + timedelta(seconds=next(ticks))

    return clock


@attrs.define
class World:
    """An emulator with records of every type, a session on it, and the head under test."""

    fake: FakeInsightly
    crm: InsightlySession
    head: str

    @property
    def record_type(self) -> RecordType:
        if self.head == "{objectName}":
            return custom_object_type(CUSTOM_OBJECT)
        return BY_PATH[self.head]

    @property
    def resource(self) -> Any:
        """The SDK resource of the head's record type."""
        if self.head == "{objectName}":
            return self.crm.custom_object(CUSTOM_OBJECT)
        return getattr(self.crm, self.record_type.name)

    def new(self, type_name: str | None = None) -> int:
        """The id of a new record of ``type_name`` (default: the head's), put in the store."""
        name = type_name or self.record_type.name
        if name == CUSTOM_OBJECT:
            return int(self.fake.create(CUSTOM_OBJECT, {"RECORD_NAME": "Apple"})["RECORD_ID"])
        return self.fake.seed({name: 1})[name][0]

    def stored(self, type_name: str, record_id: int) -> dict[str, Any]:
        record = self.fake.store.get(type_name, record_id)
        assert record is not None
        return record

    def body(self, type_name: str, *, without: str | None = None) -> dict[str, Any]:
        """A create body: the required fields of a freshly seeded record of the type."""
        rtype = next(t for t in CATALOG if t.name == type_name)
        record = self.stored(type_name, self.new(type_name))
        return {name: record[name] for name in rtype.required if name != without}

    def first(self, type_name: str, **wanted: Any) -> dict[str, Any]:
        """A stored record of ``type_name`` whose wire fields have these values."""
        for record in self.fake.store.records(type_name):
            if all(record.get(key) == value for key, value in wanted.items()):
                return record
        raise LookupError(f"no {type_name} record with {wanted}")


def define_fruit(fake: FakeInsightly) -> None:
    """Define the recorded ``Fruit__c`` custom object and its custom fields."""
    fake.store.define_custom_object(
        sample("read__custom-objects__fruit"), sample("read__fruits-custom-object__custom-fields")
    )


def heads() -> Iterator[str]:
    return iter(SCOPE)
