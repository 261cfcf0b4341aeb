"""The progress display: what a terminal of 80x24 or 160x40 shows while an export runs.

The end-to-end tests run ``insightly-async export`` on a real pseudo-terminal of that size
(its size set with TIOCSWINSZ, as a terminal emulator does) and play back every redraw of
the display; the others draw single frames of the display at chosen moments.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from export_support import ThreadedFake
from rich.console import Console
from terminal_support import TerminalRun, run_in_terminal

from insightly_async import InsightlySession
from insightly_async.cli import EXIT_OK
from insightly_async.cli._progress import LineBar, RichReporter

TYPES = len(InsightlySession.resource_names())  # every record type, as --types all has them

# The CLI, pacing as fast as the emulator answers (as the in-process tests do), so that a
# 34-type export takes a second or two; the emulator's latency keeps types under way long
# enough to be seen.
FAST_CLI = [
    sys.executable,
    "-c",
    (
        "import insightly_async.session as s; s.DEFAULT_RATE = 1000.0; "
        "from insightly_async.cli import main; main()"
    ),
]

HEADER = ["type", "records", "elapsed", "left"]
TIME = r"\d+:\d\d:\d\d"
ROW = re.compile(
    rf"^(?P<name>\S+(?: types)?) +[━╸╺ ]*? *(?P<done>\d[\d,]*)/(?P<total>\d[\d,]*|\?)"
    rf" +(?P<elapsed>{TIME})? +(?P<left>{TIME}|-:--:--|done)$"
)
WAITING = re.compile(r"^(?P<name>\S+) +waiting$")
REST = re.compile(
    r"^(\d+ (more )?in progress|\d+ (more )?types? done|\d+ stopped or skipped|\d+ waiting)"
    r"(, (\d+ (more )?types? done|\d+ stopped or skipped|\d+ waiting))*$"
)
ETA = re.compile(
    rf"^(ETA \d\d:\d\d:\d\d( at the earliest)? \({TIME} left(; \d+ types? not counted yet)?\)"
    rf"|ETA not known yet: the types under way have no total yet|\d+ types? done in {TIME})$"
)
REQUESTS = re.compile(r"^\d[\d,]* requests?(, \d+\.\d req/s)?, quota left (\d[\d,]*|\?)$")


def _export_on_terminal(tmp_path: Path, columns: int, rows: int) -> TerminalRun:
    with ThreadedFake(seed=3, rate_limit=None, latency=0.12) as served:
        served.call(lambda: served.fake.seed({"contacts": 1500, "leads": 600}))
        return run_in_terminal(
            [*FAST_CLI, "export", "--out", str(tmp_path / "out"), "--types", "all"],
            columns=columns,
            rows=rows,
            env=served.env(),
        )


def _check(frame: list[str], columns: int, rows: int) -> tuple[list[str], list[str]]:
    """Check one drawing of the display; the type rows it shows, and its counting line."""
    assert len(frame) <= rows - 1, frame  # the cursor's row stays free: nothing scrolls
    assert all(len(line) <= columns for line in frame), frame
    assert frame[0].split() == HEADER, frame
    names: list[str] = []
    rest: list[str] = []
    body = frame[1:]
    total = next(i for i, line in enumerate(body) if line.startswith("all types"))
    for line in body[:total]:
        match = ROW.match(line) or WAITING.match(line)
        assert match is not None, f"a type row cut or garbled: {line!r}"
        names.append(match["name"])
    assert ROW.match(body[total]), body[total]
    after = body[total + 1 :]
    if after and REST.match(after[0]):
        rest.append(after.pop(0))
    assert len(after) == 2, frame
    assert ETA.match(after[0]), after[0]
    assert REQUESTS.match(after[1]), after[1]
    assert not any("…" in line for line in frame), frame  # no count, time or name cut
    return names, rest


def test_at_80x24_the_types_in_progress_show_and_one_line_counts_the_others(
    tmp_path: Path,
) -> None:
    run = _export_on_terminal(tmp_path, 80, 24)
    assert run.returncode == EXIT_OK, run.terminal
    screen = run.screen(80, 24)
    assert screen.overflow == []  # no line ever reached past the last column
    assert screen.scrolled == []  # nor pushed the display's first rows off the screen
    assert screen.tallest_frame <= 23
    frames = run.frames(80, 24)
    assert len(frames) >= 4
    counted = []
    for frame in frames:
        names, rest = _check(frame, 80, 24)
        assert len(names) <= 24 - 6
        if rest:
            counted.append((names, rest[0]))
    # Mid-run: the types under way, then what is done and what waits, in one line.
    assert any(
        names and re.fullmatch(r"\d+ more types? done, \d+ waiting", rest)
        for names, rest in counted
    ), counted
    # At the end: no type row, and a line counting them all.
    assert frames[-1][1].startswith("all types")
    assert frames[-1][2] == f"{TYPES} types done"
    assert re.fullmatch(rf"{TYPES} types done in {TIME}", frames[-1][3])


def test_at_160x40_every_type_has_its_row(tmp_path: Path) -> None:
    run = _export_on_terminal(tmp_path, 160, 40)
    assert run.returncode == EXIT_OK, run.terminal
    screen = run.screen(160, 40)
    assert screen.overflow == []
    assert screen.scrolled == []
    frames = run.frames(160, 40)
    assert len(frames) >= 4
    for frame in frames:
        names, rest = _check(frame, 160, 40)
        assert rest == []
        assert len(names) == TYPES
    last = frames[-1]
    contacts = ROW.match(next(line for line in last if line.startswith("contacts ")))
    assert contacts is not None
    assert (contacts["done"], contacts["total"], contacts["left"]) == ("1,500", "1,500", "done")
    assert max(len(line) for line in last) == 120  # wider terminals do not stretch the bars


# --- single frames ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _draw(board: RichReporter | LineBar, columns: int = 80, rows: int = 24) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=columns, height=rows, force_terminal=True, color_system=None)
    console.print(board.renderable())
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_a_type_row_estimates_from_its_own_pace_and_the_total_from_the_runs() -> None:
    clock = Clock()
    names = ["contacts", "leads", "notes"]
    board = RichReporter(Console(file=io.StringIO()), enabled=False, names=names, clock=clock)
    board.start("contacts", 0, 1000)
    board.start("leads", 200, 400)  # resumed: 200 were read by an earlier run
    clock.now += 10
    board.advance("contacts", 500, 1000)
    board.advance("leads", 300, 400)
    board.requests(1, 99_999)
    lines = _draw(board)
    assert lines[0].split() == HEADER
    rows = {m["name"]: m for m in map(ROW.match, lines[1:4]) if m}
    assert (rows["contacts"]["done"], rows["contacts"]["left"]) == ("500", "0:00:10")
    assert (rows["leads"]["done"], rows["leads"]["left"]) == ("300", "0:00:10")
    assert WAITING.match(lines[3])
    total = ROW.match(lines[4])
    assert total is not None
    assert (total["name"], total["done"], total["total"]) == ("all types", "800", "1,400")
    # 600 records read in 10 s, 600 left among the counted types; notes not counted yet.
    assert total["left"] == "0:00:10"
    assert re.fullmatch(
        r"ETA \d\d:\d\d:\d\d at the earliest \(0:00:10 left; 1 type not counted yet\)", lines[5]
    )
    assert lines[6] == "1 request, 0.1 req/s, quota left 99,999"


def test_no_rate_before_a_second_and_no_eta_before_a_pace() -> None:
    clock = Clock()
    board = RichReporter(
        Console(file=io.StringIO()), enabled=False, names=["contacts"], clock=clock
    )
    board.start("contacts", 0, None)
    clock.now += 0.2
    board.requests(3, None)
    lines = _draw(board)
    assert lines[-2] == "ETA not known yet: the types under way have no total yet"
    assert lines[-1] == "3 requests, quota left ?"


@pytest.mark.parametrize(
    ("running", "done", "waiting", "skipped", "rest"),
    [
        (4, 28, 2, 0, "28 more types done, 2 waiting"),
        (0, 34, 0, 0, "34 types done"),
        (0, 33, 0, 1, "33 types done, 1 stopped or skipped"),
        (30, 4, 0, 0, "12 more in progress, 4 more types done"),
    ],
)
def test_rows_never_outnumber_the_terminal(
    running: int, done: int, waiting: int, skipped: int, rest: str
) -> None:
    clock = Clock()
    names = [f"type_{n:02d}" for n in range(running + done + waiting + skipped)]
    board = RichReporter(Console(file=io.StringIO()), enabled=False, names=names, clock=clock)
    for name in names[:done]:
        board.start(name, 0, 10)
        board.finish(name, "complete", 10)
    for name in names[done : done + skipped]:
        board.start(name, 0, None)
        board.finish(name, "skipped", 0)
    for name in names[done + skipped : done + skipped + running]:
        board.start(name, 0, 100)
    clock.now += 5
    lines = _draw(board)
    assert len(lines) <= 23
    assert rest in lines
    shown = [m["name"] for m in map(ROW.match, lines[1:]) if m and m["name"] != "all types"]
    assert len(shown) == min(running, 23 - 5)
    assert all(names.index(name) >= done + skipped for name in shown)  # those under way


def test_a_long_name_is_cut_before_any_count() -> None:
    name = "Very_Long_Custom_Object_Name_Of_Fruit__c"
    board = RichReporter(
        Console(file=io.StringIO()), enabled=False, names=[name, "contacts"], clock=Clock()
    )
    board.start(name, 0, 1_234_567)
    board.advance(name, 1_000_000, 1_234_567)
    lines = _draw(board)
    assert all(len(line) <= 80 for line in lines)
    row = next(line for line in lines if line.startswith("Very_"))
    assert "…" in row.split()[0]
    assert "1,000,000/1,234,567" in row


def test_the_backfill_bar_counts_lines() -> None:
    bar = LineBar(Console(file=io.StringIO()), enabled=False, name="contacts", total=3)
    bar.advance()
    lines = _draw(bar)
    assert lines[0].split() == ["type", "lines", "elapsed", "left"]
    assert lines[1].split()[0] == "contacts"
    assert lines[1].split()[-3] == "1/3"
    assert len(lines) == 2  # no total row, no footer: the one row is the whole run


def test_verbose_lines_go_above_the_display_without_breaking_it(tmp_path: Path) -> None:
    with ThreadedFake(seed=3, rate_limit=None, latency=0.05) as served:
        served.call(lambda: served.fake.seed({"contacts": 1500}))
        run = run_in_terminal(
            [*FAST_CLI, "export", "--out", str(tmp_path), "--types", "contacts,leads", "-v"],
            columns=80,
            rows=24,
            env=served.env(),
        )
    assert run.returncode == EXIT_OK, run.terminal
    lines = run.screen(80, 24).lines
    header = [n for n, line in enumerate(lines) if line.split() == HEADER]
    assert len(header) == 1, lines  # one display, redrawn in place under the log
    logged = [line for line in lines[: header[0]] if " GET /v3.1/Contacts" in line]
    assert len(logged) >= 4  # a line per attempt: 3 pages and the catch-up search
    assert lines[header[0] + 1].startswith("contacts ")
    assert served.fake.api_key not in run.terminal
