"""The first pass of a backfill: read every line and check it into a :class:`Plan`.

Nothing is sent. The models' own validation decides what a line may hold; a line that
names its record's id is an update, any other a create (looked up first with
``--match-on``).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import attrs

from insightly_async import ResponseValidationError, ValidationError
from insightly_async.cli._backfill._journal import SETTLED, JournalError, Row, line_digest
from insightly_async.cli._targets import Target
from insightly_async.models import Record, model_fields, structure, validate, wire_name

__all__ = [
    "Checker",
    "InvalidLineError",
    "MatchOnError",
    "Plan",
    "Scan",
    "prepass",
    "read_lines",
]


def read_lines(path: Path) -> Generator[tuple[int, bytes], None, None]:
    """``(line number, bytes without the line ending)`` of each line that is not blank."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.rstrip(b"\r\n")
            if number == 1 and text.startswith(codecs.BOM_UTF8):
                text = text[len(codecs.BOM_UTF8) :]
            if text.strip():
                yield number, text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class InvalidLineError(Exception):
    """A line that cannot be sent; the message starts with the field when there is one."""


class MatchOnError(Exception):
    """A ``--match-on`` field the lines of this type cannot be matched on."""


@attrs.frozen
class Plan:
    """A valid line: what to send, and how to find its record."""

    line: int
    digest: str
    fields: dict[str, Any]  # the wire fields to send (read-only ones left out)
    record_id: int | None  # the line names its record: update it
    match_value: str | int | float | bool | None  # the --match-on value, if any

    @property
    def lock_key(self) -> str | None:
        """Lines that may touch the same record run one after the other."""
        if self.record_id is not None:
            return f"id:{self.record_id}"
        if self.match_value is not None:
            return f"match:{str(self.match_value).casefold()}"
        return None


