"""A fleet on one account (issue 11): 1, 2, 4 and 8 processes, one pacer in Redis or one each.

Every cell gets a fresh emulator (strict sliding window of 10 requests per second,
150 ms ± 50 ms latency, served from its own thread in this process) and starts N real OS
processes (``sys.executable -c`` running :data:`WORKER`), each with 20 concurrent tasks
calling ``crm.users.me()`` until the process's share of the cell's requests is spent.
The cell's requests are split evenly between its processes, so every cell asks the
server for the same work and lasts about the same time at the ceiling.

Two configurations:

* shared pacer: every process opens ``InsightlySession(redis=URL)`` on one redis-server
  that the benchmark starts on a free port (and stops at the end), so the fleet reserves
  its send times from one schedule;
* a pacer per process: plain ``InsightlySession()``, each at its default 9.8/s, which is
  N x 9.8/s offered to a 10/s window.

The processes open their sessions first and say they are ready; then all are told to go
at once, so interpreter start-up is not measured. "requests/s" is the calls that
succeeded over the wall time from that go to the last process's last answer; "admitted/s"
is the server's view, 200s per second between the first and last successful arrival. The
429s and "most in any 1 s" come from the emulator's request log.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Final

import attrs

from benchmarks._common import Options, Report, Table, ThreadedEmulator
from insightly_async.limits import DEFAULT_RATE
from insightly_async.testing import FakeInsightly

SUMMARY = "1-8 processes on one account: one pacer in Redis vs a pacer per process"

PROCESS_COUNTS: Final = (1, 2, 4, 8)
TASKS: Final = 20
REQUESTS: Final = 80  # per cell, split between its processes: ~8 s at the ceiling
QUICK_REQUESTS: Final = 40
LATENCY: Final = 0.150
JITTER: Final = 0.050
RATE_LIMIT: Final = 10
GOAL_RATE: Final = 9.3
START_TIMEOUT: Final = 60.0
CELL_TIMEOUT: Final = 300.0

SHARED: Final = "shared (Redis)"
PER_PROCESS: Final = "per process"

# One process of the fleet. argv: tasks, calls, Redis URL ("" for a pacer of its own).
# The key and API root come from INSIGHTLY_API_KEY / INSIGHTLY_BASE_URL. It prints
# "ready" once its session is open, waits for a line on stdin, runs, and prints one JSON
# line: calls that succeeded, failures by kind, when it finished (monotonic, shared by
# the processes of one machine) and the rate its pacer ended at.
WORKER: Final = """
import asyncio, json, sys, time
from collections import Counter
from insightly_async import InsightlyError, InsightlySession

async def main(tasks: int, calls: int, redis_url: str) -> None:
    left = calls
    ok = 0
    errors: Counter[str] = Counter()
    options = {"redis": redis_url} if redis_url else {}
    async with InsightlySession(**options) as crm:
        print("ready", flush=True)
        sys.stdin.readline()

        async def caller() -> None:
            nonlocal left, ok
            while left > 0:
                left -= 1
                try:
                    await crm.users.me()
                except InsightlyError as exc:
                    errors[type(exc).__name__] += 1
                else:
                    ok += 1

        await asyncio.gather(*(caller() for _ in range(tasks)))
        end = time.monotonic()
        rate = getattr(crm.limiter, "rate", 0.0)
    print(json.dumps({"ok": ok, "errors": errors, "end": end, "rate": rate}), flush=True)

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
"""


@attrs.frozen
class WorkerReport:
    """The JSON line a worker prints when it is done."""

    ok: int
    errors: Counter[str]
    end: float
    rate: float

    @classmethod
    def parse(cls, line: str) -> WorkerReport:
        data = json.loads(line)
        errors: Counter[str] = Counter({str(k): int(v) for k, v in data["errors"].items()})
        return cls(int(data["ok"]), errors, float(data["end"]), float(data["rate"]))


@attrs.frozen
class Cell:
    processes: int
    pacer: str
    calls: int
    completed: int
    errors: Counter[str]
    sent: int
    throttled: int
    max_window: int
    wall: float
    admitted_rate: float
    end_rates: Sequence[float]

    @property
    def rate(self) -> float:
        return self.completed / self.wall if self.wall > 0 else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of our own on a free port, no persistence; yields its URL."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("the fleet benchmark needs redis-server (`make system-deps`)")
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as workdir:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            client = redis.Redis.from_url(url)
            deadline = time.monotonic() + 20
            try:
                while True:
                    try:
                        client.ping()
                        break
                    except redis.ConnectionError:
                        if time.monotonic() > deadline or process.poll() is not None:
                            raise
                        time.sleep(0.05)
            finally:
                client.close()
            yield url
        finally:
            process.kill()
            process.wait(timeout=20)


def _flush(url: str) -> None:
    """Forget every fleet's schedule and rate, so a cell starts from a clean Redis."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _shares(calls: int, processes: int) -> list[int]:
    """``calls`` split as evenly as possible between ``processes``."""
    base, extra = divmod(calls, processes)
    return [base + (1 if i < extra else 0) for i in range(processes)]


