"""The fault matrix: every kind of trouble the API causes, under every kind of job.

The rows are the weather the emulator plays: 503s, connections dropped before a request is
applied and after it was (the answer lost), truncated JSON answers, HTML 502 pages from a
gateway, 429 storms from the per-second window (with and without ``Retry-After``), and the
daily allowance spent in the middle of the job. Injected faults strike a seeded quarter of
the matching requests, so retries really happen; every cell checks that they struck.

The columns are the jobs users run:

- an export (``insightly-async export --types contacts,leads``, resumed with ``--resume``
  after any stop) whose files are compared byte for byte with the records the emulator
  serves;
- a backfill (``insightly-async backfill contacts FILE --match-on EMAIL_ADDRESS``, rerun
  until it exits 0) whose every line must name exactly one record holding its values:
  new records, records matched by e-mail address, and records named by id;
- a service: concurrent tasks on one ``InsightlySession`` reading, renaming their own
  records and incrementing shared counters with ``modify`` while another writer edits the
  same records, where no increment may be lost or applied twice and every failure must be
  an ``InsightlyError`` that tells the truth about whether its write may have been applied.

Each cell keeps a tally of missed, duplicated and corrupted records (and, for the service,
of untyped errors and of errors that misreport their outcome); every count must be 0.

The storms run on a real one-second window of 10, and the client starts four times faster
than that (as if the account's ceiling were lower than it thinks: it has to slow itself
down on the 429s). The other rows run without a window and with fast pacing: they are
about outcomes, not pacing. The CLI runs in-process (``CliRunner``) against an emulator on
a thread of its own.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import attrs
import pytest
from backfill_support import contacts, person, run, write_jsonl
from click.testing import CliRunner
from export_support import ThreadedFake

from insightly_async import (
    APIConnectionError,
    APIStatusError,
    ConflictError,
    Contact,
    InsightlyError,
    InsightlySession,
    QuotaExhaustedError,
    RateLimitError,
)
from insightly_async._sansio import Backoff
from insightly_async.cli import EXIT_FAILURE, EXIT_OK, EXIT_QUOTA, cli
from insightly_async.testing import FakeInsightly
from insightly_async.testing._faults import FaultKind

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)  # each cell's tally: -o log_cli=true --log-cli-level=INFO

FAULT_RATE = 0.25  # of the matching requests, drawn from the emulator's seeded generator
MAX_RUNS = 8  # a job that needs more runs than this has not converged
FAST = 1000.0  # requests per second when the emulator has no window
WINDOW = 10  # the emulator's per-second window in the storms
STORM = 4.0 * WINDOW  # where the client starts in a storm


@attrs.frozen
class Weather:
    """One row of the matrix: what goes wrong, as the emulator plays it."""

    name: str
    kind: FaultKind | None = None
    status: int | None = None
    storm: bool = False
    retry_after: Literal["auto"] | None = None
    quota: bool = False

    def emulator(self) -> dict[str, Any]:
        """The emulator's options for this weather."""
        if self.storm:
            return {"rate_limit": WINDOW, "retry_after": self.retry_after}
        return {"rate_limit": None}

    @property
    def client_rate(self) -> float:
        return STORM if self.storm else FAST

    def begin(self, fake: FakeInsightly, path: str, allowance: int) -> Callable[[], int]:
        """Let it strike requests to ``path``; a gauge of how often it did.

        The quota row leaves ``allowance`` calls of the day, which the job spends before it
        is stopped; counting the stops is the job's.
        """
        if self.kind is not None:
            fault = fake.faults.add(self.kind, path=path, rate=FAULT_RATE, status=self.status)
            return lambda: fault.hits
        if self.storm:
            return lambda: fake.log.status_counts()[429]
        fake.set_remaining(allowance)
        return lambda: 0

    def __str__(self) -> str:
        return self.name


WEATHER = [
    Weather("503", kind="status", status=503),
    Weather("drop_before", kind="drop_before"),
    Weather("drop_after", kind="drop_after"),
    Weather("malformed_json", kind="malformed_json"),
    Weather("html_502", kind="html_error", status=502),
    Weather("429_storm", storm=True),
    Weather("429_storm_retry_after", storm=True, retry_after="auto"),
    Weather("quota_spent", quota=True),
]
ROWS = [
    pytest.param(weather, id=weather.name, marks=[pytest.mark.realtime] if weather.storm else [])
    for weather in WEATHER
]


