"""Bulk export: every record of the chosen types into ``DIR/<type>.jsonl``, resumably.

Each type is read with the paginator's delete-safe scan (:meth:`Paginator.scan`): pages
overlap so that records moved by deletes are read again, records come out once each in
ascending id order, and the count is reconciled with ``X-Total-Count`` at the end. The
export adds what a mirror needs on top:

- When the scan ends, a catch-up pass asks ``/Search?updated_after_utc=`` for everything
  changed since the scan began (with a margin for clock skew) and merges it by id, so a
  record created or edited meanwhile is there in its latest form.
- Records go to ``DIR/.<type>.jsonl.part``, written by a worker thread while the event
  loop goes on sending (:mod:`._export_disk`). At most every second, and whenever a type
  changes state, a commit syncs the part files and then the manifest (the checkpoint)
  records their lengths and each scan's state, so ``--resume`` truncates a part file to
  its checkpoint and goes on without reading a committed page again. A type's file
  appears under its own name only when the type is complete (an atomic rename).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from insightly_async import (
    InsightlySession,
    PermissionDeniedError,
    QuotaExhaustedError,
    ScanPage,
    ScanState,
    __version__,
)
from insightly_async.cli._export_disk import Disk
from insightly_async.cli._export_state import (
    CATCH_UP_MARGIN,
    FORMAT,
    MANIFEST,
    ExportError,
    ExportOptions,
    ExportResult,
    Reporter,
    Silent,
    TypeState,
    cursor_moment,
    iso,
    newest,
    now,
    parse_iso,
    preflight,
)
from insightly_async.cli._targets import Target

__all__ = [
    "CATCH_UP_MARGIN",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "Exporter",
    "Reporter",
    "TypeState",
    "preflight",
]

# The longest a scan goes between two commits: what a crash can cost, in re-reading.
COMMIT_INTERVAL: Final = 1.0


class Exporter:
    """One export run over ``targets`` through ``crm`` into ``options.out``."""

    def __init__(
        self,
        crm: InsightlySession,
        targets: Sequence[Target],
        options: ExportOptions,
        *,
        reporter: Reporter | None = None,
        clock: Callable[[], datetime] = now,
    ) -> None:
        self._crm = crm
        self._targets = list(targets)
        self._options = options
        self._out = options.out
        self._reporter: Reporter = reporter or Silent()
        self._clock = clock
        # Every request of the session counts, those made before the run too (finding
        # the types asks for the account's custom objects): all are spent from the quota.
        self._sent_before = 0
        self._states: dict[str, TypeState] = {}
        self._manifest: dict[str, Any] = {}
        self._quota_stop = False
        self._requests_before = 0
        self._disk = Disk(self._out)
        self._committed = time.monotonic()

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
                options.since = parse_iso(previous["since"])
            options.incremental = bool(previous.get("incremental"))
            self._states = {name: TypeState.from_json(entry) for name, entry in stored.items()}
            for name in names:
                self._states.setdefault(name, TypeState())
            return
        old_types: dict[str, Any] = (previous or {}).get("types", {})
        self._manifest = {
            "format": FORMAT,
            "sdk_version": __version__,
            "state": "partial",
            "incremental": options.incremental,
            "since": iso(options.since) if options.since else None,
            "started_at": iso(self._clock()),
            "finished_at": None,
            "refreshed": [target.name for target in self._targets],
        }
        # The manifest lists what the directory holds: the types this run leaves alone
        # keep their entries (their files, and their cursors for --incremental).
        self._states = {name: TypeState.from_json(old) for name, old in old_types.items()}
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

    def _snapshot(self) -> dict[str, Any]:
        """The manifest as it stands (a copy the worker thread may write while the run goes on)."""
        manifest = dict(self._manifest)
        manifest["types"] = {name: state.to_json() for name, state in self._states.items()}
        manifest["requests"] = self._requests_before + self._requests
        quota = self._crm.quota
        manifest["quota"] = {"limit": quota.limit, "remaining": quota.remaining}
        return manifest

    async def _save(self) -> None:
        """Commit: every part file written so far to disk, then the manifest."""
        self._committed = time.monotonic()
        await self._disk.run(self._disk.commit, self.manifest_path, self._snapshot())

    # --- the run ----------------------------------------------------------------------

    async def run(self) -> ExportResult:
        started = time.monotonic()
        try:
            return await self._run(started)
        finally:
            await asyncio.get_running_loop().run_in_executor(None, self._disk.close)

    async def _run(self, started: float) -> ExportResult:
        self._load()
        if self._options.resume:
            for target in self._targets:  # drop what was written past each checkpoint
                state = self._states[target.name]
                if state.state == "scanning":
                    await self._disk.run(self._disk.truncate, self._part(target), state.part_bytes)
        else:
            await self._save()
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
                await asyncio.shield(self._save())
                raise
            self._quota_stop = True
        complete = all(state.state in ("complete", "skipped") for state in self._states.values())
        self._manifest["state"] = "complete" if complete else "partial"
        if complete:
            self._manifest["finished_at"] = iso(self._clock())
        await self._save()
        quota = self._crm.quota
        return ExportResult(
            state=self._manifest["state"],
            types=dict(self._states),
            requests=self._requests_before + self._requests,
            quota_limit=quota.limit,
            quota_remaining=quota.remaining,
            stopped_by_quota=self._quota_stop,
            elapsed=time.monotonic() - started,
            run_requests=self._requests,
            refreshed=[target.name for target in self._targets],
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
            await self._disk.run(self._disk.remove, self._part(target))
            await self._save()
        self._reporter.finish(target.name, state.state, state.count)

    # --- full and --since scans -----------------------------------------------------

    def _since(self, target: Target) -> datetime | None:
        """``--since`` for a type that can be filtered by date; ``None`` (all) otherwise."""
        return self._options.since if target.incremental else None

    def _part(self, target: Target) -> Path:
        return self._out / f".{target.name}.jsonl.part"

    def _final(self, target: Target) -> Path:
        return self._out / f"{target.name}.jsonl"

    async def _full(self, target: Target, state: TypeState) -> None:
        part, final = self._part(target), self._final(target)
        if state.state == "pending":
            state.state = "scanning"
            state.skip, state.last_id, state.part_bytes, state.count = 0, None, 0, 0
            state.cursor = None
            state.scan_started = iso(self._clock())
            await self._disk.run(self._disk.start_part, part)
            await self._save()
        elif state.state == "finishing" and not part.exists() and final.exists():
            # Stopped between putting the finished file in place and saying so.
            state.state = "complete"
            await self._save()
            return
        if state.state == "scanning":
            await self._scan(target, state)
            state.state = "finishing"
            await self._save()
        await self._finish(target, state)

    async def _append(
        self, target: Target, state: TypeState, records: list[dict[str, Any]]
    ) -> None:
        if not records:
            return
        state.part_bytes = await self._disk.run(self._disk.append, self._part(target), records)
        state.count += len(records)
        for record in records:
            state.cursor = newest(state.cursor, record, target.updated_field)

    async def _checkpoint(self, target: Target, state: TypeState) -> None:
        """Progress on the display; a commit when the last one is a second old."""
        self._reporter.advance(target.name, state.count, state.total)
        self._report_requests()
        if time.monotonic() - self._committed >= COMMIT_INTERVAL:
            await self._save()

    async def _scan(self, target: Target, state: TypeState) -> None:
        """Read the type with the delete-safe scan, appending each page to the part file."""
        options: dict[str, Any] = {"raw": True, "updated_after": self._since(target)}
        if target.paged:
            options["concurrency"] = 2 * self._options.concurrency
        paginator = target.resource.list(**options)
        if target.id_field is None:
            # No ids (countries, currencies): one unpaged list, read whole.
            page = await paginator.fetch_page(0)
            await self._append(target, state, page.items)
            state.total, state.pages = len(page.items), 1
            await self._checkpoint(target, state)
            return
        start = None
        if state.pages:
            start = ScanState(state.skip, state.last_id, state.count, state.total, state.pages)

        async def written() -> frozenset[int]:
            assert target.id_field is not None
            return await self._disk.run(self._disk.ids, self._part(target), target.id_field)

        async with contextlib.aclosing(paginator.scan(start=start, seen_before=written)) as pages:
            async for page in pages:
                await self._take(target, state, page)

    async def _take(self, target: Target, state: TypeState, page: ScanPage[dict[str, Any]]) -> None:
        await self._append(target, state, page.items)
        scanned = page.state
        if page.reconciled:
            state.reconciled = len(page.items)
        else:
            state.skip, state.last_id = scanned.skip, scanned.last_id
        state.total, state.pages = scanned.total, scanned.pages
        await self._checkpoint(target, state)

    async def _finish(self, target: Target, state: TypeState) -> None:
        """Catch up with what changed during the scan, put the file in place."""
        # Every request first, then the file operations with no await between them and
        # the checkpoint, so that a stop (quota, Ctrl-C) cannot fall in the middle.
        changes: dict[int, dict[str, Any]] = {}
        # One page is one snapshot: nothing can shift or change during it.
        single = state.pages <= 1
        if target.incremental and state.scan_started is not None and not single:
            since = parse_iso(state.scan_started) - CATCH_UP_MARGIN
            start = self._since(target)
            if start is not None:
                since = max(since, start)
            changes = await self._changes(target, since)
        part = self._part(target)
        if changes:
            state.count, _ = await self._merge(target, part, changes, state)
            await self._disk.run(self._disk.remove, part)
        else:
            await self._disk.run(self._disk.publish, part, self._final(target))
        state.state = "complete"
        await self._save()
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

    async def _merge(
        self,
        target: Target,
        source: Path,
        changes: dict[int, dict[str, Any]],
        state: TypeState,
    ) -> tuple[int, int]:
        """Write ``source`` with ``changes`` merged in by id as the type's file; the records
        in it, and how many the merge added or changed."""
        id_field = target.id_field
        assert id_field is not None
        merged = await self._disk.run(
            self._disk.merge, source, self._final(target), changes, id_field
        )
        for record in changes.values():
            state.cursor = newest(state.cursor, record, target.updated_field)
        return merged

    # --- --incremental ----------------------------------------------------------------

    async def _incremental(self, target: Target, state: TypeState) -> None:
        assert state.cursor is not None
        # The filter is strictly-after with one-second resolution: step back a second so
        # a record changed in the same second as the last run's newest is not missed.
        since = cursor_moment(state.cursor) - timedelta(seconds=1)
        changes = await self._changes(target, since)
        # The total as the API reports it now, not the last full export's.
        state.total = await self._count(target, state.total)
        final = self._final(target)
        if not final.exists():
            raise ExportError(f"{final} is missing: run a full export again")
        state.changed = 0
        if changes:
            state.count, state.changed = await self._merge(target, final, changes, state)
        state.state = "complete"
        await self._save()
        self._reporter.advance(target.name, state.count, state.total)

    async def _count(self, target: Target, known: int | None) -> int | None:
        """``X-Total-Count`` of the type now (a request for one record)."""
        if not target.paged:
            return known
        page = await target.pages(page_size=1, count_total=True).fetch_page(0)
        self._report_requests()
        return known if page.total is None else page.total


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
