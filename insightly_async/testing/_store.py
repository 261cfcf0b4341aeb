"""The emulator's data: records by type, in ascending id order, and their side tables."""

from __future__ import annotations

import bisect
import copy
import hashlib
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from insightly_async._facts.catalog import CATALOG, RecordType, custom_object_type
from insightly_async._facts.wire import format_body_datetime
from insightly_async.testing._schema import Shape, shape_of

__all__ = ["Store", "Table"]

Record = dict[str, Any]

# Where each type's ids start: realistic magnitudes (2025 ids run to the hundreds of
# millions), so that code which assumes small ids is caught.
_ID_BASES: Mapping[str, int] = {
    "contacts": 366_600_000,
    "organisations": 201_500_000,
    "leads": 78_560_000,
    "opportunities": 33_100_000,
    "projects": 9_870_000,
    "tasks": 71_200_000,
    "events": 12_400_000,
    "notes": 66_300_000,
    "emails": 41_700_000,
    "users": 2_240_700,
}
_DEFAULT_ID_BASE = 3_790_000
_CUSTOM_OBJECT_ID_BASE = 54_840_000
_SUB_ID_BASE = 912_000_000


class Table:
    """The records of one type, by id, iterable in ascending id order.

    Types without an id field (countries, currencies) are kept under synthetic keys that
    never appear in the records.
    """

    def __init__(self, rtype: RecordType) -> None:
        self.rtype = rtype
        self.shape: Shape = shape_of(rtype)
        self.ids: list[int] = []
        self.rows: dict[int, Record] = {}
        self.versions: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.rows

    def __getitem__(self, record_id: int) -> Record:
        """The stored record itself (changing it changes the store).

        Raises:
            KeyError: no such record.
        """
        return self.rows[record_id]

    def get(self, record_id: int) -> Record | None:
        """The stored record itself, or ``None``."""
        return self.rows.get(record_id)

    def put(self, record_id: int, record: Record, version: int) -> None:
        if record_id not in self.rows:
            if not self.ids or record_id > self.ids[-1]:
                self.ids.append(record_id)
            else:
                bisect.insort(self.ids, record_id)
        self.rows[record_id] = record
        self.versions[record_id] = version

    def remove(self, record_id: int) -> Record | None:
        record = self.rows.pop(record_id, None)
        if record is not None:
            del self.ids[bisect.bisect_left(self.ids, record_id)]
            del self.versions[record_id]
        return record

    def records(self) -> Iterator[Record]:
        """The records in ascending id order."""
        rows = self.rows
        return (rows[record_id] for record_id in self.ids)

    def slice(self, skip: int, top: int) -> list[Record]:
        """The records at positions ``[skip, skip + top)`` of the id order."""
        rows = self.rows
        return [rows[record_id] for record_id in self.ids[skip : skip + top]]