@attrs.define
class Tally:
    """What a cell got wrong. Every count must stay 0."""

    missed: int = 0
    duplicated: int = 0
    corrupted: int = 0
    untyped: int = 0  # a failure that is no InsightlyError
    misreported: int = 0  # a failure that is wrong about whether its write was applied

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            *(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True))
        )


def a_day_later(served: ThreadedFake) -> None:
    """The rolling daily allowance has come back."""
    fake = served.fake
    served.call(lambda: fake.set_remaining(fake.options.daily_limit))


# --- export ---------------------------------------------------------------------------------

ID_FIELDS = {"contacts": "CONTACT_ID", "leads": "LEAD_ID"}
# Records of each type, read in pages of 500. A storm needs more requests than the window
# admits in a second, so its export is larger.
EXPORTED = {False: {"contacts": 2600, "leads": 1100}, True: {"contacts": 6000, "leads": 1100}}


def wire_line(record: dict[str, Any]) -> bytes:
    """A record as the API serves it (compact UTF-8 JSON, its keys in their order), which
    is how an export writes it: one line."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def tally_export(path: Path, served: Iterable[dict[str, Any]], id_field: str) -> Tally:
    """An export file against the records the emulator serves."""
    expected = {record[id_field]: wire_line(record) for record in served}
    tally = Tally()
    seen: Counter[Any] = Counter()
    for line in path.read_bytes().splitlines(keepends=True):
        try:
            record_id = json.loads(line)[id_field]
        except (ValueError, KeyError, TypeError):
            tally.corrupted += 1
            continue
        seen[record_id] += 1
        if seen[record_id] > 1:
            tally.duplicated += 1
        elif expected.get(record_id) != line:
            tally.corrupted += 1
    tally.missed = sum(1 for record_id in expected if record_id not in seen)
    return tally


@pytest.mark.parametrize("weather", ROWS)
def test_export(weather: Weather, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("insightly_async.session.DEFAULT_RATE", weather.client_rate)
    out = tmp_path / "export"
    exported = EXPORTED[weather.storm]
    args = ["export", "--out", str(out), "--types", ",".join(exported), "--no-progress"]
    with ThreadedFake(seed=101, **weather.emulator()) as served:
        fake = served.fake
        served.call(lambda: fake.seed(exported))
        gauge = served.call(lambda: weather.begin(fake, "*", allowance=5))
        codes: list[int] = []
        while len(codes) < MAX_RUNS:
            result = CliRunner().invoke(
                cli,
                [*args, "--resume"] if codes else args,
                env=served.env(),
                catch_exceptions=False,
            )
            codes.append(result.exit_code)
            if result.exit_code == EXIT_OK:
                break
            assert result.exit_code in (EXIT_FAILURE, EXIT_QUOTA), result.output
            if result.exit_code == EXIT_QUOTA:
                assert "rerun with --resume" in result.stderr
                a_day_later(served)
        assert codes[-1] == EXIT_OK, codes
        tally = Tally()
        for name, count in exported.items():
            stored = served.call(functools.partial(fake.store.records, name))
            assert len(stored) == count
            tally += tally_export(out / f"{name}.jsonl", stored, ID_FIELDS[name])
        struck = codes.count(EXIT_QUOTA) if weather.quota else served.call(gauge)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["state"] == "complete"
    counts = {name: entry["count"] for name, entry in manifest["types"].items()}
    assert counts == exported
    log.info("export x %s: struck %d, exit codes %s, %s", weather, struck, codes, tally)
    assert struck > 0, f"{weather} never struck the export"
    assert tally == Tally(), f"export x {weather}: {tally} (exit codes {codes})"


# --- backfill -------------------------------------------------------------------------------

NEW = 16  # lines that create or match by e-mail address
MATCHED = 4  # of them, those whose record exists before the run (its address in capitals)
BY_ID = 3  # lines that name the record they update


def backfill_lines(existing: list[int]) -> list[dict[str, Any]]:
    lines = [
        person(n, TITLE=f"Engineer {n}", BACKGROUND=f"line {n}: “analytical engine” ✓")
        for n in range(1, NEW + 1)
    ]
    lines += [
        {"CONTACT_ID": record_id, "TITLE": f"Renamed {n}", "PHONE": f"+44 20 7946 {n:04d}"}
        for n, record_id in enumerate(existing[:BY_ID])
    ]
    return lines


def tally_backfill(lines: list[dict[str, Any]], stored: list[dict[str, Any]]) -> Tally:
    """Each line's record once, holding the line's values."""
    tally = Tally()
    by_id = {record["CONTACT_ID"]: record for record in stored}
    by_email: dict[str, list[dict[str, Any]]] = {}
    for record in stored:
        email = record.get("EMAIL_ADDRESS")
        if isinstance(email, str):
            by_email.setdefault(email.casefold(), []).append(record)
    for line in lines:
        if "CONTACT_ID" in line:
            found = [by_id[line["CONTACT_ID"]]] if line["CONTACT_ID"] in by_id else []
        else:
            found = by_email.get(line["EMAIL_ADDRESS"].casefold(), [])
        if not found:
            tally.missed += 1
            continue
        tally.duplicated += len(found) - 1
        if any(record.get(key) != value for record in found for key, value in line.items()):
            tally.corrupted += 1
    return tally


@pytest.mark.parametrize("weather", ROWS)
def test_backfill(weather: Weather, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("insightly_async.session.DEFAULT_RATE", weather.client_rate)
    with ThreadedFake(seed=202, **weather.emulator()) as served:
        fake = served.fake
        existing = served.call(lambda: fake.seed({"contacts": 10})["contacts"])
        for n in range(1, MATCHED + 1):
            old = {
                "FIRST_NAME": "Old",
                "LAST_NAME": f"{n}",
                "EMAIL_ADDRESS": f"ADA{n}@BACKFILL.TEST",
            }
            served.call(functools.partial(fake.create, "contacts", old))
        lines = backfill_lines(existing)
        source = write_jsonl(tmp_path / "people.jsonl", lines)
        gauge = served.call(lambda: weather.begin(fake, "/Contacts*", allowance=12))
        codes: list[int] = []
        while len(codes) < MAX_RUNS:
            # A rerun waits this long (--timeout) for creates that may still be under way.
            result = run(
                served, "contacts", str(source), "--match-on", "EMAIL_ADDRESS", "--timeout", "1"
            )
            codes.append(result.exit_code)
            if result.exit_code == EXIT_OK:
                break
            if result.exit_code == EXIT_QUOTA:
                assert "rerun the same command" in result.stderr
                a_day_later(served)
                continue
            assert result.exit_code == EXIT_FAILURE, result.output
            assert "needs a decision" in result.stderr or ": failed: " in result.stderr
        assert codes[-1] == EXIT_OK, codes
        tally = tally_backfill(lines, contacts(served))
        struck = codes.count(EXIT_QUOTA) if weather.quota else served.call(gauge)
    log.info("backfill x %s: struck %d, exit codes %s, %s", weather, struck, codes, tally)
    assert struck > 0, f"{weather} never struck the backfill"
    assert tally == Tally(), f"backfill x {weather}: {tally} (exit codes {codes})"


# --- a service ------------------------------------------------------------------------------

COUNTERS = 4
# Tasks, and operations of each. A storm holds the client at 10 requests per second (and
# below, while it recovers), so its service is smaller.
SIZE = {False: (12, 6), True: (6, 2)}
# A service that wants its answers retries quickly; in a storm, the defaults.
QUICK = Backoff(base=0.05, cap=1.0)
EDIT_RATE = 0.2  # of the PUTs: another writer edits the record just before


def tokens(text: str | None) -> list[str]:
    """A counter: the increments it holds, one token each (its value is their number)."""
    return text.split() if text else []


@attrs.define
class Neighbour:
    """Another writer: it adds its own token to a record just before a PUT is applied."""

    edits: list[tuple[int, str]] = attrs.Factory(list)

    def edit(self, record: dict[str, Any]) -> dict[str, Any]:
        token = f"x{len(self.edits)}"
        self.edits.append((record["CONTACT_ID"], token))
        return {"BACKGROUND": " ".join([*tokens(record.get("BACKGROUND")), token])}


def surely_not_applied(error: InsightlyError) -> bool:
    """What the error promises about the write it ended: that it was not applied."""
    if isinstance(error, (QuotaExhaustedError, RateLimitError, ConflictError)):
        return True
    if isinstance(error, APIConnectionError):
        return not error.outcome_unknown
    return isinstance(error, APIStatusError) and error.status in (400, 401, 403, 404, 503)


Applied = bool | None  # None: maybe


@attrs.define
class Service:
    """What the service's tasks did and saw."""

    neighbour: Neighbour
    done: int = 0
    failed: Counter[str] = attrs.Factory(Counter)
    untyped: list[BaseException] = attrs.Factory(list)
    misreported: list[InsightlyError] = attrs.Factory(list)
    bad_reads: int = 0
    increments: dict[str, tuple[int, Applied]] = attrs.Factory(dict)  # token: counter, applied
    renames: dict[int, list[tuple[str, Applied]]] = attrs.Factory(dict)  # in the order sent

    def failure(self, error: BaseException) -> Applied:
        """Judge a failure: whether the write it ended was applied."""
        if not isinstance(error, InsightlyError):
            self.untyped.append(error)
            return None
        self.failed[type(error).__name__] += 1
        # A dropped read changed nothing; a dropped write may have been applied.
        if isinstance(error, APIConnectionError) and error.outcome_unknown != (
            error.method != "GET"
        ):
            self.misreported.append(error)
        return False if surely_not_applied(error) else None

    def known(self, token: str) -> bool:
        return token in self.increments or any(token == t for _, t in self.neighbour.edits)


