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
    (DEFAULT_RATE, 0.040),
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


RECOVERY_GOAL: Final = 5.0  # seconds from an isolated 429 back to the full rate
JITTER_GOAL: Final = 0.040  # at this jitter: no 429, and at least MIN_RATE ok/s
MIN_RATE: Final = 9.5


class _Watched(Pacer):
    """A pacer that notes when it slowed down and when it was back at full rate."""

    throttled_at: float | None = None
    recovered_at: float | None = None

    def on_throttled(self) -> None:
        super().on_throttled()
        if self.throttled_at is None:
            self.throttled_at = time.perf_counter()

    def on_success(self) -> None:
        super().on_success()
        back = self.throttled_at is not None and self.rate >= self.max_rate
        if back and self.recovered_at is None:
            self.recovered_at = time.perf_counter()


async def _recovery(fake: FakeInsightly, ids: list[int]) -> float:
    """Seconds from an isolated 429 to the pacer's full rate again (inf: not within the run)."""
    pacer = _Watched()
    work = iter(ids)
    async with InsightlySession(api_key=fake.api_key, base_url=fake.base_url, limiter=pacer) as crm:

        async def caller() -> None:
            for contact_id in work:
                await crm.contacts.get(contact_id)

        await asyncio.gather(*(caller() for _ in range(CALLERS)))
    if pacer.throttled_at is None or pacer.recovered_at is None:
        return float("inf")
    return pacer.recovered_at - pacer.throttled_at


def measure_recovery(n: int, seed: int) -> float:
    fake = FakeInsightly(seed=seed, rate_limit=RATE_LIMIT, latency=LATENCY, jitter=JITTER)
    ids = fake.seed({"contacts": n})["contacts"]
    # One 429 out of the blue, a few seconds in (another tenant's burst, say).
    fake.faults.add("status", status=429, method="GET", path="/Contacts/*", times=1, rate=0.05)
    with ThreadedEmulator(fake):
        return asyncio.run(_recovery(fake, ids))


def run(options: Options) -> Report:
    n = QUICK_REQUESTS if options.quick else REQUESTS
    cases = QUICK_CASES if options.quick else CASES
    outcomes = [measure_case(rate, jitter, n, options.seed) for rate, jitter in cases]
    recovery = measure_recovery(n, options.seed)
    at_goal = [o for o in outcomes if o.rate == DEFAULT_RATE and o.jitter == JITTER_GOAL]
    jitter_met = bool(at_goal) and all(
        o.throttled == 0 and o.ok / o.wall >= MIN_RATE for o in at_goal
    )
    recovery_met = recovery <= RECOVERY_GOAL
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
                "A 429 halves the pacer's rate, which climbs back 1/s every half second: "
                "an isolated 429 costs a retry and about two seconds at a lower rate."
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
                f"Goal: with {JITTER_GOAL * 1000:.0f} ms of jitter between the pacer and the "
                f"socket, the default pacer has no 429 and at least {MIN_RATE} ok/s: "
                + ("met" if jitter_met else "MISSED")
                + " (the pacer counts requests when they are written, not when released)."
            ),
            (
                f"Goal: full rate again within {RECOVERY_GOAL:.0f} s of an isolated 429: "
                + ("met" if recovery_met else "MISSED")
                + f" ({recovery:.1f} s)."
            ),
        ],
        goals_met=jitter_met and recovery_met,
    )
