"""Pacing (issue 3): successful requests per second at the 10/s ceiling, and 429s.

Each strategy gets a fresh emulator (strict sliding window of 10 requests per second,
150 ms ± 50 ms latency, served from its own thread) and sends the same number of GETs:

* ``InsightlySession`` with its defaults, 100 concurrent callers sharing the work
  (``crm.contacts.get(id)``); it retries 429s, so the table shows both the 429s the server
  sent and how many calls completed;
* a sequential pager: one ``GET /Contacts?skip=&top=`` at a time with plain aiohttp and
  no limiter (what Airbyte's connector does);
* naive: ``aiolimiter.AsyncLimiter(10, 1)`` around ``asyncio.gather`` of plain aiohttp
  GETs, no retries.

The counts come from the emulator's request log (what the server saw); "ok/s" is the 200s
over the client's wall time, first request to last answer.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Final

import aiohttp
import attrs
from aiolimiter import AsyncLimiter

from benchmarks._common import Options, Report, Table, ThreadedEmulator, basic_auth
from insightly_async import InsightlyError, InsightlySession
from insightly_async.testing import FakeInsightly

SUMMARY = "requests/s and 429s at the 10/s ceiling: InsightlySession vs sequential vs naive"

REQUESTS: Final = 150
QUICK_REQUESTS: Final = 50
CALLERS: Final = 100
LATENCY: Final = 0.150
JITTER: Final = 0.050
RATE_LIMIT: Final = 10
PAGE_SIZE: Final = 10  # the sequential pager's page: small, so its answers stay light
GOAL_RATE: Final = 9.5


@attrs.frozen
class ClientSide:
    """What the client saw: wall time, calls completed, errors by kind."""

    wall: float
    completed: int
    errors: Counter[str]
    note: str = ""


@attrs.frozen
class Row:
    strategy: str
    sent: int
    ok: int
    throttled: int
    max_window: int
    server_rate: float
    client: ClientSide

    @property
    def ok_per_second(self) -> float:
        return self.ok / self.client.wall if self.client.wall > 0 else 0.0


Strategy = Callable[[FakeInsightly, Sequence[int], int], Coroutine[Any, Any, ClientSide]]


async def ours(fake: FakeInsightly, ids: Sequence[int], n: int) -> ClientSide:
    """InsightlySession defaults; CALLERS tasks pull ids from one shared iterator."""
    work = iter(ids[:n])
    completed = 0
    errors: Counter[str] = Counter()
    async with InsightlySession(api_key=fake.api_key, base_url=fake.base_url) as crm:

        async def caller() -> None:
            nonlocal completed
            for contact_id in work:
                try:
                    await crm.contacts.get(contact_id)
                except InsightlyError as exc:
                    errors[type(exc).__name__] += 1
                else:
                    completed += 1

        start = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(CALLERS)))
        wall = time.perf_counter() - start
        note = f"pacer ends at {crm.limiter.rate:.2f}/s"  # type: ignore[attr-defined]
    return ClientSide(wall, completed, errors, note)


async def sequential(fake: FakeInsightly, ids: Sequence[int], n: int) -> ClientSide:
    """One page at a time, no limiter, no retries."""
    completed = 0
    errors: Counter[str] = Counter()
    headers = {"Authorization": basic_auth(fake.api_key)}
    url = fake.url("/Contacts")
    async with aiohttp.ClientSession(headers=headers) as http:
        start = time.perf_counter()
        for page in range(n):
            params = {"skip": str(page * PAGE_SIZE), "top": str(PAGE_SIZE)}
            async with http.get(url, params=params) as resp:
                await resp.read()
                if resp.status == 200:
                    completed += 1
                else:
                    errors[f"HTTP {resp.status}"] += 1
        wall = time.perf_counter() - start
    return ClientSide(wall, completed, errors, f"pages of {PAGE_SIZE}")


async def naive(fake: FakeInsightly, ids: Sequence[int], n: int) -> ClientSide:
    """``AsyncLimiter(10, 1)`` + ``gather``, no retries."""
    completed = 0
    errors: Counter[str] = Counter()
    limiter = AsyncLimiter(RATE_LIMIT, 1)
    headers = {"Authorization": basic_auth(fake.api_key)}
    async with aiohttp.ClientSession(headers=headers) as http:

        async def get(contact_id: int) -> None:
            nonlocal completed
            async with limiter, http.get(fake.url(f"/Contacts/{contact_id}")) as resp:
                await resp.read()
                if resp.status == 200:
                    completed += 1
                else:
                    errors[f"HTTP {resp.status}"] += 1

        start = time.perf_counter()
        await asyncio.gather(*(get(contact_id) for contact_id in ids[:n]))
        wall = time.perf_counter() - start
    return ClientSide(wall, completed, errors, "failed calls are lost")


STRATEGIES: Final[dict[str, Strategy]] = {
    "InsightlySession (defaults, 100 callers)": ours,
    "sequential pager (plain aiohttp)": sequential,
    "naive AsyncLimiter(10, 1) + gather": naive,
}


def measure_strategy(name: str, strategy: Strategy, n: int, seed: int) -> Row:
    """Run one strategy against a fresh emulator; combine the server's and client's view."""
    fake = FakeInsightly(seed=seed, rate_limit=RATE_LIMIT, latency=LATENCY, jitter=JITTER)
    ids = fake.seed({"contacts": n * PAGE_SIZE})["contacts"]
    with ThreadedEmulator(fake):
        client = asyncio.run(strategy(fake, ids, n))
    log = fake.log
    counts = log.status_counts()
    ok_arrivals = sorted(entry.arrival for entry in log if entry.status == 200)
    span = ok_arrivals[-1] - ok_arrivals[0] if len(ok_arrivals) > 1 else 0.0
    return Row(
        strategy=name,
        sent=len(log),
        ok=counts.get(200, 0),
        throttled=counts.get(429, 0),
        max_window=log.max_in_window(1.0),
        server_rate=(len(ok_arrivals) - 1) / span if span > 0 else 0.0,
        client=client,
    )


def run(options: Options) -> Report:
    n = QUICK_REQUESTS if options.quick else REQUESTS
    rows = [
        measure_strategy(name, strategy, n, options.seed) for name, strategy in STRATEGIES.items()
    ]
    table = Table(
        title=f"Pacing: {n} GETs per strategy, strict {RATE_LIMIT}/s window, "
        f"{LATENCY * 1000:.0f} ± {JITTER * 1000:.0f} ms latency",
        columns=[
            "strategy",
            "sent",
            "200",
            "429",
            "max in 1 s",
            "ok/s (wall)",
            "ok/s (server)",
            "wall s",
            "completed",
            "note",
        ],
        rows=[
            [
                row.strategy,
                str(row.sent),
                str(row.ok),
                str(row.throttled),
                str(row.max_window),
                f"{row.ok_per_second:.2f}",
                f"{row.server_rate:.2f}",
                f"{row.client.wall:.2f}",
                f"{row.client.completed}/{n}",
                "; ".join(
                    [row.client.note]
                    + [f"{count}x {kind}" for kind, count in sorted(row.client.errors.items())]
                ),
            ]
            for row in rows
        ],
        notes=[
            "sent/200/429/max in 1 s: the emulator's request log (arrival times, server side).",
            (
                "ok/s (wall): 200s / client wall time (first request to last answer); "
                "ok/s (server): 200s per second between the first and last successful arrival."
            ),
        ],
        text_columns=(0, 9),
    )
    ours_row = rows[0]
    met = ours_row.ok_per_second >= GOAL_RATE and ours_row.throttled == 0
    finding = (
        f"Goal (issue 3): InsightlySession >= {GOAL_RATE} ok/s with zero 429s: "
        f"{'met' if met else 'NOT met'} ({ours_row.ok_per_second:.2f} ok/s, "
        f"{ours_row.throttled} x 429, max {ours_row.max_window} in any 1 s window)."
    )
    return Report(
        tables=[table],
        setup=[
            (
                f"FakeInsightly(seed={options.seed}, rate_limit={RATE_LIMIT}, "
                f"latency={LATENCY}, jitter={JITTER}) per strategy, in its own thread; "
                f"{n * PAGE_SIZE} seeded contacts."
            ),
        ],
        findings=[finding],
        goals_met=met,
    )