async def service_task(
    crm: InsightlySession,
    service: Service,
    *,
    number: int,
    ops: int,
    counters: list[int],
    owned: int,
    everyone: list[int],
    seed: str,
) -> None:
    """One task of the service: reads, renames of its own record, increments."""
    rng = random.Random(f"{seed}:{number}")
    renames = service.renames.setdefault(owned, [])
    for op in range(ops):
        choice = rng.choice(("get", "rename", "increment", "increment"))
        record_id = rng.choice(everyone if choice == "get" else counters)
        token = f"t{number}.{op}"
        value = f"Task{number}-{op}"
        try:
            if choice == "get":
                contact = await crm.contacts.get(record_id)
                if contact.contact_id != record_id or not all(
                    map(service.known, tokens(contact.background))
                ):
                    service.bad_reads += 1
            elif choice == "rename":
                renames.append((value, None))
                await crm.contacts.update(owned, {"last_name": value})
                renames[-1] = (value, True)
            else:
                service.increments[token] = (record_id, None)

                def increment(contact: Contact, token: str = token) -> None:
                    contact.background = " ".join([*tokens(contact.background), token])

                await crm.contacts.modify(record_id, increment)
                service.increments[token] = (record_id, True)
            service.done += 1
        except Exception as error:  # noqa: BLE001 - every failure is judged, none is hidden
            applied = service.failure(error)
            if choice == "rename":
                renames[-1] = (value, applied)
            elif choice == "increment":
                service.increments[token] = (record_id, applied)


