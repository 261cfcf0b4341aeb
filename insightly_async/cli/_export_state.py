"""The export's manifest: options, each type's state (its checkpoint), and the checks
made before anything is sent."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import attrs

from insightly_async._facts.wire import (
    BODY_DATETIME_FORMAT,
    QUERY_DATETIME_FORMAT,
    format_query_datetime,
)
from insightly_async.cli._files import read_json

__all__ = [
    "CATCH_UP_MARGIN",
    "FORMAT",
    "MANIFEST",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "Reporter",
    "Silent",
    "TypeState",
    "cursor_moment",
    "iso",
    "newest",
    "now",
    "parse_iso",
    "preflight",
]

# Catch-up starts this long before the scan did: the scan's start is taken from this
# machine's clock, and the API stamps DATE_UPDATED_UTC with its own.
CATCH_UP_MARGIN = timedelta(minutes=5)
MANIFEST = "manifest.json"
FORMAT = 1


class ExportError(Exception):
    """The export cannot start (a usage problem: wrong directory state, bad options)."""


class Reporter(Protocol):
    """What the export tells a progress display."""

    def start(self, name: str, done: int, total: int | None) -> None: ...

    def advance(self, name: str, done: int, total: int | None) -> None: ...

    def finish(self, name: str, state: str, done: int) -> None: ...

    def requests(self, count: int, remaining: int | None) -> None: ...


class Silent:
    def start(self, name: str, done: int, total: int | None) -> None:
        pass

    def advance(self, name: str, done: int, total: int | None) -> None:
        pass

    def finish(self, name: str, state: str, done: int) -> None:
        pass

    def requests(self, count: int, remaining: int | None) -> None:
        pass


@attrs.define
class TypeState:
    """One type's entry in the manifest (and its checkpoint)."""

    state: str = "pending"  # pending | scanning | finishing | complete | skipped
    mode: str = "full"  # full | since | incremental
    count: int = 0  # records in the file (in the part file while scanning)
    total: int | None = None  # what X-Total-Count reported last
    cursor: str | None = None  # the newest DATE_UPDATED_UTC seen, in server time
    changed: int | None = None  # incremental: records this run added or replaced
    skip: int = 0  # offset of the next page to read
    last_id: int | None = None  # id of the last record written by the scan
    part_bytes: int = 0  # length of the part file at the checkpoint
    pages: int = 0  # pages the scan has read
    scan_started: str | None = None  # this machine's UTC clock when the scan began
    reason: str | None = None  # why a type was skipped, or not filtered by --since
    reconciled: int = 0  # records the count reconciliation found missing and re-read

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TypeState:
        names = {field.name for field in attrs.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


@attrs.define
class ExportOptions:
    out: Path
    since: datetime | None = None
    incremental: bool = False
    resume: bool = False
    concurrency: int = 4


@attrs.define
class ExportResult:
    state: str  # complete | partial
    types: dict[str, TypeState]
    requests: int
    quota_limit: int | None
    quota_remaining: int | None
    stopped_by_quota: bool
    elapsed: float
    run_requests: int = 0  # what this run sent (``requests`` adds earlier runs)
    # The types this run exported; ``types`` also holds those an earlier run left in the
    # directory, which this one kept as they were.
    refreshed: list[str] = attrs.Factory(list)


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return format_query_datetime(moment, "since")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, QUERY_DATETIME_FORMAT).replace(tzinfo=timezone.utc)


def cursor_moment(cursor: str) -> datetime:
    return datetime.strptime(cursor, BODY_DATETIME_FORMAT).replace(tzinfo=timezone.utc)


def newest(current: str | None, record: dict[str, Any], field: str | None) -> str | None:
    if field is None:
        return current
    value = record.get(field)
    if not isinstance(value, str):
        return current
    return value if current is None or value > current else current


def preflight(options: ExportOptions) -> dict[str, Any] | None:
    """Check ``options`` against the state of the output directory; its manifest if any.

    Runs before anything is sent.

    Raises:
        ExportError: the directory's state does not fit the options.
    """
    manifest = options.out / MANIFEST
    previous: dict[str, Any] | None = None
    if options.out.exists() and not options.out.is_dir():
        raise ExportError(f"{options.out} is not a directory")
    if manifest.exists():
        try:
            previous = read_json(manifest)
        except (OSError, ValueError) as exc:
            raise ExportError(f"{manifest} is unreadable: {exc}") from None
        if not isinstance(previous, dict) or previous.get("format") != FORMAT:
            raise ExportError(f"{manifest} is not a manifest of this tool")
    unfinished = previous is not None and previous.get("state") != "complete"
    if options.resume:
        if previous is None:
            raise ExportError(f"nothing to resume: {manifest} does not exist")
        if not unfinished:
            raise ExportError(f"nothing to resume: the export in {options.out} is complete")
    elif unfinished:
        raise ExportError(
            f"{options.out} holds an unfinished export: add --resume to finish it, "
            "or choose another --out"
        )
    if options.incremental and previous is None:
        raise ExportError(
            f"--incremental needs a previous export in {options.out} (run a full one first)"
        )
    return previous
