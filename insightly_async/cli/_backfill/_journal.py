"""The SQLite journal of a backfill: what happened to each line of one input file.

States: ``sending`` (a POST may be in flight), ``done`` (with the action and the record
id), ``unknown`` (a POST whose outcome is unknown), ``failed`` (a definite error: nothing
was applied; a rerun tries again) and ``invalid`` (skipped with ``--skip-invalid``). A line
without a row has not been sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Final

import attrs

from insightly_async._facts.wire import BODY_DATETIME_FORMAT

__all__ = [
    "SETTLED",
    "UNCERTAIN",
    "Journal",
    "JournalError",
    "Row",
    "default_journal",
    "line_digest",
]

# Journal states that say a line's content matters: it was (or may have been) sent.
SETTLED: Final = frozenset({"done", "sending", "unknown"})
UNCERTAIN: Final = frozenset({"sending", "unknown"})

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
    at: str = ""  # when the state was recorded (UTC, ``yyyy-MM-dd HH:mm:ss``)

    def recorded(self) -> datetime | None:
        """When the state was recorded, or ``None`` if the journal does not say."""
        try:
            return datetime.strptime(self.at, BODY_DATETIME_FORMAT).replace(tzinfo=timezone.utc)
        except ValueError:
            return None


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
                "SELECT line, digest, state, action, record_id, message, at FROM lines"
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
