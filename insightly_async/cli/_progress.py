"""Progress on a terminal with rich.

One layout serves the export and the backfill: a table under labelled columns (the type,
a bar, done/total, elapsed, left), a row per record type. It fits the terminal it is
drawn on:

- Columns share its width so that counts and times are never cut: the bar takes what is
  left, and a very long type name is shortened (with ``…``) before anything else is.
- Rows never outnumber its height: when the types do not all fit, the ones in progress are
  shown and one line counts the others (``28 more types done, 2 waiting``).

:class:`RichReporter` is the export's (a row per type, a total row, the overall ETA, and
requests per second with the quota left); :class:`LineBar` the backfill's (one row: the
file's lines). Times left are estimated from the pace so far: a type's own rate for its
row, the whole run's for the total.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TypeVar

import attrs
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

__all__ = ["LineBar", "RichReporter", "clock_time", "duration"]

NAME_WIDTH = 28  # a longer type name is cut (with …), never a count or a time
MAX_WIDTH = 120  # on a wider terminal the bars stop growing
REFRESH_PER_SECOND = 8
WAITING, RUNNING, DONE = "waiting", "running", "complete"

_D = TypeVar("_D", bound="_Board")


def duration(seconds: float) -> str:
    """``H:MM:SS``."""
    whole = max(int(seconds + 0.5), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def clock_time(seconds_from_now: float, *, now: float | None = None) -> str:
    """The local time ``seconds_from_now`` ahead (with the day when it is not today)."""
    start = time.time() if now is None else now
    then = time.localtime(start + seconds_from_now)
    today = time.localtime(start)
    if (then.tm_year, then.tm_yday) == (today.tm_year, today.tm_yday):
        return time.strftime("%H:%M:%S", then)
    return time.strftime("%a %d %b %H:%M", then)


@attrs.frozen
class _Total:
    """The row under the types: the whole run."""

    name: str
    done: int
    total: int | None  # None while some type's total is unknown
    figures: tuple[str, str, str]  # done/total, elapsed, left


@attrs.define
class _Row:
    """One type: how far it got, and when."""

    name: str
    done: int = 0
    total: int | None = None
    first: int = 0  # done when this run started it (a resumed type starts part way)
    started: float | None = None
    ended: float | None = None
    state: str = WAITING  # waiting | running | complete | another final state (skipped)

    @property
    def final(self) -> bool:
        return self.state not in (WAITING, RUNNING)

    def elapsed(self, now: float) -> float | None:
        if self.started is None:
            return None
        return (self.ended if self.ended is not None else now) - self.started

    def left(self, now: float) -> float | None:
        """Seconds left at this row's pace so far; ``None`` while there is no telling."""
        if self.final:
            return 0.0
        if self.total is None or self.started is None:
            return None
        remaining = self.total - self.done
        if remaining <= 0:
            return 0.0
        read, spent = self.done - self.first, now - self.started
        if read <= 0 or spent <= 0:
            return None
        return remaining * spent / read