def _run_workers(
    fake: FakeInsightly, shares: Sequence[int], redis_url: str
) -> tuple[float, list[WorkerReport]]:
    """Start one worker per share, release them together; the wall time and their reports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTLY_")}
    env["INSIGHTLY_API_KEY"] = fake.api_key
    env["INSIGHTLY_BASE_URL"] = fake.base_url
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(TASKS), str(share), redis_url],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            if worker.stdout.readline().strip() != "ready":
                _, err = worker.communicate(timeout=START_TIMEOUT)
                raise RuntimeError(f"a fleet worker did not start:\n{err}")
        go = time.monotonic()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports: list[WorkerReport] = []
        for worker in workers:
            out, err = worker.communicate(timeout=CELL_TIMEOUT)
            if worker.returncode != 0:
                raise RuntimeError(f"a fleet worker exited with {worker.returncode}:\n{err}")
            reports.append(WorkerReport.parse(out.strip().splitlines()[-1]))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=20)
    return max(report.end for report in reports) - go, reports


def measure_cell(processes: int, pacer: str, calls: int, redis_url: str, seed: int) -> Cell:
    fake = FakeInsightly(seed=seed, rate_limit=RATE_LIMIT, latency=LATENCY, jitter=JITTER)
    with ThreadedEmulator(fake):
        wall, reports = _run_workers(
            fake, _shares(calls, processes), redis_url if pacer == SHARED else ""
        )
    log = fake.log
    counts = log.status_counts()
    ok_arrivals = sorted(entry.arrival for entry in log if entry.status == 200)
    span = ok_arrivals[-1] - ok_arrivals[0] if len(ok_arrivals) > 1 else 0.0
    errors: Counter[str] = Counter()
    for report in reports:
        errors.update(report.errors)
    return Cell(
        processes=processes,
        pacer=pacer,
        calls=calls,
        completed=sum(report.ok for report in reports),
        errors=errors,
        sent=len(log),
        throttled=counts.get(429, 0),
        max_window=log.max_in_window(1.0),
        wall=wall,
        admitted_rate=(len(ok_arrivals) - 1) / span if span > 0 else 0.0,
        end_rates=[report.rate for report in reports],
    )


def _end_rates(rates: Sequence[float]) -> str:
    low, high = min(rates), max(rates)
    return f"{low:.2f}/s" if high - low < 0.005 else f"{low:.2f}-{high:.2f}/s"


def _row(cell: Cell) -> list[str]:
    failed = "; ".join(f"{count}x {kind}" for kind, count in sorted(cell.errors.items()))
    return [
        str(cell.processes),
        cell.pacer,
        f"{cell.rate:.2f}",
        str(cell.throttled),
        str(cell.max_window),
        f"{cell.admitted_rate:.2f}",
        str(cell.sent),
        f"{cell.completed}/{cell.calls}",
        f"{cell.wall:.2f}",
        _end_rates(cell.end_rates),
        failed or "-",
    ]


def _missed(cell: Cell) -> list[str]:
    """How a shared-pacer cell misses the goal (empty: met)."""
    missed = []
    if cell.throttled:
        missed.append(f"{cell.throttled} x 429")
    if cell.max_window > RATE_LIMIT:
        missed.append(f"{cell.max_window} in one second")
    if cell.rate < GOAL_RATE:
        missed.append(f"{cell.rate:.2f}/s")
    if cell.completed < cell.calls:
        missed.append(f"{cell.calls - cell.completed} calls failed")
    return missed


def run(options: Options) -> Report:
    calls = QUICK_REQUESTS if options.quick else REQUESTS
    cells: list[Cell] = []
    with redis_server() as url:
        for processes in PROCESS_COUNTS:
            for pacer in (SHARED, PER_PROCESS):
                _flush(url)
                cells.append(measure_cell(processes, pacer, calls, url, options.seed))
    table = Table(
        title=f"Fleet: {calls} calls per cell split between N processes x {TASKS} tasks, "
        f"strict {RATE_LIMIT}/s window, {LATENCY * 1000:.0f} ± {JITTER * 1000:.0f} ms latency",
        columns=[
            "processes",
            "pacer",
            "requests/s",
            "429s",
            "most in any 1 s",
            "admitted/s (server)",
            "sent",
            "completed",
            "wall s",
            "pacers end at",
            "failed calls",
        ],
        rows=[_row(cell) for cell in cells],
        notes=[
            (
                "requests/s: calls that succeeded / wall time from the go given to every "
                "process at once to the last answer; admitted/s: 200s per second between "
                "the first and last successful arrival at the server."
            ),
            (
                "sent/429s/most in any 1 s: the emulator's request log (every attempt, "
                "retries included); completed/failed calls: what the processes reported."
            ),
            (
                f"shared (Redis): InsightlySession(redis=URL) in every process, one key "
                f"for the fleet; per process: InsightlySession() at its default "
                f"{DEFAULT_RATE}/s each (a 429 halves it, then it climbs back)."
            ),
        ],
        text_columns=(1, 9, 10),
    )
    shared = [cell for cell in cells if cell.pacer == SHARED]
    misses = {cell.processes: _missed(cell) for cell in shared}
    met = not any(misses.values())
    detail = "; ".join(
        f"{n} process{'es' if n > 1 else ''}: " + (", ".join(missed) if missed else "met")
        for n, missed in misses.items()
    )
    rates = ", ".join(f"{cell.rate:.2f}" for cell in shared)
    finding = (
        f"Goal (issue 11): with the shared pacer, for every process count, 0 x 429, at most "
        f"{RATE_LIMIT} in any 1 s and >= {GOAL_RATE} requests/s: "
        f"{'met' if met else 'NOT met'} ({detail}; requests/s {rates})."
    )
    worst = max((cell for cell in cells if cell.pacer == PER_PROCESS), key=lambda c: c.max_window)
    contrast = (
        f"A pacer per process: up to {worst.max_window} in one second and "
        f"{worst.throttled} x 429 at {worst.processes} processes."
    )
    return Report(
        tables=[table],
        setup=[
            (
                f"FakeInsightly(seed={options.seed}, rate_limit={RATE_LIMIT}, "
                f"latency={LATENCY}, jitter={JITTER}) per cell, in its own thread; "
                f"N worker processes ({sys.executable} -c WORKER), each with {TASKS} "
                f"tasks calling crm.users.me() for its share of the {calls} calls; "
                f"one redis-server on a free port for the run, flushed between cells."
            ),
        ],
        findings=[finding, contrast],
        goals_met=met,
    )
