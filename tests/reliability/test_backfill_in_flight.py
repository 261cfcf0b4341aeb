"""A backfill rerun never creates again what a killed run's POSTs are still creating.

Killed while the API was slow to answer its creates, a backfill left them ``sending`` in
its journal; a rerun at once looked them up, did not find them yet (the server was still
working on them), created them again and exited 0: four duplicates of four.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from backfill_support import emails, journal_rows, people, run, write_jsonl
from export_support import ThreadedFake, cli_command, wait_for

from insightly_async.cli import EXIT_OK

pytestmark = pytest.mark.slow

HELD = 3.0  # seconds the emulator holds each create before applying it
TIMEOUT = 5.0  # the rerun's request timeout: creates older than this are settled


def test_a_rerun_waits_for_creates_still_in_flight_instead_of_duplicating_them(
    tmp_path: Path,
) -> None:
    with ThreadedFake(seed=31, rate_limit=None) as served:
        served.call(
            lambda: served.fake.faults.add("latency", delay=HELD, method="POST", path="/Contacts")
        )
        source = write_jsonl(tmp_path / "people.jsonl", people(4))
        journal = tmp_path / "people.jsonl.journal"
        args = ["backfill", "contacts", str(source), "--concurrency", "4", "--no-progress"]
        process = subprocess.Popen(
            cli_command(*args),
            env=served.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # All four creates reached the server, which is still working on them.
            wait_for(lambda: served.call(lambda: served.fake.in_flight) == 4)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
        assert {row[0] for row in journal_rows(journal).values()} == {"sending"}
        assert emails(served) == {}  # nothing created yet

        rerun = run(
            served,
            "contacts",
            str(source),
            "--match-on",
            "EMAIL_ADDRESS",
            "--timeout",
            str(TIMEOUT),
        )

        assert rerun.exit_code == EXIT_OK, rerun.output
        assert "0 created, 4 updated" in rerun.stdout
        counted = emails(served)
        assert [counted[f"ada{n}@backfill.test"] for n in range(1, 5)] == [1, 1, 1, 1]
        assert {row[1] for row in journal_rows(journal).values()} == {"recovered"}
