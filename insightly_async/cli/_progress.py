"""Progress on a terminal with rich.

Two displays share one layout (name, bar, done of total, a note, elapsed and remaining
time): :class:`RichReporter`, a bar per exported type with requests per second and the
quota left, and :class:`LineBar`, the one bar of a backfill's lines.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["LineBar", "RichReporter"]

_D = TypeVar("_D", bound="_Display")


class _Display:
    """Bars that live while the ``with`` block runs; nothing when ``enabled`` is False."""

    def __init__(self, console: Console, *, enabled: bool, name_width: int, note: str) -> None:
        self._enabled = enabled
        self._progress = Progress(
            TextColumn(f"[bold]{{task.description:<{name_width}}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(note),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )

    def __enter__(self: _D) -> _D:
        if self._enabled:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._enabled:
            self._progress.stop()


class RichReporter(_Display):
    """The export's bars: one per type, and a line of requests per second and quota left."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        super().__init__(console, enabled=enabled, name_width=26, note="{task.fields[note]}")
        self._tasks: dict[str, TaskID] = {}
        self._status = self._progress.add_task("requests", total=None, note="", visible=enabled)
        self._started = time.monotonic()

    def _task(self, name: str) -> TaskID:
        task = self._tasks.get(name)
        if task is None:
            task = self._progress.add_task(name, total=None, note="")
            self._tasks[name] = task
        return task

    def start(self, name: str, done: int, total: int | None) -> None:
        self._progress.update(self._task(name), completed=done, total=total)

    def advance(self, name: str, done: int, total: int | None) -> None:
        self._progress.update(self._task(name), completed=done, total=max(total or 0, done))

    def finish(self, name: str, state: str, done: int) -> None:
        task = self._task(name)
        note = "" if state == "complete" else state
        self._progress.update(task, completed=done, total=done, note=note)

    def requests(self, count: int, remaining: int | None) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        left = "?" if remaining is None else f"{remaining:,}"
        self._progress.update(
            self._status,
            completed=count,
            note=f"{count / elapsed:.1f} req/s, quota left {left}",
        )


class LineBar(_Display):
    """The backfill's bar: lines finished (whatever their outcome) of the file's total."""

    def __init__(self, console: Console, *, enabled: bool, name: str, total: int) -> None:
        super().__init__(console, enabled=enabled, name_width=16, note="lines")
        self._task = self._progress.add_task(name, total=total)

    def advance(self) -> None:
        """One more line finished."""
        self._progress.advance(self._task)
