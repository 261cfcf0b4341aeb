"""What the benchmarks share: options, result tables, timing, and an emulator in a thread or
in a child process."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from insightly_async.testing import FakeInsightly

__all__ = [
    "EmulatorProcess",
    "Options",
    "Report",
    "Table",
    "ThreadedEmulator",
    "Timing",
    "basic_auth",
    "emulator_process",
    "measure",
    "render_table",
    "serve_until_stdin_closes",
]


@attrs.frozen
class Options:
    """What the command line passes to every benchmark.

    Attributes:
        quick: A shorter run (CI, a quick look); each benchmark decides what it trims.
        seed: The emulator's seed (records, latency jitter).
    """

    quick: bool = False
    seed: int = 1


@attrs.frozen
class Table:
    """One result table: a title, column names, rows of cells already formatted."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    notes: Sequence[str] = ()
    text_columns: Sequence[int] = (0,)  # left-aligned; the others are numbers, right-aligned


@attrs.frozen
class Report:
    """What a benchmark returns.

    Attributes:
        tables: Its result tables.
        setup: Lines describing what was measured (sizes, latencies, repeats).
        findings: Lines stating whether the benchmark's goals were met, and why.
        goals_met: ``False`` when a stated goal was missed (``--strict`` exits 1).
        text: Ready-made markdown, printed after the tables (for a benchmark whose
            ``run`` returns a string).
    """

    tables: Sequence[Table] = ()
    setup: Sequence[str] = ()
    findings: Sequence[str] = ()
    goals_met: bool = True
    text: str = ""


def render_table(table: Table) -> str:
    """A markdown table, columns padded so it also reads as plain text."""
    cells = [list(table.columns), *[list(row) for row in table.rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]

    left = set(table.text_columns)

    def line(row: Sequence[str]) -> str:
        padded = (
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (width + 2)) if i in left else ("-" * (width + 1) + ":")
            for i, width in enumerate(widths)
        )
        + "|"
    )
    out = [f"### {table.title}", "", line(cells[0]), rule]
    out.extend(line(row) for row in cells[1:])
    if table.notes:
        out.append("")
        out.extend(table.notes)
    return "\n".join(out)


def basic_auth(api_key: str) -> str:
    """The ``Authorization`` header Insightly expects: Basic with the key as user name."""
    return "Basic " + base64.b64encode(f"{api_key}:".encode()).decode("ascii")


@attrs.frozen
class Timing:
    """Medians over the repeats of one measured operation, in seconds."""

    wall: float
    cpu: float
    repeats: int


def measure(
    operation: Callable[[], object],
    *,
    repeats: int,
    warmup: int = 2,
    prepare: Callable[[], None] | None = None,
) -> Timing:
    """Run ``operation`` ``warmup + repeats`` times; the median wall and CPU time per run.

    ``prepare`` runs before each run, outside the timed part.
    """
    walls: list[float] = []
    cpus: list[float] = []
    for i in range(warmup + repeats):
        if prepare is not None:
            prepare()
        cpu0 = time.process_time()
        wall0 = time.perf_counter()
        operation()
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        if i >= warmup:
            walls.append(wall)
            cpus.append(cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), repeats)


class ThreadedEmulator:
    """Serve a :class:`FakeInsightly` from its own event loop in a background thread.

    The client under test then has its event loop to itself, as it would against a real
    server: the emulator's JSON encoding and latency timers do not delay the client's
    pacer, and the request log's arrival times are the server's view (the GIL is still
    shared, which only makes the measurement a little pessimistic).

    Use it as a context manager; read ``fake.log`` after it has exited.
    """

    def __init__(self, fake: FakeInsightly) -> None:
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="benchmark-emulator", daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _call(self, coro: Callable[[], object]) -> None:
        async def wrapper() -> None:
            result = coro()
            if asyncio.iscoroutine(result):
                await result

        future: Future[None] = asyncio.run_coroutine_threadsafe(wrapper(), self._loop)
        future.result(timeout=30)

    def __enter__(self) -> ThreadedEmulator:
        self._thread.start()
        try:
            self._call(self.fake.start)
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._call(self.fake.close)
        finally:
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()


def serve_until_stdin_closes(
    make: Callable[[], FakeInsightly],
    contacts: int,
    stats: Callable[[FakeInsightly], dict[str, Any]] | None = None,
) -> None:
    """The child side of :func:`emulator_process`: serve ``make()`` holding ``contacts``.

    Prints the emulator's address as one JSON line, serves until stdin closes, then prints
    ``stats(fake)`` as one more JSON line if given.
    """

    async def serve() -> None:
        async with make() as fake:
            fake.seed({"contacts": contacts})
            print(json.dumps({"base_url": fake.base_url, "api_key": fake.api_key}), flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            if stats is not None:
                print(json.dumps(stats(fake)), flush=True)

    asyncio.run(serve())


class EmulatorProcess:
    """An emulator served by a child process (see :func:`emulator_process`)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdin is not None
        assert process.stdout is not None
        self._process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        where = json.loads(self._stdout.readline())
        self.base_url: str = where["base_url"]
        self.api_key: str = where["api_key"]

    def stop(self) -> Any:
        """Stop serving; the child's statistics line, decoded."""
        self._stdin.close()
        return json.loads(self._stdout.readline())

    def _close(self) -> None:
        if not self._stdin.closed:
            self._stdin.close()
        self._process.wait(timeout=60)
        self._stdout.close()


@contextlib.contextmanager
def emulator_process(module: str, *args: str) -> Iterator[EmulatorProcess]:
    """Run ``python -m module --serve ARGS`` (which calls :func:`serve_until_stdin_closes`),
    so that the emulator's work does not count in this process's CPU or event loop."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--serve", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        served = EmulatorProcess(process)
    except BaseException:
        process.kill()
        process.wait(timeout=60)
        raise
    try:
        yield served
    finally:
        served._close()
