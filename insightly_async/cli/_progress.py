"""Progress on a terminal with rich: a bar per type, requests per second, quota left."""

from __future__ import annotations

import time
from types import TracebackType

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

__all__ = ["RichReporter"]


class RichReporter:
    """Bars that live while the ``with`` block runs; nothing when ``enabled`` is False."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self._enabled = enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description:<26}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )
        self._tasks: dict[str, TaskID] = {}
        self._status = self._progress.add_task("requests", total=None, note="", visible=enabled)
        self._started = time.monotonic()

    def __enter__(self) -> RichReporter:
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