class Checker:
    """Turns a line into a :class:`Plan` using the models' own validation.

    Raises:
        MatchOnError: ``match_on`` is no field to match these records on.
    """

    def __init__(self, target: Target, match_on: str | None) -> None:
        resource = target.resource
        self.target = target
        self.model: type[Record] = resource.model
        self.required: tuple[str, ...] = tuple(resource.record_type.required)
        self.id_field = target.id_field
        ops = {op.value for op in resource.record_type.ops}
        self.updatable = "update" in ops
        fields = model_fields(self.model)
        self._fields = fields
        self._read_only = frozenset(f.wire for f in fields if f.read_only)
        self._create_only = frozenset(f.wire for f in fields if f.create_only)
        self._attr = {f.wire: f.name for f in fields}
        self.id_attr = self._attr.get(self.id_field or "", self.id_field or "id")
        self.match_on: str | None = None
        self.match_custom = False
        if match_on is not None:
            self._set_match_on(match_on)

    def _set_match_on(self, match_on: str) -> None:
        if not self.target.searchable:
            raise MatchOnError(
                f"{self.target.name} records cannot be searched, so they cannot be matched"
            )
        if not (self.updatable and self.id_field):
            raise MatchOnError(f"{self.target.name} records cannot be updated")
        try:
            wire = wire_name(self.model, match_on)
        except ValidationError as exc:
            raise MatchOnError(str(exc)) from None
        if wire in self._read_only and wire != self.id_field:
            # The server sets it, so a line cannot carry the value to create a record with.
            raise MatchOnError(f"{wire} is set by the server: match on a field the lines set")
        if wire == self.id_field:
            raise MatchOnError(
                f"{wire} is the record id: lines that carry it update that record anyway"
            )
        self.match_on = wire
        self.match_custom = wire not in self._attr

    def check(self, line: int, text: bytes) -> Plan:
        """The plan of one line.

        Raises:
            InvalidLineError: what is wrong with it.
        """
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidLineError(f"not UTF-8 text (byte {exc.start + 1})") from None
        try:
            data = json.loads(decoded, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise InvalidLineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
        except ValueError as exc:
            raise InvalidLineError(f"not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidLineError("not usable JSON: nested too deep") from None
        if not isinstance(data, dict):
            raise InvalidLineError(f"not a JSON object but {_json_kind(data)}")
        record_id = self._record_id(data)
        creating = record_id is None
        fields = {
            key: value
            for key, value in data.items()
            if key not in self._read_only and (creating or key not in self._create_only)
        }
        try:
            validate(self.model, fields, required=self.required if creating else ())
            structure(self.model, fields)
        except (ValidationError, ResponseValidationError) as exc:
            # (structure() judges the line as it would an answer of the API.)
            raise InvalidLineError(str(exc)) from None
        match_value = None
        if creating and self.match_on is not None:
            match_value = self._match_value(data)
        return Plan(
            line=line,
            digest=line_digest(text),
            fields=fields,
            record_id=record_id,
            match_value=match_value,
        )

    def _record_id(self, data: dict[str, Any]) -> int | None:
        if self.id_field is None:
            return None
        value = data.get(self.id_field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidLineError(
                f"{self.id_attr}: {self.id_field} must be a record id (an integer > 0), "
                f"got {value!r}"
            )
        if not self.updatable:
            raise InvalidLineError(
                f"{self.id_attr}: {self.target.name} records cannot be updated; "
                f"leave {self.id_field} out to create new ones"
            )
        return value

    def _match_value(self, data: dict[str, Any]) -> str | int | float | bool:
        assert self.match_on is not None
        value: Any = None
        if self.match_custom:
            for item in data.get("CUSTOMFIELDS") or ():
                if isinstance(item, dict) and item.get("FIELD_NAME") == self.match_on:
                    value = item.get("FIELD_VALUE")
            name = self.match_on
        else:
            value = data.get(self.match_on)
            name = self._attr[self.match_on]
        if value is None or value == "":
            raise InvalidLineError(
                f"{name}: --match-on {self.match_on} needs a value on every line "
                f"without {self.id_field}"
            )
        if not isinstance(value, (str, int, float)):
            raise InvalidLineError(f"{name}: cannot match on {_json_kind(value)}")
        return value

    def create_record(self, plan: Plan) -> Record:
        """The model that creates the line's record (every field it carries)."""
        return structure(self.model, plan.fields)

    def update_record(self, plan: Plan, record_id: int) -> Record:
        """A model of the record ``record_id`` in which every field of the line is a change.

        Built through the constructor, so that each field given (``null`` included) and
        each key the model does not know is sent, and nothing else.
        """
        values = {k: v for k, v in plan.fields.items() if k not in self._create_only}
        read = structure(self.model, values)
        given = {
            f.name: getattr(read, f.name)
            for f in self._fields
            if f.wire in values and f.wire != self.id_field
        }
        given[self.id_attr] = record_id
        return self.model(**given, extra=dict(read.extra))

    def merged_record(self, plan: Plan, found: dict[str, Any]) -> Record:
        """The record ``found`` (as a search returned it) with the line's fields applied.

        Updating it sends only what differs from ``found``; the custom fields the line
        names are set in the record's own collection, so the others are kept whichever
        way the server applies a ``CUSTOMFIELDS`` update.
        """
        values = {k: v for k, v in plan.fields.items() if k not in self._create_only}
        line = structure(self.model, values)
        record = structure(self.model, found)
        for f in self._fields:
            if f.wire not in values or f.wire == self.id_field:
                continue
            value = getattr(line, f.name)
            current = getattr(record, f.name)
            if f.kind == "custom_fields" and value is not None and current is not None:
                for item in value.fields:
                    current[item.field_name] = item.field_value
            else:
                setattr(record, f.name, value)
        record.extra.update(line.extra)
        return record


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    return "a number"


@attrs.define
class Scan:
    """What the first pass found."""

    total: int = 0
    digests: dict[int, str] = attrs.Factory(dict)
    invalid: dict[int, str] = attrs.Factory(dict)


def prepass(path: Path, checker: Checker, rows: dict[int, Row]) -> Scan:
    """Read and check every line (nothing is sent).

    Raises:
        JournalError: the journal records lines this file does not have.
    """
    scan = Scan()
    for number, text in read_lines(path):
        digest = line_digest(text)
        scan.total += 1
        scan.digests[number] = digest
        row = rows.get(number)
        if row is not None and row.state in SETTLED and row.digest != digest:
            raise JournalError(
                f"line {number} of {path} is not the line the journal recorded: the journal "
                "belongs to another file (or this one was edited). Pass another --journal, "
                "or restore the file"
            )
        if row is not None and row.state == "done":
            continue  # it needs nothing, whatever the options now
        try:
            checker.check(number, text)
        except InvalidLineError as exc:
            scan.invalid[number] = str(exc)
    for number, row in rows.items():
        if row.state in SETTLED and number not in scan.digests:
            raise JournalError(
                f"the journal records line {number}, which {path} does not have: it belongs "
                "to another file (or this one was edited). Pass another --journal, or "
                "restore the file"
            )
    return scan