def tally_service(
    service: Service, before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]
) -> Tally:
    tally = Tally(
        corrupted=service.bad_reads,
        untyped=len(service.untyped),
        misreported=len(service.misreported),
    )
    held = {
        record_id: Counter(tokens(record.get("BACKGROUND"))) for record_id, record in after.items()
    }
    written = {token: record_id for token, (record_id, _) in service.increments.items()}
    written.update({token: record_id for record_id, token in service.neighbour.edits})
    for record_id, counts in held.items():
        tally.duplicated += sum(count - 1 for count in counts.values())
        tally.corrupted += sum(1 for token in counts if written.get(token) != record_id)
    for token, (record_id, applied) in service.increments.items():
        present = held[record_id][token] > 0
        if applied is True and not present:
            tally.missed += 1
        elif applied is False and present:
            tally.misreported += 1
    for record_id, token in service.neighbour.edits:
        tally.missed += held[record_id][token] == 0  # the other writer's edit overwritten
    for owned, renames in service.renames.items():
        # The last rename known to be applied, or a later one that may have been.
        last = max((n for n, (_, applied) in enumerate(renames) if applied), default=-1)
        allowed = {renames[last][0] if last >= 0 else before[owned]["LAST_NAME"]}
        allowed |= {value for value, applied in renames[last + 1 :] if applied is None}
        final = after[owned]["LAST_NAME"]
        if final not in allowed:
            if any(final == value for value, _ in renames[:last]):
                tally.missed += 1  # an older name: the last rename was lost
            else:
                tally.corrupted += 1
    moving = {"BACKGROUND", "LAST_NAME", "DATE_UPDATED_UTC"}
    for record_id, record in after.items():
        unmoved = {key: value for key, value in record.items() if key not in moving}
        if unmoved != {key: value for key, value in before[record_id].items() if key not in moving}:
            tally.corrupted += 1
    return tally


