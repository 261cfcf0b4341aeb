"""Seeded SIGKILL trials: an export and a backfill killed again and again still end exact.

Each trial runs the command as users do, in a process of its own against an emulator on a
thread, and kills it with SIGKILL at a seeded moment: once a seeded number of its requests
reached the server, plus a seeded fraction of a request's time, so that kills fall between
pages, in the middle of one, between a create and its journal entry, while creates are
still under way at the server. Then it runs the command again as the README says
(``--resume`` for the export, the same command for the backfill) and kills that run too,
N times in a row, lets the last run finish, and compares what is left with the store.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backfill_support import contacts, journal_rows, people, write_jsonl
from export_support import ThreadedFake, cli_command, wait_for

from insightly_async.cli import EXIT_OK

pytestmark = pytest.mark.slow

KILLS = 8  # per trial, in a row

# The backfill trial is about exactly-once, not pacing: its processes pace at 1,000
# requests per second against an emulator without a window, as the in-process tests do.
FAST_CLI = (
    "import insightly_async.session as s; s.DEFAULT_RATE = 1000.0; "
    "from insightly_async.cli import main; main()"
)


def start(args: list[str], served: ThreadedFake, *, fast: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", FAST_CLI, *args] if fast else cli_command(*args)
    return subprocess.Popen(
        command, env=served.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def kill_at(process: subprocess.Popen[bytes], arrived: Callable[[], int], moment: float) -> bool:
    """SIGKILL ``process`` once ``int(moment)`` more requests arrived and the fraction of
    ``moment`` (in tenths of a second) passed; False if it finished first."""
    before = arrived()
    wait_for(lambda: arrived() - before >= int(moment) or process.poll() is not None, 60)
    if process.poll() is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=(moment % 1) / 10)
    if process.poll() is not None:
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return True


def trial(
    served: ThreadedFake,
    command: Callable[[], list[str]],
    arrived: Callable[[], int],
    moments: list[float],
    *,
    fast: bool = False,
    after_kill: Callable[[], None] = lambda: None,
) -> int:
    """Run ``command()`` and kill it at each of ``moments`` in turn, then let it finish;
    how many kills landed."""
    killed = 0
    for moment in [*moments, float("inf")]:
        process = start(command(), served, fast=fast)
        if moment != float("inf") and kill_at(process, arrived, moment):
            assert process.returncode == -signal.SIGKILL
            if process.stderr:
                process.stderr.close()
            killed += 1
            after_kill()
            continue
        _, err = process.communicate(timeout=120)
        assert process.returncode == EXIT_OK, err.decode("utf-8", errors="replace")
        break
    return killed


def requests_of(served: ThreadedFake, method: str | None = None, path: str | None = None) -> int:
    fake = served.fake
    return served.call(lambda: len(fake.log.filter(method, path)))


def wire_line(record: dict[str, Any]) -> bytes:
    """A record as the API serves it, which is how an export writes it: one line."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


# --- export --types all ----------------------------------------------------------------------

SEEDED = {
    "organisations": 60,
    "contacts": 1100,  # three pages: kills fall inside a type too
    "leads": 200,
    "opportunities": 50,
    "projects": 30,
    "tasks": 80,
    "notes": 40,
}


def manifest_of(out: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def test_export_all_killed_again_and_again_loses_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random("kill the export")
    out = tmp_path / "export"

    def command() -> list[str]:
        # A run killed before its first checkpoint left nothing to resume: start it over.
        again = ["--resume"] if manifest_of(out) else ["--types", "all"]
        return ["export", "--out", str(out), *again, "--no-progress"]

    # Real pacing, against the emulator's real window, answering in 0-20 ms.
    with ThreadedFake(seed=41, latency=0.01, jitter=0.01) as served:
        served.call(lambda: served.fake.seed(SEEDED))
        moments = [rng.randint(1, 4) + rng.random() for _ in range(KILLS)]
        killed = trial(served, command, lambda: requests_of(served), moments)
        manifest = manifest_of(out)
        assert manifest is not None
        stored = {
            name: served.call(functools.partial(served.fake.store.records, name))
            for name in manifest["types"]
        }
    assert killed == KILLS
    assert manifest["state"] == "complete"
    assert sum(map(len, stored.values())) > sum(SEEDED.values())  # the reference data too
    missed = duplicated = corrupted = 0
    for name, records in stored.items():
        expected = Counter(map(wire_line, records))
        written = Counter((out / f"{name}.jsonl").read_bytes().splitlines(keepends=True))
        missed += sum((expected - written).values())
        duplicated += sum(
            written[line] - count for line, count in expected.items() if written[line] > count
        )
        corrupted += sum(count for line, count in written.items() if line not in expected)
        assert manifest["types"][name]["count"] == len(records), name
    assert (missed, duplicated, corrupted) == (0, 0, 0)
    assert not list(out.glob(".*")), "a part or temporary file was left behind"


# --- backfill ---------------------------------------------------------------------------------

LINES = 200


def test_backfill_killed_again_and_again_creates_each_line_once(tmp_path: Path) -> None:
    rng = random.Random("kill the backfill")
    lines = people(LINES)
    source = write_jsonl(tmp_path / "people.jsonl", lines)
    journal = tmp_path / "people.jsonl.journal"
    # A rerun looks up the creates a killed run left under way once they are older than
    # the request timeout: 2 s here, not the default 60.
    args = ["backfill", "contacts", str(source), "--match-on", "EMAIL_ADDRESS", "--timeout", "2"]
    args += ["--concurrency", "4", "--no-progress"]
    under_way = 0  # creates a killed run left "sending" in the journal

    def count_under_way() -> None:
        nonlocal under_way
        under_way += sum(state == "sending" for state, _, _ in journal_rows(journal).values())

    # The emulator answers in 10-50 ms, so kills find creates in flight.
    with ThreadedFake(seed=42, rate_limit=None, latency=0.03, jitter=0.02) as served:
        moments = [rng.randint(5, 30) + rng.random() for _ in range(KILLS)]
        killed = trial(
            served,
            lambda: args,
            lambda: requests_of(served, "POST", "/Contacts"),
            moments,
            fast=True,
            after_kill=count_under_way,
        )
        stored = contacts(served)
    assert killed == KILLS
    assert under_way > 0
    by_email: dict[str, list[dict[str, Any]]] = {}
    for record in stored:
        by_email.setdefault(record.get("EMAIL_ADDRESS") or "", []).append(record)
    found = [by_email.get(line["EMAIL_ADDRESS"], []) for line in lines]
    missed = sum(not records for records in found)
    duplicated = sum(len(records) - 1 for records in found if records)
    corrupted = sum(
        any(record.get(key) != value for record in records for key, value in line.items())
        for line, records in zip(lines, found, strict=True)
    )
    assert (missed, duplicated, corrupted) == (0, 0, 0)
    rows = journal_rows(journal)
    assert Counter(state for state, _, _ in rows.values()) == {"done": LINES}
    # Creates under way when a run was killed that had landed were found, not made again.
    assert Counter(action for _, action, _ in rows.values())["recovered"] > 0