class _Board:
    """Rows drawn live on ``console`` while the ``with`` block runs (nothing when disabled).

    Subclasses add the lines under the table (:meth:`footer`) and a total row.
    """

    def __init__(
        self,
        console: Console,
        *,
        enabled: bool,
        unit: str,
        names: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._enabled = enabled
        self._unit = unit
        self._clock = clock
        self._lock = threading.Lock()  # updates come from the event loop, draws from rich
        self._rows: dict[str, _Row] = {name: _Row(name) for name in names}
        self._began = clock()
        self._live: Live | None = None
        if enabled:
            self._live = Live(
                console=console,
                get_renderable=self.renderable,
                refresh_per_second=REFRESH_PER_SECOND,
                transient=False,
            )

    def __enter__(self: _D) -> _D:
        if self._live is not None:
            self._live.start(refresh=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def renderable(self) -> RenderableType:
        """What the display shows now (rich calls it at each refresh)."""
        return _Frame(self)

    # --- the rows -------------------------------------------------------------------------

    def _row(self, name: str) -> _Row:
        row = self._rows.get(name)
        if row is None:
            row = self._rows[name] = _Row(name)
        return row

    def _start(self, name: str, done: int, total: int | None) -> None:
        with self._lock:
            row = self._row(name)
            row.state, row.done, row.first, row.total = RUNNING, done, done, total
            row.started, row.ended = self._clock(), None

    def _advance(self, name: str, done: int, total: int | None) -> None:
        with self._lock:
            row = self._row(name)
            if row.started is None:
                row.started, row.first, row.state = self._clock(), done, RUNNING
            row.done = done
            row.total = None if total is None else max(total, done)

    def _finish(self, name: str, state: str, done: int) -> None:
        with self._lock:
            row = self._row(name)
            row.done, row.state = done, state
            row.total = max(row.total or 0, done)
            row.ended = self._clock() if row.started is not None else None

    def snapshot(self) -> tuple[list[_Row], float]:
        with self._lock:
            return [attrs.evolve(row) for row in self._rows.values()], self._clock()

    # --- what subclasses add ------------------------------------------------------------

    def total_row(self, rows: list[_Row], now: float) -> _Total | None:
        return None

    def footer(self, rows: list[_Row], now: float) -> list[Text]:
        return []

    # --- drawing --------------------------------------------------------------------------

    def table(self, rows: list[_Row], now: float, total: _Total | None, width: int) -> Table:
        table = Table(
            box=None,
            width=min(width, MAX_WIDTH),
            expand=True,
            pad_edge=False,
            padding=(0, 1),
            show_header=True,
            header_style="bold",
        )
        # As wide as the longest name of the run, so that columns stay put as rows come
        # and go.
        longest = max((len(name) for name in self._rows), default=0)
        table.add_column(
            "type",
            no_wrap=True,
            min_width=min(max(longest, len("all types")), NAME_WIDTH),
            max_width=NAME_WIDTH,
            overflow="ellipsis",
        )
        table.add_column("", ratio=1, min_width=5, no_wrap=True)
        table.add_column(self._unit, justify="right", no_wrap=True)
        table.add_column("elapsed", justify="right", no_wrap=True)
        table.add_column("left", justify="right", no_wrap=True)
        for row in rows:
            table.add_row(row.name, _bar(row), *_figures(row, now))
        if total is not None:
            size = None if total.total is None else float(max(total.total, 1))
            bar = ProgressBar(total=size, completed=float(total.done))
            table.add_row(Text(total.name, style="bold"), bar, *total.figures)
        return table


class _Frame:
    """One drawing of a board, fitted to the terminal's width and height."""

    def __init__(self, board: _Board) -> None:
        self._board = board

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        board = self._board
        rows, now = board.snapshot()
        footer = board.footer(rows, now)
        total = board.total_row(rows, now)
        shown, rest = rows, ""
        if console.is_terminal:
            under = sum(len(console.render_lines(line, options, pad=False)) for line in footer)
            # One row is kept free: rich leaves the cursor under the last one.
            room = options.size.height - 1 - 1 - (total is not None) - under
            shown, rest = _fit(rows, room)
        yield board.table(shown, now, total, options.max_width)
        if rest:
            yield Text(rest, style="dim", no_wrap=True, overflow="ellipsis")
        yield from footer


def _fit(rows: list[_Row], room: int) -> tuple[list[_Row], str]:
    """The rows that fit in ``room`` lines, and a line counting the others ('' if none)."""
    if len(rows) <= room:
        return rows, ""
    running = [row for row in rows if row.state == RUNNING]
    shown = running[: max(room - 1, 0)]  # the counting line takes one
    hidden = [row for row in rows if row not in shown]
    more = "more " if shown else ""
    parts: list[str] = []
    counts = {
        RUNNING: sum(row.state == RUNNING for row in hidden),
        DONE: sum(row.state == DONE for row in hidden),
        WAITING: sum(row.state == WAITING for row in hidden),
    }
    other = len(hidden) - sum(counts.values())
    if counts[RUNNING]:
        parts.append(f"{counts[RUNNING]} {more}in progress")
    if counts[DONE]:
        noun = "type" if counts[DONE] == 1 else "types"
        parts.append(f"{counts[DONE]} {more}{noun} done")
    if other:
        parts.append(f"{other} stopped or skipped")
    if counts[WAITING]:
        parts.append(f"{counts[WAITING]} waiting")
    return shown, ", ".join(parts)


def _bar(row: _Row) -> RenderableType:
    if row.state == WAITING:
        return Text("")
    if row.final:
        return ProgressBar(total=float(max(row.done, 1)), completed=float(max(row.done, 1)))
    total = None if row.total is None else float(max(row.total, 1))
    return ProgressBar(total=total, completed=float(row.done))


def _figures(row: _Row, now: float) -> tuple[str, str, str]:
    """The done/total, elapsed and left cells of a row."""
    if row.state == WAITING:
        return "", "", "waiting"
    done = f"{row.done:,}/{'?' if row.total is None else f'{row.total:,}'}"
    spent = row.elapsed(now)
    elapsed = "" if spent is None else duration(spent)
    if row.state == DONE:
        return done, elapsed, "done"
    if row.final:
        return done, elapsed, row.state
    left = row.left(now)
    return done, elapsed, "-:--:--" if left is None else duration(left)


class RichReporter(_Board):
    """The export's display: a row per type, a total row, the overall ETA, requests.

    Args:
        console: Where to draw (the export's stderr).
        enabled: Draw at all (off: every call is cheap and shows nothing).
        names: The types the run will export, in order (rows wait until they start).
    """

    def __init__(
        self,
        console: Console,
        *,
        enabled: bool,
        names: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(console, enabled=enabled, unit="records", names=names, clock=clock)
        self._requests = 0
        self._remaining: int | None = None

    def start(self, name: str, done: int, total: int | None) -> None:
        self._start(name, done, total)

    def advance(self, name: str, done: int, total: int | None) -> None:
        self._advance(name, done, total)

    def finish(self, name: str, state: str, done: int) -> None:
        self._finish(name, state, done)

    def requests(self, count: int, remaining: int | None) -> None:
        with self._lock:
            self._requests, self._remaining = count, remaining

    # --- the whole run ----------------------------------------------------------------

    def overall_left(self, rows: list[_Row], now: float) -> tuple[float | None, int]:
        """Seconds left for the types whose totals are known, at the run's pace so far;
        and how many types are not counted yet (their totals are unknown)."""
        uncounted = sum(not row.final and row.total is None for row in rows)
        remaining = sum(
            max(row.total - row.done, 0) for row in rows if not row.final and row.total is not None
        )
        read = sum(max(row.done - row.first, 0) for row in rows)
        spent = now - self._began
        if remaining == 0:
            return (0.0 if not uncounted else None), uncounted
        if read <= 0 or spent <= 0:
            return None, uncounted
        return remaining * spent / read, uncounted

    def total_row(self, rows: list[_Row], now: float) -> _Total | None:
        done = sum(row.done for row in rows)
        known = sum(max(row.total or 0, row.done) for row in rows)
        left, uncounted = self.overall_left(rows, now)
        if all(row.final for row in rows):
            last = "done"
        elif left is None:
            last = "-:--:--"
        else:
            last = duration(left)
        figures = (f"{done:,}/{known:,}", duration(now - self._began), last)
        return _Total("all types", done, None if uncounted else known, figures)

    def footer(self, rows: list[_Row], now: float) -> list[Text]:
        with self._lock:
            count, remaining = self._requests, self._remaining
        spent = now - self._began
        left, uncounted = self.overall_left(rows, now)
        if rows and all(row.final for row in rows):
            eta = f"{len(rows)} type{'' if len(rows) == 1 else 's'} done in {duration(spent)}"
        elif left is None:
            eta = "ETA not known yet: the types under way have no total yet"
        elif uncounted:
            noun = "type" if uncounted == 1 else "types"
            eta = (
                f"ETA {clock_time(left)} at the earliest "
                f"({duration(left)} left; {uncounted} {noun} not counted yet)"
            )
        else:
            eta = f"ETA {clock_time(left)} ({duration(left)} left)"
        parts = [f"{count:,} request{'' if count == 1 else 's'}"]
        if spent >= 1.0:
            parts.append(f"{count / spent:.1f} req/s")
        parts.append(f"quota left {'?' if remaining is None else f'{remaining:,}'}")
        return [Text(eta, style="bold"), Text(", ".join(parts))]


class LineBar(_Board):
    """The backfill's display: lines finished (whatever their outcome) of the file's total."""

    def __init__(
        self,
        console: Console,
        *,
        enabled: bool,
        name: str,
        total: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(console, enabled=enabled, unit="lines", names=[name], clock=clock)
        self._name = name
        self._done = 0
        self._total = total
        self._start(name, 0, total)

    def advance(self) -> None:
        """One more line finished."""
        self._done += 1
        if self._done >= self._total:
            self._finish(self._name, DONE, self._done)
        else:
            self._advance(self._name, self._done, self._total)
