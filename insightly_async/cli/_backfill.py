"""``insightly-async backfill``: create or update a record per JSON line, exactly once.

The file is read twice. The first pass parses and validates every line and sends nothing:
one bad line stops the run with every bad line reported (unless ``--skip-invalid``). The
second pass feeds the lines to ``--concurrency`` workers that share one session (which
paces them under the API's ceiling).

A SQLite journal (``FILE.journal`` by default) records each line's fate, keyed by line
number and a hash of the line's text. A create is written ``sending`` (and committed)
before its POST goes out and ``done`` with the new id after the answer, so a rerun skips
what is done, and a line whose create may or may not have been applied (the process was
killed mid-request, or the connection broke after sending) is never resent blindly: with
``--match-on`` it is looked up first, without it is reported for a decision. Updates (PUT)
are idempotent and are simply redone.

Journal states: ``sending`` (a POST may be in flight), ``done`` (with the action and the
record id), ``unknown`` (a POST whose outcome is unknown), ``failed`` (a definite error:
nothing was applied; a rerun tries again) and ``invalid`` (skipped with
``--skip-invalid``). A line without a row has not been sent.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import hashlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

import attrs
import click
from rich.console import Console

from insightly_async import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InsightlyError,
    InsightlySession,
    MalformedResponseError,
    NotFoundError,
    QuotaExhaustedError,
    ServerError,
    SessionClosedError,
    ValidationError,
)
from insightly_async._facts.wire import BODY_DATETIME_FORMAT, OUTCOME_UNKNOWN_STATUSES
from insightly_async.cli._exit import EXIT_FAILURE, EXIT_OK, EXIT_QUOTA, EXIT_USAGE
from insightly_async.cli._progress import LineBar
from insightly_async.cli._targets import Target, UnknownTypeError, resolve
from insightly_async.models import Record, model_fields, structure, validate, wire_name

__all__ = ["Journal", "JournalError", "default_journal", "line_digest", "run_backfill"]

# Journal states that say a line's content matters: it was (or may have been) sent.
_SETTLED: Final = frozenset({"done", "sending", "unknown"})
_UNCERTAIN: Final = frozenset({"sending", "unknown"})

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lines (
    line INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    action TEXT,
    record_id INTEGER,
    message TEXT,
    at TEXT NOT NULL
);
"""
_FORMAT: Final = "1"


def default_journal(path: Path) -> Path:
    """``FILE.journal`` next to the input."""
    return path.with_name(path.name + ".journal")


def line_digest(text: bytes) -> str:
    """The hash the journal keeps of a line (its bytes without the line ending)."""
    return hashlib.sha256(text).hexdigest()


# --- the journal ---------------------------------------------------------------------------


class JournalError(Exception):
    """A journal that cannot be used for this run (another file's, another type's, locked)."""


@attrs.frozen
class Row:
    """What the journal says of one line."""

    digest: str
    state: str
    action: str | None
    record_id: int | None
    message: str | None


