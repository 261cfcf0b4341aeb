"""Pacing margin: how much network jitter the pacer absorbs before the server sees a 429.

The emulator's ``latency``/``jitter`` delay the *answer*; a request's arrival, which the
server's window counts, is not moved by them. On a real network the trip to the server
varies too, and requests paced ``1/rate`` apart can arrive closer together: 11 arrivals
fit in one second as soon as the one-way delay varies by more than ``10/rate - 1`` s
(about 20 ms at 9.8/s, 42 ms at 9.6/s).

This benchmark adds that variation on the client: an aiohttp trace hook sleeps a uniform
0…J before each request is sent (after the pacer has let it go), and ``InsightlySession``
(100 callers, ``crm.contacts.get``) runs against the strict 10/s emulator with the same
150 ± 50 ms server latency as ``pacing``. "min span of 11" is the shortest time the server
saw between a request and the tenth after it: below 1000 ms, the window overflows.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from typing import Any, Final

import aiohttp
import attrs

from benchmarks._common import Options, Report, Table, ThreadedEmulator
from insightly_async import InsightlyError, InsightlySession
from insightly_async.limits import DEFAULT_RATE, Pacer
from insightly_async.testing import FakeInsightly

SUMMARY = "arrival jitter the default pacer absorbs at 10/s (vs a slower rate)"

REQUESTS: Final = 100
QUICK_REQUESTS: Final = 50
CALLERS: Final = 100
LATENCY: Final = 0.150
JITTER: Final = 0.050
RATE_LIMIT: Final = 10
ALTERNATIVE_RATE: Final = 9.6

# (pacer rate, one-way jitter in seconds)
CASES: Final = (
    (DEFAULT_RATE, 0.0),
    (DEFAULT_RATE, 0.020),
    (DEFAULT_RATE, 0.040),
    (DEFAULT_RATE, 0.060),
    (ALTERNATIVE_RATE, 0.040),
)
QUICK_CASES: Final = (
    (DEFAULT_RATE, 0.0),
    (DEFAULT_RATE, 0.060),
    (ALTERNATIVE_RATE, 0.040),
)


@attrs.frozen
class Outcome:
    rate: float
    jitter: float
    sent: int
    ok: int
    throttled: int
    max_window: int
    min_span: float
    wall: float
    end_rate: float
    errors: Counter[str]


def _trace(jitter: float, rng: random.Random) -> aiohttp.TraceConfig:
    async def delay(*_: Any) -> None:
        if jitter:
            await asyncio.sleep(rng.uniform(0.0, jitter))

    config = aiohttp.TraceConfig()
    config.on_request_start.append(delay)
    return config


async def _client(
    fake: FakeInsightly, ids: list[int], rate: float, jitter: float, seed: int
) -> tuple[float, float, Counter[str]]:
    work = iter(ids)
    errors: Counter[str] = Counter()
    trace = _trace(jitter, random.Random(f"jitter:{seed}"))
    pacer = Pacer(rate)
    async with (
        aiohttp.ClientSession(trace_configs=[trace]) as http,
        InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, session=http, limiter=pacer
        ) as crm,
    ):

        async def caller() -> None:
            for contact_id in work:
                try:
                    await crm.contacts.get(contact_id)
                except InsightlyError as exc:
                    errors[type(exc).__name__] += 1

        start = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(CALLERS)))
        wall = time.perf_counter() - start
    return wall, pacer.rate, errors


def measure_case(rate: float, jitter: float, n: int, seed: int) -> Outcome:
    fake = FakeInsightly(seed=seed, rate_limit=RATE_LIMIT, latency=LATENCY, jitter=JITTER)
    ids = fake.seed({"contacts": n})["contacts"]
    with ThreadedEmulator(fake):
        wall, end_rate, errors = asyncio.run(_client(fake, ids, rate, jitter, seed))
    counts = fake.log.status_counts()
    arrivals = sorted(entry.arrival for entry in fake.log)
    spans = [arrivals[i + RATE_LIMIT] - arrivals[i] for i in range(len(arrivals) - RATE_LIMIT)]
    return Outcome(
        rate=rate,
        jitter=jitter,
        sent=len(arrivals),
        ok=counts.get(200, 0),
        throttled=counts.get(429, 0),
        max_window=fake.log.max_in_window(1.0),
        min_span=min(spans, default=float("nan")),
        wall=wall,
        end_rate=end_rate,
        errors=errors,
    )


def run(options: Options) -> Report:
    n = QUICK_REQUESTS if options.quick else REQUESTS
    cases = QUICK_CASES if options.quick else CASES
    outcomes = [measure_case(rate, jitter, n, options.seed) for rate, jitter in cases]
    table = Table(
        title=f"Pacing margin: {n} GETs per row, strict {RATE_LIMIT}/s window, "
        "uniform 0…J one-way delay before each request",
        columns=[
            "pacer",
            "J ms",
            "sent",
            "200",
            "429",
            "max in 1 s",
            "min span of 11 (ms)",
            "ok/s (wall)",
            "pacer ends at",
        ],
        rows=[
            [
                f"Pacer({o.rate})" + (" (default)" if o.rate == DEFAULT_RATE else ""),
                f"{o.jitter * 1000:.0f}",
                str(o.sent),
                str(o.ok),
                str(o.throttled),
                str(o.max_window),
                f"{o.min_span * 1000:.0f}",
                f"{o.ok / o.wall:.2f}",
                f"{o.end_rate:.2f}/s",
            ]
            for o in outcomes
        ],
        notes=[
            (
                "A 429 halves the pacer's rate (then +0.5/s per second), so one 429 costs "
                "seconds of throughput, not just a retry."
            ),
        ],
    )
    return Report(
        tables=[table],
        setup=[
            (
                f"InsightlySession(limiter=Pacer(rate)), {CALLERS} callers, FakeInsightly("
                f"seed={options.seed}, rate_limit={RATE_LIMIT}, latency={LATENCY}, "
                f"jitter={JITTER}) in its own thread, one fresh emulator per row."
            ),
        ],
        findings=[
            (
                f"Tolerated one-way jitter ~ 10/rate - 1 s: {10 / DEFAULT_RATE - 1:.3f} s at "
                f"the default {DEFAULT_RATE}/s, {10 / ALTERNATIVE_RATE - 1:.3f} s at "
                f"{ALTERNATIVE_RATE}/s (plus ~1 ms/request of timer lateness, which helps)."
            ),
        ],
    )
