"""CPU (issue 12): streaming contacts through the SDK against plain aiohttp + ``json.loads``.

The same pages, ``GET /Contacts?skip=…&top=500`` until a short page, are streamed three
ways in one process:

* baseline: a plain ``aiohttp.ClientSession``, ``json.loads(await resp.read())``, each
  record of the list visited;
* models: ``async for contact in crm.contacts.list(page_size=500)``;
* raw: ``async for record in crm.contacts.list(page_size=500, raw=True)``;

with an ``InsightlySession(rate=10_000)``, whose pacer never holds a request back. The
figure is the client's CPU, ``time.process_time()`` around each stream: the emulator
(no rate limit, no latency) runs in a process of its own, so its CPU is not counted.

A warm-up round comes first (connections opened, hooks generated), then paired rounds,
each running the three streams in an order rotated from one round to the next; the ratio
of each SDK stream to the baseline of the same round, and its median over the rounds, is
what the goals are about.

    python -m benchmarks cpu [--quick] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Final

import aiohttp
import attrs

from benchmarks._common import (
    Options,
    Report,
    Table,
    basic_auth,
    emulator_process,
    serve_until_stdin_closes,
)
from insightly_async import InsightlySession

SUMMARY = "process CPU of streaming 50,000 contacts: models and raw vs aiohttp + json.loads"

PAGE: Final = 500
CONTACTS: Final = 50_000
QUICK_CONTACTS: Final = 10_000
ROUNDS: Final = 5

BASELINE: Final = "aiohttp + json.loads"
MODELS: Final = "SDK, models"
RAW: Final = "SDK, raw=True"
STREAMS: Final = (BASELINE, MODELS, RAW)
#: The most each SDK stream may cost, as a multiple of the baseline's CPU (median ratio).
GOALS: Final = {MODELS: 1.5, RAW: 1.05}


def _serve(count: int, seed: int) -> None:
    """Child process: an emulator with ``count`` contacts, unpaced, until stdin closes."""
    from insightly_async.testing import FakeInsightly

    serve_until_stdin_closes(
        lambda: FakeInsightly(seed=seed, rate_limit=None, daily_limit=10**9), count
    )


@attrs.frozen
class Stream:
    """One stream: records seen, the client's CPU and wall time in seconds, and how many
    full (generation 2) garbage collections ran during it."""

    records: int
    cpu: float
    wall: float
    full_collections: int


async def _timed(stream: Callable[[], Awaitable[int]]) -> Stream:
    full = 0

    def count(phase: str, info: dict[str, int]) -> None:
        nonlocal full
        if phase == "start" and info["generation"] == 2:
            full += 1

    gc.collect()
    gc.callbacks.append(count)
    try:
        cpu0 = time.process_time()
        wall0 = time.perf_counter()
        records = await stream()
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
    finally:
        gc.callbacks.remove(count)
    return Stream(records, cpu, wall, full)


async def _rounds(base_url: str, api_key: str, rounds: int) -> list[dict[str, Stream]]:
    url = f"{base_url}/Contacts"

    async def baseline() -> int:
        records = 0
        skip = 0
        while True:
            params = {"skip": str(skip), "top": str(PAGE)}
            async with http.get(url, params=params) as resp:
                resp.raise_for_status()
                items = json.loads(await resp.read())
            for _ in items:
                records += 1
            if len(items) < PAGE:
                return records
            skip += PAGE

    async def models() -> int:
        records = 0
        async for _ in crm.contacts.list(page_size=PAGE):
            records += 1
        return records

    async def raw() -> int:
        records = 0
        async for _ in crm.contacts.list(page_size=PAGE, raw=True):
            records += 1
        return records

    streams: dict[str, Callable[[], Awaitable[int]]] = {
        BASELINE: baseline,
        MODELS: models,
        RAW: raw,
    }
    results: list[dict[str, Stream]] = []
    async with (
        aiohttp.ClientSession(headers={"Authorization": basic_auth(api_key)}) as http,
        InsightlySession(api_key, base_url=base_url, rate=10_000) as crm,
    ):
        for name in STREAMS:  # warm-up: connections, generated hooks, caches
            await streams[name]()
        for index in range(rounds):
            order = STREAMS[index % len(STREAMS) :] + STREAMS[: index % len(STREAMS)]
            results.append({name: await _timed(streams[name]) for name in order})
    return results


def measure(count: int, seed: int, rounds: int = ROUNDS) -> list[dict[str, Stream]]:
    """The streams of each round, against an emulator in a child process."""
    with emulator_process("benchmarks.bench_cpu", str(count), "--seed", str(seed)) as served:
        results = asyncio.run(_rounds(served.base_url, served.api_key, rounds))
    for streams in results:
        for name, stream in streams.items():
            if stream.records != count:
                raise RuntimeError(f"{name} saw {stream.records:,} records, not {count:,}")
    return results


def ratios(results: list[dict[str, Stream]], name: str) -> list[float]:
    """The CPU of stream ``name`` over the baseline's, round by round."""
    return [streams[name].cpu / streams[BASELINE].cpu for streams in results]