def _lock(fd: int) -> bool:
    """Take an exclusive lock on the open journal; False if another process holds it."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; elsewhere two runs are not kept apart
    except ImportError:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class Journal:
    """The SQLite record of what happened to each line of one input file.

    Opening takes an exclusive lock on the file, so two runs cannot work from one journal
    (each would send what the other is sending). Every state change is its own committed
    transaction (``synchronous=FULL``): after a crash the journal says at least what was
    done, and every create that may have been sent.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._created = not path.exists()
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(f"cannot open the journal {path}: {exc.strerror or exc}") from None
        self._conn: sqlite3.Connection | None = None
        self._written = False
        try:
            if not _lock(self._fd):
                raise JournalError(
                    f"another backfill is using the journal {path}: let it finish first"
                )
            self._conn = sqlite3.connect(path, isolation_level=None)
            self._ready = self._has_schema()
        except BaseException:
            self.close(discard=True)
            raise

    def _db(self) -> sqlite3.Connection:
        assert self._conn is not None
        return self._conn

    def _has_schema(self) -> bool:
        try:
            tables = {
                name
                for (name,) in self._db().execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
        except sqlite3.DatabaseError:
            raise JournalError(f"{self.path} is not a backfill journal") from None
        if not tables:
            return False
        if not {"meta", "lines"} <= tables:
            raise JournalError(f"{self.path} is not a backfill journal")
        return True

    def meta(self) -> dict[str, str]:
        if not self._ready:
            return {}
        try:
            return dict(self._db().execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            raise JournalError(f"{self.path} is not a backfill journal") from None

    def check_type(self, type_name: str) -> None:
        """Refuse a journal written for another record type or by another format."""
        meta = self.meta()
        if not meta:
            return
        if meta.get("format") != _FORMAT:
            raise JournalError(f"{self.path} is not a backfill journal this version can read")
        if meta.get("type") != type_name:
            raise JournalError(
                f"the journal {self.path} is of a backfill of {meta.get('type')}, "
                f"not {type_name}: pass another --journal"
            )

    def rows(self) -> dict[int, Row]:
        """Every line the journal knows of."""
        if not self._ready:
            return {}
        try:
            cursor = self._db().execute(
                "SELECT line, digest, state, action, record_id, message FROM lines"
            )
            return {line: Row(*rest) for line, *rest in cursor}
        except sqlite3.DatabaseError:
            raise JournalError(f"{self.path} is not a backfill journal") from None

    def start(self, *, type_name: str, source: Path) -> None:
        """Make the journal ready to record (schema, durability settings, what it is of)."""
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        if not self._ready:
            db.executescript(_SCHEMA)
            now = _now()
            db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    ("format", _FORMAT),
                    ("type", type_name),
                    ("source", str(source.resolve())),
                    ("created", now),
                ],
            )
            self._ready = True
        self._written = True

    def mark(
        self,
        line: int,
        digest: str,
        state: str,
        *,
        action: str | None = None,
        record_id: int | None = None,
        message: str | None = None,
    ) -> None:
        """Record a line's new state (one committed transaction)."""
        self._db().execute(
            "INSERT OR REPLACE INTO lines (line, digest, state, action, record_id, message, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (line, digest, state, action, record_id, message, _now()),
        )

    def forget(self, line: int) -> None:
        """The line was not sent after all: it is as if never tried."""
        self._db().execute("DELETE FROM lines WHERE line = ?", (line,))

    def close(self, *, discard: bool = False) -> None:
        """Close it; with ``discard``, remove a journal this run created and never used."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if discard and self._created and not self._written:
            with contextlib.suppress(OSError):
                self.path.unlink()
        if self._fd >= 0:
            os.close(self._fd)  # releases the lock
            self._fd = -1


def _now() -> str:
    return datetime.now(timezone.utc).strftime(BODY_DATETIME_FORMAT)


# --- reading and checking lines ------------------------------------------------------------


def _read_lines(path: Path) -> Generator[tuple[int, bytes], None, None]:
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
    """Turns a line into a :class:`Plan` using the models' own validation."""

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
            raise click.BadParameter(
                f"{self.target.name} records cannot be searched, so they cannot be matched",
                param_hint="--match-on",
            )
        if not (self.updatable and self.id_field):
            raise click.BadParameter(
                f"{self.target.name} records cannot be updated", param_hint="--match-on"
            )
        try:
            wire = wire_name(self.model, match_on)
        except ValidationError as exc:
            raise click.BadParameter(str(exc), param_hint="--match-on") from None
        if wire in self._read_only and wire != self.id_field:
            # The server sets it, so a line cannot carry the value to create a record with.
            raise click.BadParameter(
                f"{wire} is set by the server: match on a field the lines set",
                param_hint="--match-on",
            )
        if wire == self.id_field:
            raise click.BadParameter(
                f"{wire} is the record id: lines that carry it update that record anyway",
                param_hint="--match-on",
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
        except ValidationError as exc:
            raise InvalidLineError(str(exc)) from None
        except ValueError as exc:
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
    for number, text in _read_lines(path):
        digest = line_digest(text)
        scan.total += 1
        scan.digests[number] = digest
        row = rows.get(number)
        if row is not None and row.state in _SETTLED and row.digest != digest:
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
        if row.state in _SETTLED and number not in scan.digests:
            raise JournalError(
                f"the journal records line {number}, which {path} does not have: it belongs "
                "to another file (or this one was edited). Pass another --journal, or "
                "restore the file"
            )
    return scan


# --- sending -------------------------------------------------------------------------------


@attrs.define
class Work:
    plan: Plan
    uncertain: bool  # a create of this line may have been applied already


class KeyedLocks:
    """One lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class _StopError(Exception):
    """Ends the run early: the quota is spent, or the key was refused."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


class Backfill:
    """The second pass: N workers, one session, one journal."""

    def __init__(
        self,
        crm: InsightlySession,
        checker: Checker,
        journal: Journal,
        *,
        path: Path,
        scan: Scan,
        rows: dict[int, Row],
        concurrency: int,
        advance: Callable[[], None],
    ) -> None:
        self.crm = crm
        self.checker = checker
        self.resource = checker.target.resource
        self.journal = journal
        self.path = path
        self.scan = scan
        self.rows = rows
        self.concurrency = concurrency
        self._advance_bar = advance
        self.counts: Counter[str] = Counter()
        self.failures: list[tuple[int, str]] = []
        self.decisions: list[tuple[int, str]] = []
        self.stop: _StopError | None = None
        self._locks = KeyedLocks()

    # --- the run -------------------------------------------------------------------------

    async def run(self) -> None:
        queue: asyncio.Queue[Work | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        tasks = [asyncio.ensure_future(self._produce(queue))]
        tasks += [asyncio.ensure_future(self._worker(queue)) for _ in range(self.concurrency)]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                error = task.exception()
                if error is not None:
                    raise error
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _stopped(self) -> bool:
        return self.stop is not None

    def _halt(self, stop: _StopError) -> None:
        if self.stop is None:
            self.stop = stop

    def _advance(self, outcome: str) -> None:
        self.counts[outcome] += 1
        self._advance_bar()

    async def _produce(self, queue: asyncio.Queue[Work | None]) -> None:
        with contextlib.closing(_read_lines(self.path)) as lines:
            for number, text in lines:
                if self._stopped():
                    break
                digest = line_digest(text)
                if digest != self.scan.digests.get(number):
                    self._halt(_StopError(EXIT_FAILURE, f"{self.path} changed while it was sent"))
                    break
                row = self.rows.get(number)
                if row is not None and row.digest != digest:
                    row = None  # an invalid or failed line since edited: a new line
                if row is not None and row.state == "done":
                    self._advance("skipped")
                    continue
                if number in self.scan.invalid:
                    if row is None or row.state not in _UNCERTAIN:
                        # (An uncertain line keeps its state: were it "invalid", a rerun
                        # with other options could send its create again.)
                        message = self.scan.invalid[number]
                        self.journal.mark(number, digest, "invalid", message=message)
                    self._advance("invalid")
                    continue
                plan = self.checker.check(number, text)
                uncertain = row is not None and row.state in _UNCERTAIN
                if uncertain and self.checker.match_on is None:
                    message = (
                        row.message
                        if row is not None and row.message
                        else "an earlier run sent its create and stopped before the answer"
                    )
                    if row is not None and row.state == "sending":
                        self.journal.mark(number, digest, "unknown", message=message)
                    self._decide(plan, message)
                    continue
                await queue.put(Work(plan, uncertain))
        for _ in range(self.concurrency):
            await queue.put(None)

    async def _worker(self, queue: asyncio.Queue[Work | None]) -> None:
        while True:
            work = await queue.get()
            if work is None:
                return
            if self._stopped():
                continue  # left for the rerun
            async with self._locks.hold(work.plan.lock_key):
                if self._stopped():
                    continue
                try:
                    await self._process(work)
                except QuotaExhaustedError as exc:
                    self._halt(_StopError(EXIT_QUOTA, str(exc)))
                except (AuthenticationError, SessionClosedError) as exc:
                    self._halt(_StopError(EXIT_FAILURE, str(exc)))

    async def _process(self, work: Work) -> None:
        plan = work.plan
        if plan.record_id is not None:
            record = self.checker.update_record(plan, plan.record_id)
            await self._update(work, record, "updated")
            return
        if plan.match_value is not None:
            try:
                found = await self._search(plan.match_value)
            except (QuotaExhaustedError, AuthenticationError, SessionClosedError):
                raise
            except InsightlyError as exc:
                self._fail(work, f"looking it up failed: {exc}")
                return
            if len(found) > 1:
                self._fail(
                    work,
                    f"ambiguous: several {self.checker.target.name} records have "
                    f"{self.checker.match_on} = {plan.match_value!r}; none was changed",
                )
                return
            if found:
                action = "recovered" if work.uncertain else "updated"
                record = self.checker.merged_record(plan, found[0])
                await self._update(work, record, action)
                return
            work.uncertain = False  # looked up: it is not there
        await self._create(work)

    async def _search(self, value: str | int | float | bool) -> list[dict[str, Any]]:
        """The records whose match field equals ``value`` (two at most), as wire dicts."""
        checker = self.checker
        assert checker.match_on is not None
        paginator = self.resource.search(
            field_name=checker.match_on, field_value=value, page_size=2, raw=True
        )
        page = await paginator.fetch_page(0)
        return list(page.items)

    async def _update(self, work: Work, record: Record, action: str) -> None:
        plan = work.plan
        record_id = record.id
        assert record_id is not None
        try:
            await self.resource.update(record)
        except (QuotaExhaustedError, AuthenticationError, SessionClosedError):
            raise
        except NotFoundError:
            self._fail(work, f"no {self.checker.target.name} record has the id {record_id}")
            return
        except InsightlyError as exc:
            self._fail(work, f"the update of record {record_id} failed: {exc}")
            return
        self.journal.mark(plan.line, plan.digest, "done", action=action, record_id=record_id)
        self._advance("updated")

    async def _create(self, work: Work) -> None:
        plan = work.plan
        self.journal.mark(plan.line, plan.digest, "sending")
        try:
            created = await self.resource.create(self.checker.create_record(plan))
        except (QuotaExhaustedError, AuthenticationError, SessionClosedError):
            self.journal.forget(plan.line)  # refused before anything was applied
            raise
        except APIConnectionError as exc:
            if exc.outcome_unknown:
                self._unknown(plan, f"the connection broke after the create was sent ({exc})")
            else:
                self._fail(work, f"the create was not sent: {exc}")
            return
        except MalformedResponseError as exc:
            self._unknown(plan, f"the answer to the create could not be read ({exc})")
            return
        except ServerError as exc:
            if exc.status in OUTCOME_UNKNOWN_STATUSES:
                self._unknown(plan, f"the server failed while creating it ({exc})")
            else:
                self._fail(work, f"the create failed: {exc}")
            return
        except APIStatusError as exc:
            self._fail(work, f"the create was refused: {exc}")
            return
        except ValidationError as exc:  # checked before, so not expected; nothing was sent
            self._fail(work, f"the create was not sent: {exc}")
            return
        record_id = created.id
        self.journal.mark(plan.line, plan.digest, "done", action="created", record_id=record_id)
        self._advance("created")

    # --- outcomes --------------------------------------------------------------------------

    def _fail(self, work: Work, message: str) -> None:
        plan = work.plan
        # A line whose earlier create may have been applied stays undecided: were it
        # "failed", a rerun without --match-on would create it again.
        state = "unknown" if work.uncertain else "failed"
        self.journal.mark(plan.line, plan.digest, state, message=message)
        self.failures.append((plan.line, message))
        self._advance("failed")

    def _unknown(self, plan: Plan, message: str) -> None:
        self.journal.mark(plan.line, plan.digest, "unknown", message=message)
        self._decide(plan, message)

    def _decide(self, plan: Plan, message: str) -> None:
        self.decisions.append((plan.line, message))
        self._advance("decision")


# --- the command ---------------------------------------------------------------------------


def _print(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


async def run_backfill(
    open_session: Callable[..., AbstractAsyncContextManager[InsightlySession]],
    *,
    type_name: str,
    path: Path,
    concurrency: int,
    match_on: str | None,
    journal: Path | None,
    skip_invalid: bool,
    console: Console,
    err: Console,
    progress: bool,
) -> int:
    """Create or update a record for each line of ``path``; the exit code.

    0: every line done; 1: some line failed or needs a decision; 2: bad input or options,
    nothing sent; 3: the daily allowance was spent (rerun later to continue).
    """
    journal_path = journal if journal is not None else default_journal(path)
    if type_name == "all":
        raise click.BadParameter("a backfill writes one record type: name it", param_hint="TYPE")
    async with open_session(max_in_flight=concurrency) as crm:
        try:
            [target] = await resolve(crm, [type_name], writable=True)
        except UnknownTypeError as exc:
            raise click.BadParameter(str(exc), param_hint="TYPE") from None
        checker = Checker(target, match_on)
        try:
            book = Journal(journal_path)
        except JournalError as exc:
            _print(err, f"error: {exc}")
            return EXIT_USAGE
        discard = True
        try:
            try:
                book.check_type(target.name)
                rows = book.rows()
                scan = prepass(path, checker, rows)
            except JournalError as exc:
                _print(err, f"error: {exc}")
                return EXIT_USAGE
            for number, message in sorted(scan.invalid.items()):
                _print(err, f"{path}:{number}: {message}")
            if scan.invalid and not skip_invalid:
                count = len(scan.invalid)
                _print(
                    err,
                    f"{count} invalid line{'s' if count != 1 else ''}: nothing was sent. Fix "
                    f"{'them' if count != 1 else 'it'}, or pass --skip-invalid to send the others.",
                )
                return EXIT_USAGE
            book.start(type_name=target.name, source=path)
            discard = False
            with LineBar(err, enabled=progress, name=target.name, total=scan.total) as bar:
                run = Backfill(
                    crm,
                    checker,
                    book,
                    path=path,
                    scan=scan,
                    rows=rows,
                    concurrency=concurrency,
                    advance=bar.advance,
                )
                try:
                    await run.run()
                except sqlite3.Error as exc:
                    # A create under way stays "sending" (committed before it was sent), so
                    # the rerun looks it up rather than sending it again.
                    run.stop = _StopError(
                        EXIT_FAILURE, f"the journal {journal_path} could not be written: {exc}"
                    )
            return _report(run, console=console, err=err, journal=journal_path)
        finally:
            book.close(discard=discard)


def _report(run: Backfill, *, console: Console, err: Console, journal: Path) -> int:
    path = run.path
    for number, message in sorted(run.failures):
        _print(err, f"{path}:{number}: failed: {message}")
    match_on = run.checker.match_on
    for number, message in sorted(run.decisions):
        _print(err, f"{path}:{number}: needs a decision: {message}; it was not resent")
    counts = run.counts
    finished = sum(counts.values())
    left = run.scan.total - finished
    summary = (
        f"{run.checker.target.name}: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['skipped']} skipped (already done), {counts['invalid']} invalid, "
        f"{counts['failed']} failed, {counts['decision']} need a decision"
    )
    if left:
        summary += f", {left} not sent yet"
    _print(console, summary)
    if run.decisions:
        hint = (
            "rerun with --match-on FIELD, a field that tells records apart such as "
            "EMAIL_ADDRESS: each is looked up, then updated if found or created if not"
            if match_on is None
            else "rerun the same command: each is looked up before anything is sent again"
        )
        _print(
            err,
            f"{len(run.decisions)} line(s) may or may not have been created: {hint}. "
            f"The journal is {journal}.",
        )
    if run.stop is not None:
        _print(err, f"stopped: {run.stop}")
        if run.stop.code == EXIT_QUOTA:
            _print(
                err,
                f"the journal {journal} is saved: rerun the same command once the allowance "
                "is back to send the rest",
            )
        return run.stop.code
    if counts["failed"] or counts["decision"] or counts["invalid"]:
        return EXIT_FAILURE
    return EXIT_OK
