"""The export's files, written off the event loop by one thread, durable in batches.

Every file operation of an export runs on one worker thread, in the order it was asked
for, so the event loop keeps sending requests while pages are encoded, written and
synced. Appends are written at once but made durable in batches: a *commit* syncs every
part file written since the last one and only then replaces the manifest with a snapshot
taken after those writes were asked for. The manifest (the checkpoint) therefore never
points past data that is on disk: after a crash, ``--resume`` truncates each part file to
the length its checkpoint recorded and goes on from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from insightly_async.cli._files import atomic_write, dump_line, fsync_dir, write_json

__all__ = ["Disk"]

T = TypeVar("T")


class Disk:
    """One worker thread for every file operation of an export (see the module's docstring).

    Args:
        out: The export directory.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="insightly-export")
        self._dirty: set[Path] = set()  # part files written since the last commit (thread)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the worker thread, after everything asked for before it."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def close(self) -> None:
        """Finish what was asked for, then stop the thread."""
        self._pool.shutdown(wait=True)

    # --- on the worker thread ------------------------------------------------------------

    def start_part(self, part: Path) -> None:
        """An empty part file (a new scan)."""
        part.write_bytes(b"")
        self._dirty.add(part)

    def truncate(self, part: Path, length: int) -> None:
        """Drop whatever was written after the checkpoint (a crash mid-batch)."""
        with part.open("ab") as handle:
            handle.truncate(length)

    def append(self, part: Path, records: Iterable[dict[str, Any]]) -> int:
        """Write the records as JSON lines at the end of ``part``; its new length."""
        data = "".join(dump_line(record) for record in records).encode("utf-8")
        with part.open("ab") as handle:
            handle.write(data)
            length = handle.tell()
        self._dirty.add(part)
        return length

    def commit(self, manifest_path: Path, snapshot: Mapping[str, Any]) -> None:
        """Make every part file written so far durable, then the manifest ``snapshot``."""
        for part in sorted(self._dirty):
            with contextlib.suppress(FileNotFoundError), part.open("ab") as handle:
                os.fsync(handle.fileno())
        self._dirty.clear()
        write_json(manifest_path, snapshot)

    def publish(self, part: Path, final: Path) -> None:
        """Put a finished part file in place under its own name, durably."""
        with part.open("ab") as handle:
            os.fsync(handle.fileno())
        part.replace(final)
        self._dirty.discard(part)
        fsync_dir(self.out)

    def remove(self, part: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        self._dirty.discard(part)

    def ids(self, part: Path, id_field: str) -> frozenset[int]:
        """The ids of the records in ``part``."""
        with part.open(encoding="utf-8") as lines:
            return frozenset(json.loads(line)[id_field] for line in lines if line.strip())

    def merge(
        self, source: Path, final: Path, changes: Mapping[int, dict[str, Any]], id_field: str
    ) -> tuple[int, int]:
        """Write ``source`` with ``changes`` merged in by id as ``final`` (atomically).

        Returns the records in the file, and how many of them the merge added or changed
        (a record read again exactly as it was does not count).
        """
        pending = dict(changes)
        count = changed = 0
        with atomic_write(final) as out, source.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                replacement = pending.pop(json.loads(line).get(id_field), None)
                written = line if replacement is None else dump_line(replacement)
                changed += written != line
                out.write(written)
                count += 1
            for record_id in sorted(pending):
                out.write(dump_line(pending[record_id]))
                count += 1
                changed += 1
        return count, changed
