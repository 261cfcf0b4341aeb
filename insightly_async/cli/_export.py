"""Bulk export: every record of the chosen types into ``DIR/<type>.jsonl``, resumably.

Each type is read with the paginator's delete-safe scan (:meth:`Paginator.scan`): pages
overlap so that records moved by deletes are read again, records come out once each in
ascending id order, and the count is reconciled with ``X-Total-Count`` at the end. The
export adds what a mirror needs on top:

- When the scan ends, a catch-up pass asks ``/Search?updated_after_utc=`` for everything
  changed since the scan began (with a margin for clock skew) and merges it by id, so a
  record created or edited meanwhile is there in its latest form.
- Records go to ``DIR/.<type>.jsonl.part``. After every page the part file is flushed and
  fsync'd, and the manifest (the checkpoint) records its length and the scan's state, so
  ``--resume`` truncates the part file to the checkpoint and goes on without reading a
  finished page again. A type's file appears under its own name only when the type is
  complete (an atomic rename).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import attrs

from insightly_async import (
    InsightlySession,
    PermissionDeniedError,
    QuotaExhaustedError,
    ScanPage,
    ScanState,
    __version__,
)
from insightly_async._facts.wire import (
    BODY_DATETIME_FORMAT,
    QUERY_DATETIME_FORMAT,
    format_query_datetime,
)
from insightly_async.cli._files import atomic_write, dump_line, fsync_dir, read_json, write_json
from insightly_async.cli._targets import Target

__all__ = [
    "CATCH_UP_MARGIN",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "Exporter",
    "Reporter",
    "TypeState",
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


class _Silent:
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
    run_requests: int = 0  # what this run read (``requests`` adds earlier runs)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return format_query_datetime(moment, "since")


def _parse_iso(text: str) -> datetime:
    return datetime.strptime(text, QUERY_DATETIME_FORMAT).replace(tzinfo=timezone.utc)


def _cursor_moment(cursor: str) -> datetime:
    return datetime.strptime(cursor, BODY_DATETIME_FORMAT).replace(tzinfo=timezone.utc)


def _newest(current: str | None, record: dict[str, Any], field: str | None) -> str | None:
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


class Exporter:
    """One export run over ``targets`` through ``crm`` into ``options.out``."""

    def __init__(
        self,
        crm: InsightlySession,
        targets: Sequence[Target],
        options: ExportOptions,
        *,
        reporter: Reporter | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._crm = crm
        self._targets = list(targets)
        self._options = options
        self._out = options.out
        self._reporter: Reporter = reporter or _Silent()
        self._clock = clock
        self._sent_before = crm.requests_sent
        self._states: dict[str, TypeState] = {}
        self._manifest: dict[str, Any] = {}
        self._quota_stop = False
        self._requests_before = 0

    # --- the manifest ---------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self._out / MANIFEST

    def _load(self) -> None:
        """Read the directory's manifest and decide where each type starts."""
        options = self._options
        previous = preflight(options)
        self._out.mkdir(parents=True, exist_ok=True)
        if options.resume and previous is not None:
            self._manifest = previous
            self._requests_before = int(previous.get("requests") or 0)
            stored = previous.get("types", {})
            names = [target.name for target in self._targets]
            if options.since is None and previous.get("since"):
                options.since = _parse_iso(previous["since"])
            options.incremental = bool(previous.get("incremental"))
            self._states = {
                name: TypeState.from_json(stored[name]) if name in stored else TypeState()
                for name in names
            }
            return
        old_types: dict[str, Any] = (previous or {}).get("types", {})
        self._manifest = {
            "format": FORMAT,
            "sdk_version": __version__,
            "state": "partial",
            "incremental": options.incremental,
            "since": _iso(options.since) if options.since else None,
            "started_at": _iso(self._clock()),
            "finished_at": None,
        }
        for target in self._targets:
            state = TypeState(mode="since" if options.since else "full")
            if options.since and not target.incremental:
                state.reason = "cannot be filtered by date: exported whole"
            old = old_types.get(target.name)
            if options.incremental and old and old.get("state") == "complete":
                kept = TypeState.from_json(old)
                if kept.cursor is not None and target.incremental:
                    state = TypeState(
                        mode="incremental", count=kept.count, total=kept.total, cursor=kept.cursor
                    )
            self._states[target.name] = state
        if options.incremental:
            # Types this run leaves alone keep their entries, and so their cursors.
            for name, old in old_types.items():
                self._states.setdefault(name, TypeState.from_json(old))
        self._save()

    def _save(self) -> None:
        manifest = self._manifest
        manifest["types"] = {name: state.to_json() for name, state in self._states.items()}
        manifest["requests"] = self._requests_before + self._requests
        quota = self._crm.quota
        manifest["quota"] = {"limit": quota.limit, "remaining": quota.remaining}
        write_json(self.manifest_path, manifest)

    # --- the run ----------------------------------------------------------------------

    async def run(self) -> ExportResult:
        started = time.monotonic()
        self._load()
        gate = asyncio.Semaphore(self._options.concurrency)

        async def one(target: Target) -> None:
            async with gate:
                await self._export(target)

        try:
            async with _Group() as group:
                for target in self._targets:
                    group.create_task(one(target))
        except BaseException as exc:
            if _find(exc, QuotaExhaustedError) is None:
                self._save()
                raise
            self._quota_stop = True
        complete = all(state.state in ("complete", "skipped") for state in self._states.values())
        self._manifest["state"] = "complete" if complete else "partial"
        if complete:
            self._manifest["finished_at"] = _iso(self._clock())
        self._save()
        quota = self._crm.quota
        return ExportResult(
            state=self._manifest["state"],
            types=dict(self._states),
            requests=self._manifest["requests"],
            quota_limit=quota.limit,
            quota_remaining=quota.remaining,
            stopped_by_quota=self._quota_stop,
            elapsed=time.monotonic() - started,
            run_requests=self._requests,
        )

    @property
    def _requests(self) -> int:
        """Requests this run sent (every attempt counts against the allowance)."""
        return self._crm.requests_sent - self._sent_before

    def _report_requests(self) -> None:
        self._reporter.requests(self._requests, self._crm.quota.remaining)

    async def _export(self, target: Target) -> None:
        state = self._states[target.name]
        if state.state in ("complete", "skipped"):
            self._reporter.finish(target.name, state.state, state.count)
            return
        self._reporter.start(target.name, state.count, state.total)
        try:
            if state.mode == "incremental":
                await self._incremental(target, state)
            else:
                await self._full(target, state)
        except PermissionDeniedError as exc:
            state.state = "skipped"
            state.reason = f"no permission to read {target.name} ({exc.status})"
            self._remove_part(target)
            self._save()
        self._reporter.finish(target.name, state.state, state.count)

    # --- full and --since scans -----------------------------------------------------

    def _since(self, target: Target) -> datetime | None:
        """``--since`` for a type that can be filtered by date; ``None`` (all) otherwise."""
        return self._options.since if target.incremental else None

    def _part(self, target: Target) -> Path:
        return self._out / f".{target.name}.jsonl.part"

    def _final(self, target: Target) -> Path:
        return self._out / f"{target.name}.jsonl"

    def _remove_part(self, target: Target) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._part(target).unlink()

    async def _full(self, target: Target, state: TypeState) -> None:
        part = self._part(target)
        if state.state == "pending":
            state.state = "scanning"
            state.skip, state.last_id, state.part_bytes, state.count = 0, None, 0, 0
            state.cursor = None
            state.scan_started = _iso(self._clock())
            part.write_bytes(b"")
            self._save()
        elif state.state == "scanning":
            # Drop whatever was written after the last checkpoint (a crash mid-page).
            with part.open("ab") as handle:
                handle.truncate(state.part_bytes)
        elif not part.exists() and self._final(target).exists():
            # Stopped between putting the finished file in place and saying so.
            state.state = "complete"
            self._save()
            return
        if state.state == "scanning":
            await self._scan(target, state)
            state.state = "finishing"
            self._save()
        await self._finish(target, state)

    def _append(self, target: Target, state: TypeState, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        part = self._part(target)
        with part.open("a", encoding="utf-8", newline="\n") as handle:
            handle.writelines(dump_line(record) for record in records)
            handle.flush()
            os.fsync(handle.fileno())
        state.count += len(records)
        for record in records:
            state.cursor = _newest(state.cursor, record, target.updated_field)

    def _checkpoint(self, target: Target, state: TypeState) -> None:
        state.part_bytes = self._part(target).stat().st_size
        self._save()
        self._reporter.advance(target.name, state.count, state.total)
        self._report_requests()

    async def _scan(self, target: Target, state: TypeState) -> None:
        """Read the type with the delete-safe scan, appending each page to the part file."""
        options: dict[str, Any] = {"raw": True, "updated_after": self._since(target)}
        if target.paged:
            options["concurrency"] = self._options.concurrency
        paginator = target.resource.list(**options)
        if target.id_field is None:
            # No ids (countries, currencies): one unpaged list, read whole.
            page = await paginator.fetch_page(0)
            self._append(target, state, page.items)
            state.total, state.pages = len(page.items), 1
            self._checkpoint(target, state)
            return
        start = None
        if state.pages:
            start = ScanState(state.skip, state.last_id, state.count, state.total, state.pages)

        async def written() -> frozenset[int]:
            return self._written_ids(target)

        async with contextlib.aclosing(paginator.scan(start=start, seen_before=written)) as pages:
            async for page in pages:
                self._take(target, state, page)

    def _take(self, target: Target, state: TypeState, page: ScanPage[dict[str, Any]]) -> None:
        self._append(target, state, page.items)
        scanned = page.state
        if page.reconciled:
            state.reconciled = len(page.items)
        else:
            state.skip, state.last_id = scanned.skip, scanned.last_id
        state.total, state.pages = scanned.total, scanned.pages
        self._checkpoint(target, state)

    def _written_ids(self, target: Target) -> frozenset[int]:
        id_field = target.id_field
        assert id_field is not None
        with self._part(target).open(encoding="utf-8") as lines:
            return frozenset(json.loads(line)[id_field] for line in lines if line.strip())

    async def _finish(self, target: Target, state: TypeState) -> None:
        """Catch up with what changed during the scan, put the file in place."""
        # Every request first, then the file operations with no await between them and
        # the checkpoint, so that a stop (quota, Ctrl-C) cannot fall in the middle.
        changes: dict[int, dict[str, Any]] = {}
        # One page is one snapshot: nothing can shift or change during it.
        single = state.pages <= 1
        if target.incremental and state.scan_started is not None and not single:
            since = _parse_iso(state.scan_started) - CATCH_UP_MARGIN
            start = self._since(target)
            if start is not None:
                since = max(since, start)
            changes = await self._changes(target, since)
        part = self._part(target)
        if changes:
            state.count, _ = self._merge(target, part, changes, state)
            self._remove_part(target)
        else:
            with part.open("ab") as handle:
                os.fsync(handle.fileno())
            part.replace(self._final(target))
            fsync_dir(self._out)
        state.state = "complete"
        self._save()
        self._reporter.advance(target.name, state.count, state.total)

    async def _changes(self, target: Target, since: datetime) -> dict[int, dict[str, Any]]:
        """Every record changed after ``since``, by id."""
        id_field = target.id_field
        assert id_field is not None
        found: dict[int, dict[str, Any]] = {}
        async with contextlib.aclosing(target.pages(updated_after=since).pages()) as pages:
            async for page in pages:
                for item in page.items:
                    found[item[id_field]] = item
        self._report_requests()
        return found

    def _merge(
        self,
        target: Target,
        source: Path,
        changes: dict[int, dict[str, Any]],
        state: TypeState,
    ) -> tuple[int, int]:
        """Write ``source`` with ``changes`` merged in by id as the type's file.

        Returns the records in the file, and how many of them the merge added or changed
        (a record read again exactly as it was does not count).
        """
        id_field = target.id_field
        assert id_field is not None
        pending = dict(changes)
        count = changed = 0
        with atomic_write(self._final(target)) as out, source.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record_id = json.loads(line).get(id_field)
                replacement = pending.pop(record_id, None)
                written = line if replacement is None else dump_line(replacement)
                changed += written != line
                out.write(written)
                count += 1
            for record_id in sorted(pending):
                out.write(dump_line(pending[record_id]))
                count += 1
                changed += 1
        for record in changes.values():
            state.cursor = _newest(state.cursor, record, target.updated_field)
        return count, changed

    # --- --incremental ----------------------------------------------------------------

    async def _incremental(self, target: Target, state: TypeState) -> None:
        assert state.cursor is not None
        # The filter is strictly-after with one-second resolution: step back a second so
        # a record changed in the same second as the last run's newest is not missed.
        since = _cursor_moment(state.cursor) - timedelta(seconds=1)
        changes = await self._changes(target, since)
        final = self._final(target)
        if not final.exists():
            raise ExportError(f"{final} is missing: run a full export again")
        state.changed = 0
        if changes:
            state.count, state.changed = self._merge(target, final, changes, state)
        state.state = "complete"
        self._save()
        self._reporter.advance(target.name, state.count, state.total)


class _Group:
    """``asyncio.TaskGroup`` for Python 3.10: the first failure cancels the others."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def create_task(self, coro: Any) -> None:
        self._tasks.append(asyncio.ensure_future(coro))

    async def __aenter__(self) -> _Group:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            pending = set(self._tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    if not task.cancelled() and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the first exception of that kind inside an exception group."""
    if isinstance(exc, kind):
        return exc
    inner = getattr(exc, "exceptions", None)
    if inner:
        for item in inner:
            found = _find(item, kind)
            if found is not None:
                return found
    return None