def run(options: Options) -> Report:
    count = QUICK_CONTACTS if options.quick else CONTACTS
    results = measure(count, options.seed)
    pages = count // PAGE + 1

    def cell(stream: Stream) -> str:
        return f"{stream.cpu:.2f} s"

    rows = []
    for index, streams in enumerate(results):
        order = STREAMS[index % len(STREAMS) :] + STREAMS[: index % len(STREAMS)]
        base = streams[BASELINE].cpu
        rows.append(
            [
                str(index + 1),
                " > ".join(name.removeprefix("SDK, ") for name in order),
                *(cell(streams[name]) for name in STREAMS),
                f"{streams[MODELS].cpu / base:.2f}x",
                f"{streams[RAW].cpu / base:.2f}x",
            ]
        )
    medians = {name: statistics.median(ratios(results, name)) for name in GOALS}
    base_cpu = statistics.median(streams[BASELINE].cpu for streams in results)
    rows.append(
        [
            "median",
            "",
            *(
                f"{statistics.median(streams[name].cpu for streams in results):.2f} s"
                for name in STREAMS
            ),
            f"{medians[MODELS]:.2f}x",
            f"{medians[RAW]:.2f}x",
        ]
    )
    table = Table(
        title=f"CPU of streaming {count:,} contacts ({pages} GETs of up to {PAGE}), "
        f"{len(results)} paired rounds",
        columns=["round", "order", *(f"{name} CPU" for name in STREAMS), "models", "raw"],
        rows=rows,
        text_columns=(0, 1),
        notes=[
            (
                "CPU: time.process_time() of the client process around each whole stream; the "
                "emulator serves from a process of its own. Ratios: each SDK stream over the "
                "baseline of its round; the last row holds the medians."
            ),
        ],
    )
    findings = []
    met = True
    for name, goal in GOALS.items():
        ok = medians[name] <= goal
        spread = ratios(results, name)
        figures = f"median {medians[name]:.2f}x, rounds {min(spread):.2f}-{max(spread):.2f}x"
        if options.quick:
            # The goals are for the stream of 50,000 contacts: a short stream
            # weighs one more full garbage collection (tens of ms) far more heavily.
            verdict = f"not judged with --quick, {count:,} contacts ({figures})"
        else:
            met = met and ok
            verdict = f"{'met' if ok else 'NOT met'} ({figures})"
        findings.append(
            f"Goal (issue 12): {name} at most {goal:.2f}x the CPU of {BASELINE}: {verdict}."
        )
    per_page = base_cpu / pages * 1000
    findings.append(
        f"{BASELINE}: {base_cpu:.2f} s CPU for {count:,} records, {per_page:.1f} ms per page."
    )
    collections = ", ".join(
        f"{name} {statistics.median(streams[name].full_collections for streams in results):g}"
        for name in STREAMS
    )
    findings.append(
        f"Full garbage collections per stream (median): {collections}; a model per record "
        "is one more object to track per record, and so more collections."
    )
    return Report(
        tables=[table],
        setup=[
            (
                f"Emulator: FakeInsightly(seed={options.seed}, rate_limit=None), no latency, "
                f"{count:,} contacts, in a child process."
            ),
            (
                "SDK: InsightlySession(rate=10_000), crm.contacts.list(page_size=500[, raw=True]); "
                "baseline: aiohttp.ClientSession, json.loads(await resp.read())."
            ),
        ],
        findings=findings,
        goals_met=met,
    )


def main() -> None:
    """``--serve N``: the emulator's child process (``python -m benchmarks cpu`` runs it)."""
    parser = argparse.ArgumentParser(description=SUMMARY)
    parser.add_argument("--serve", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _serve(args.serve, args.seed)


if __name__ == "__main__":
    main()