@pytest.mark.parametrize("weather", ROWS)
async def test_service(weather: Weather) -> None:
    tasks, ops = SIZE[weather.storm]
    async with FakeInsightly(seed=303, **weather.emulator()) as fake:
        counters = [
            fake.create("contacts", {"FIRST_NAME": f"Counter {n}", "LAST_NAME": "Counter"})[
                "CONTACT_ID"
            ]
            for n in range(COUNTERS)
        ]
        owned = [
            fake.create("contacts", {"FIRST_NAME": f"Task {n}", "LAST_NAME": "Original"})[
                "CONTACT_ID"
            ]
            for n in range(tasks)
        ]
        everyone = counters + owned
        before = {record["CONTACT_ID"]: record for record in fake.store.records("contacts")}
        gauge = weather.begin(fake, "/Contacts*", allowance=60)
        service = Service(Neighbour())
        edits = fake.faults.add(
            "concurrent_edit",
            method="PUT",
            path="/Contacts",
            rate=EDIT_RATE,
            edit=service.neighbour.edit,
        )
        async with InsightlySession(
            api_key=fake.api_key,
            base_url=fake.base_url,
            rate=weather.client_rate,
            backoff=None if weather.storm else QUICK,
        ) as crm:
            await asyncio.gather(
                *(
                    service_task(
                        crm,
                        service,
                        number=number,
                        ops=ops,
                        counters=counters,
                        owned=owned[number],
                        everyone=everyone,
                        seed=weather.name,
                    )
                    for number in range(tasks)
                )
            )
        stored = {record["CONTACT_ID"]: record for record in fake.store.records("contacts")}
        struck = service.failed["QuotaExhaustedError"] if weather.quota else gauge()
    tally = tally_service(
        service,
        {record_id: before[record_id] for record_id in everyone},
        {record_id: stored[record_id] for record_id in everyone},
    )
    log.info(
        "service x %s: struck %d, edits by another writer %d, %d done, failed %s, %s",
        weather,
        struck,
        edits.hits,
        service.done,
        dict(service.failed),
        tally,
    )
    assert not service.untyped, service.untyped
    assert struck > 0, f"{weather} never struck the service"
    assert edits.hits > 0
    assert service.done > 0
    assert tally == Tally(), f"service x {weather}: {tally}; misreported {service.misreported}"


# --- the tallies see what they count ----------------------------------------------------------


def test_the_export_tally_counts_a_missed_a_duplicated_and_a_corrupted_record(
    tmp_path: Path,
) -> None:
    served = [{"CONTACT_ID": n, "FIRST_NAME": f"Ada {n}", "TITLE": "“Countess”"} for n in (1, 2, 3)]
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"".join(map(wire_line, served)))
    assert tally_export(good, served, "CONTACT_ID") == Tally()
    bad = tmp_path / "bad.jsonl"
    changed = dict(served[1], TITLE="Countess")
    bad.write_bytes(wire_line(served[0]) + wire_line(served[0]) + wire_line(changed) + b"{")
    assert tally_export(bad, served, "CONTACT_ID") == Tally(missed=1, duplicated=1, corrupted=2)


def test_the_backfill_tally_counts_a_missed_a_duplicated_and_a_corrupted_line() -> None:
    lines = backfill_lines([7, 8, 9])
    stored = [{**line, "CONTACT_ID": n} for n, line in enumerate(lines[:NEW], start=100)]
    stored += [{"CONTACT_ID": n, "TITLE": "x"} for n in (7, 8)]
    stored.append({**lines[0], "CONTACT_ID": 99})  # line 1 created twice
    expected = Tally(missed=1, duplicated=1, corrupted=2)  # 9 missing, 7 and 8 not renamed
    assert tally_backfill(lines, stored) == expected


def test_the_service_tally_counts_lost_doubled_and_misreported_writes() -> None:
    service = Service(Neighbour())
    service.increments = {"t0.0": (1, True), "t0.1": (1, True), "t1.0": (1, False)}
    service.neighbour.edits = [(1, "x0")]
    service.renames = {2: [("Task0-2", True), ("Task0-3", None), ("Task0-4", False)]}
    before: dict[int, dict[str, Any]] = {
        1: {"BACKGROUND": None, "TITLE": "a"},
        2: {"LAST_NAME": "Original"},
    }
    fine: dict[int, dict[str, Any]] = {
        1: {"BACKGROUND": "x0 t0.1 t0.0", "TITLE": "a"},
        2: {"LAST_NAME": "Task0-3"},
    }
    assert tally_service(service, before, fine) == Tally()
    broken: dict[int, dict[str, Any]] = {
        1: {"BACKGROUND": "t0.1 t0.1 t1.0 t9.9", "TITLE": "b"},
        2: {"LAST_NAME": "Task0-4"},
    }
    # t0.0 and x0 lost; t0.1 twice; t9.9 from nowhere, TITLE changed and a rename said
    # to have failed applied; t1.0 applied though its error said it was not.
    assert tally_service(service, before, broken) == Tally(
        missed=2, duplicated=1, corrupted=3, misreported=1
    )