class Store:
    """Every record the emulator serves, plus the data that is not records.

    Records are plain dicts kept exactly as given (key order included); reading them
    through :meth:`get` and :meth:`records` gives copies. The emulator's handlers and
    :meth:`insert` are the only writers.

    Attributes:
        custom_objects: Custom object definitions by name (``Fruit__c``).
        follows: ``(user_id, type_name, record_id)`` for every followed record.
        state_history: Opportunity id -> its state changes, oldest first.
        attachments: ``(type_name, record_id)`` -> file attachment metadata.
        comments: ``(type_name, record_id)`` -> comments.
        pipelines: ``(type_name, record_id)`` -> ``(pipeline_id, stage_id)`` for records
            whose schema has no pipeline fields (leads).
        instance: The answer of ``GET /Instance``.
    """

    def __init__(self, *, clock: Callable[[], datetime], seed: int = 0) -> None:
        self._clock = clock
        self._rng = random.Random(f"store:{seed}")
        self._salt = f"{seed}"
        self._tables: dict[str, Table] = {t.name: Table(t) for t in CATALOG}
        self._last_ids: dict[str, int] = {}
        self._custom_fields: dict[str, list[Record]] = {}
        self._writes = 0
        self._next_sub_id = _SUB_ID_BASE
        self.custom_objects: dict[str, Record] = {}
        self.follows: set[tuple[int, str, int]] = set()
        self.state_history: dict[int, list[Record]] = {}
        self.attachments: dict[tuple[str, int], list[Record]] = {}
        self.comments: dict[tuple[str, int], list[Record]] = {}
        self.pipelines: dict[tuple[str, int], tuple[int | None, int | None]] = {}
        self.instance: Record = {
            "INSTANCE_NAME": "Emulated Instance",
            "INSTANCE_SUBDOMAIN": "emulated",
            "PLAN_NAME": "Enterprise",
            "NEW_USER_EXPERIENCE_ENABLED": True,
        }

    # --- time, ids, versions ----------------------------------------------------------

    def now_text(self) -> str:
        """The clock's time as ``yyyy-MM-dd HH:mm:ss`` UTC (a naive clock is UTC)."""
        moment = self._clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return format_body_datetime(moment)

    def _bump(self) -> int:
        self._writes += 1
        return self._writes

    def next_id(self, type_name: str) -> int:
        """A fresh id for a new record of ``type_name``, above every id it has."""
        table = self.table(type_name)
        if type_name in _ID_BASES:
            base = _ID_BASES[type_name]
        elif table.rtype.custom_object:
            base = _CUSTOM_OBJECT_ID_BASE
        else:
            base = _DEFAULT_ID_BASE
        last = max(self._last_ids.get(type_name, base), table.ids[-1] if table.ids else base)
        new = last + self._rng.randint(1, 9)
        self._last_ids[type_name] = new
        return new

    def next_sub_id(self) -> int:
        """A fresh id for a link, date, email domain, comment, file or follow entry."""
        self._next_sub_id += self._rng.randint(1, 5)
        return self._next_sub_id

    # --- tables -----------------------------------------------------------------------

    def table(self, type_name: str) -> Table:
        """The table of a catalog type or a defined custom object.

        Raises:
            KeyError: no such type.
        """
        return self._tables[type_name]

    def has_type(self, type_name: str) -> bool:
        """Whether ``type_name`` is a catalog type or a defined custom object."""
        return type_name in self._tables

    def record_type(self, type_name: str) -> RecordType:
        """The catalog entry of ``type_name`` (custom objects included)."""
        return self.table(type_name).rtype

    def _id_of(self, table: Table, record: Mapping[str, Any]) -> int | None:
        id_field = table.rtype.id_field
        if id_field is None:
            return None
        value = record.get(id_field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{id_field} must be an integer, not {value!r}")
        return value

    def insert(self, type_name: str, record: Mapping[str, Any]) -> Record:
        """Store ``record`` as it is and return the stored copy.

        The record keeps every key in its order and its id when it has one; a record
        without an id (``None`` or absent) gets a fresh one, put in its id field's place.
        Nothing is validated, so recorded real responses can be served back unchanged.
        A record whose id is already stored replaces it.

        Raises:
            KeyError: ``type_name`` is not a catalog type or a defined custom object.
            ValueError: the id is not an integer.
        """
        return self._insert(self.table(type_name), record, copy_record=True)

    def _insert(self, table: Table, record: Mapping[str, Any], *, copy_record: bool) -> Record:
        stored: Record
        if copy_record or not isinstance(record, dict):
            stored = copy.deepcopy(dict(record))
        else:
            stored = record
        record_id = self._id_of(table, stored)
        id_field = table.rtype.id_field
        if record_id is None:
            if id_field is None:
                record_id = (table.ids[-1] + 1) if table.ids else 1
            else:
                record_id = self.next_id(table.rtype.name)
                if id_field in stored:
                    stored[id_field] = record_id
                else:
                    stored = {id_field: record_id, **stored}
        table.put(record_id, stored, self._bump())
        return stored

    def add(self, type_name: str, record: Record) -> Record:
        """Store the dict itself (no copy, no validation); the stored record.

        The result is ``record`` unless an id had to be put in front of its keys.
        """
        return self._insert(self.table(type_name), record, copy_record=False)

    def insert_many(self, type_name: str, records: Iterable[Mapping[str, Any]]) -> list[int]:
        """Store many records at once (fast: no validation, no copies); their ids.

        The dicts are stored as given (an id is assigned in place where it is missing),
        so do not keep using them.
        """
        table = self.table(type_name)
        ids: list[int] = []
        id_field = table.rtype.id_field
        for record in records:
            stored = self._insert(table, record, copy_record=False)
            ids.append(stored[id_field] if id_field is not None else 0)
        return ids

    def get(self, type_name: str, record_id: int) -> Record | None:
        """A copy of one record, or ``None``."""
        record = self.table(type_name).get(record_id)
        return copy.deepcopy(record) if record is not None else None

    def records(self, type_name: str) -> list[Record]:
        """Copies of every record of ``type_name``, in ascending id order."""
        return [copy.deepcopy(record) for record in self.table(type_name).records()]

    def ids(self, type_name: str) -> list[int]:
        """The ids of ``type_name``, ascending."""
        return list(self.table(type_name).ids)

    def count(self, type_name: str) -> int:
        """How many records ``type_name`` has."""
        return len(self.table(type_name))

    def delete(self, type_name: str, record_id: int) -> bool:
        """Remove one record (nothing else); whether it was there."""
        return self.table(type_name).remove(record_id) is not None

    def touch(self, type_name: str, record_id: int, *, stamp: bool = True) -> None:
        """Mark a record as written: a new ETag and, with ``stamp``, a new DATE_UPDATED_UTC."""
        table = self.table(type_name)
        record = table.rows[record_id]
        updated = table.rtype.updated_field
        if stamp and updated is not None and updated in record:
            record[updated] = self.now_text()
        table.versions[record_id] = self._bump()

    def edit(self, type_name: str, record_id: int, changes: Mapping[str, Any]) -> Record:
        """Change a record directly, as another user would; return a copy of it.

        The changes are applied as given (no validation), then DATE_UPDATED_UTC and the
        ETag move.

        Raises:
            KeyError: no such type or record.
        """
        record = self.table(type_name).rows[record_id]
        record.update(copy.deepcopy(dict(changes)))
        self.touch(type_name, record_id)
        return copy.deepcopy(record)

    def etag(self, type_name: str, record_id: int) -> str:
        """The current ETag of a record: an opaque quoted string."""
        version = self.table(type_name).versions[record_id]
        digest = hashlib.blake2b(
            f"{self._salt}:{type_name}:{record_id}:{version}".encode(), digest_size=8
        ).hexdigest()
        return f'"{digest}"'

    # --- custom fields and custom objects ---------------------------------------------

    def custom_fields(self, object_name: str) -> list[Record]:
        """The custom field definitions of ``object_name`` (``Contacts``, ``Fruit__c``)."""
        return self._custom_fields.get(object_name, [])

    def set_custom_fields(self, object_name: str, fields: Sequence[Mapping[str, Any]]) -> None:
        """Replace the custom field definitions of ``object_name``."""
        self._custom_fields[object_name] = [copy.deepcopy(dict(field)) for field in fields]

    def custom_field_objects(self) -> set[str]:
        """Every object name that can have custom fields."""
        names = {t.custom_fields for t in CATALOG if t.custom_fields}
        return names | set(self.custom_objects) | set(self._custom_fields)

    def define_custom_object(
        self, definition: Mapping[str, Any], fields: Sequence[Mapping[str, Any]] = ()
    ) -> RecordType:
        """Define a custom object and its custom fields; its catalog entry.

        Args:
            definition: As ``GET /CustomObjects/{name}`` returns it; ``OBJECT_NAME`` is
                the name (``Fruit__c``).
            fields: Its custom field definitions, as ``GET /CustomFields/{name}``
                returns them.

        Raises:
            ValueError: the name is not a custom object name.
        """
        name = definition.get("OBJECT_NAME")
        rtype = custom_object_type(name if isinstance(name, str) else "")
        self.custom_objects[rtype.name] = copy.deepcopy(dict(definition))
        self.set_custom_fields(rtype.name, fields)
        if rtype.name not in self._tables:
            self._tables[rtype.name] = Table(rtype)
        return rtype

    # --- visibility -------------------------------------------------------------------

    def team_ids(self, user_id: int) -> frozenset[int]:
        """The teams ``user_id`` belongs to."""
        return frozenset(
            member["TEAM_ID"]
            for member in self._tables["team_members"].records()
            if member.get("MEMBER_USER_ID") == user_id and member.get("TEAM_ID") is not None
        )
