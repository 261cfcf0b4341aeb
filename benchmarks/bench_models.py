"""Models (issue 4): the CPU cost of turning a 500-record page into models.

The page is the emulator's own answer to ``GET /Contacts?top=500`` (realistic contacts:
every schema field, custom fields, tags, dates), fetched once. Each variant then runs on
those bytes, repeatedly; the table shows medians. One request slot at the 10/s ceiling
lasts 100 ms: decoding and building models for a page must cost well under that, or the
client, not the server, becomes the bottleneck of an export.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Callable
from typing import Any, Final

import aiohttp

from benchmarks._common import Options, Report, Table, Timing, basic_auth, measure
from insightly_async._sansio import loads as sdk_loads
from insightly_async.models import Contact, model_fields, structure, structure_many
from insightly_async.testing import FakeInsightly

SUMMARY = "CPU per 500-record page: json.loads, raw passthrough, Contact models"

PAGE: Final = 500
REPEATS: Final = 40
QUICK_REPEATS: Final = 10
SLOT_MS: Final = 100.0  # one request slot at 10 requests per second
GOAL_MS: Final = 50.0  # "well under" the slot: half of it


async def fetch_page(seed: int) -> bytes:
    """The emulator's bytes for ``GET /Contacts?top=500``."""
    async with FakeInsightly(seed=seed, rate_limit=None) as fake:
        fake.seed({"contacts": PAGE})
        headers = {"Authorization": basic_auth(fake.api_key)}
        async with (
            aiohttp.ClientSession(headers=headers) as http,
            http.get(fake.url("/Contacts"), params={"top": str(PAGE)}) as resp,
        ):
            resp.raise_for_status()
            return await resp.read()


def _identity(value: Any) -> Any:
    return value


def variants(body: bytes) -> list[tuple[str, Callable[[], object], Callable[[], None] | None]]:
    """(name, operation, preparation) for each way of reading the page."""
    decoded: list[Any] = []

    def decode_fresh() -> None:
        decoded[:] = [json.loads(body)]

    def loads() -> object:
        return json.loads(body)

    def raw() -> object:
        # What the paginator does with raw=True: decode, then pass each dict through.
        return [_identity(item) for item in sdk_loads(body)]

    def models() -> object:
        return structure_many(Contact, json.loads(body))

    def models_per_record() -> object:
        # What the paginator does without raw: structure() on each record of the page.
        return [structure(Contact, item) for item in json.loads(body)]

    def models_only() -> object:
        return structure_many(Contact, decoded[0])

    names = [f.name for f in model_fields(Contact)]

    def models_used() -> object:
        # Sub-records are built on first use: here every field of every record is used.
        contacts = structure_many(Contact, decoded[0])
        for contact in contacts:
            for name in names:
                getattr(contact, name)
        return contacts

    def sdk_decode() -> object:
        return sdk_loads(body)

    def sdk_models() -> object:
        return [structure(Contact, item) for item in sdk_loads(body)]

    return [
        ("json.loads", loads, None),
        ("the SDK's decoding (orjson)", sdk_decode, None),
        ("raw passthrough (raw=True): the SDK's decoding", raw, None),
        ("json.loads + structure_many(Contact)", models, None),
        ("json.loads + structure() per record", models_per_record, None),
        ("the SDK's decoding + structure() per record", sdk_models, None),
        ("structure_many(Contact) alone", models_only, decode_fresh),
        ("structure_many(Contact) alone, every field used", models_used, decode_fresh),
    ]


def run(options: Options) -> Report:
    body = asyncio.run(fetch_page(options.seed))
    records = len(json.loads(body))
    repeats = QUICK_REPEATS if options.quick else REPEATS
    results: list[tuple[str, Timing]] = []
    for name, operation, prepare in variants(body):
        gc.collect()
        results.append((name, measure(operation, repeats=repeats, warmup=5, prepare=prepare)))

    def row(name: str, timing: Timing) -> list[str]:
        return [
            name,
            f"{records / timing.wall:,.0f}",
            f"{timing.cpu * 1000:.1f}",
            f"{timing.wall * 1000:.1f}",
            f"{timing.cpu * 1000 / SLOT_MS:.0%}",
        ]

    table = Table(
        title=f"Models: one {records}-record contacts page ({len(body) / 1024:,.0f} KiB), "
        f"median of {repeats} runs",
        columns=["variant", "records/s", "CPU ms/page", "wall ms/page", "of a 100 ms slot"],
        rows=[row(name, timing) for name, timing in results],
        notes=[
            "CPU: time.process_time(); wall: time.perf_counter(); medians after 5 warm-up runs.",
            "'structure_many(Contact) alone' decodes outside the timed part: model building only.",
            (
                "Sub-records (custom fields, tags…) are checked with the record and built when "
                "first used: 'every field used' includes building them."
            ),
        ],
    )
    by_name = dict(results)
    full = by_name["json.loads + structure_many(Contact)"]
    building = by_name["structure_many(Contact) alone"]
    met = full.cpu * 1000 < GOAL_MS
    findings = [
        (
            f"Goal (issue 4): decoding + models for a {records}-record page well under one "
            f"{SLOT_MS:.0f} ms request slot (< {GOAL_MS:.0f} ms CPU): "
            f"{'met' if met else 'NOT met'} ({full.cpu * 1000:.1f} ms CPU, of which model "
            f"building {building.cpu * 1000:.1f} ms)."
        ),
        (
            f"At 10 pages of {records} per second (the ceiling), models cost "
            f"{full.cpu * 10:.0%} of one core."
        ),
    ]
    return Report(
        tables=[table],
        setup=[
            f"Page: the emulator's GET /Contacts?top={PAGE} (FakeInsightly(seed={options.seed})).",
        ],
        findings=findings,
        goals_met=met,
    )
