"""A directory that holds a mirror: partial runs, incremental runs, and what the summary and
the manifest say of each run (the totals the API reported, the requests sent)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from export_support import ThreadedFake, define_fruit, read_jsonl

from insightly_async.cli import EXIT_OK, EXIT_QUOTA, EXIT_USAGE, cli


@pytest.fixture(autouse=True)
def _fast_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process runs pace at the real 9.8 requests per second otherwise; these tests are
    # about what the runs write and say (the emulator runs without its per-second limit).
    monkeypatch.setattr("insightly_async.session.DEFAULT_RATE", 1000.0)


@pytest.fixture
def served() -> Iterator[ThreadedFake]:
    with ThreadedFake(seed=4, rate_limit=None) as threaded:
        threaded.call(lambda: threaded.fake.seed({"contacts": 60, "leads": 10}))
        yield threaded


def run(served: ThreadedFake, *args: str) -> Result:
    env = {**served.env(), "COLUMNS": "200"}  # summary rows on one line each
    return CliRunner().invoke(cli, [*args, "--no-progress"], env=env, catch_exceptions=False)


def manifest(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return data


def row(output: str, name: str) -> list[str]:
    """The cells of ``name``'s row in the summary table."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row for {name} in:\n{output}")


def paths_read(served: ThreadedFake) -> set[str]:
    return served.call(lambda: {entry.path for entry in served.fake.log})


def clear_log(served: ThreadedFake) -> None:
    served.call(served.fake.log.clear)


def new_contact(served: ThreadedFake) -> None:
    served.call(lambda: served.fake.create("contacts", {"FIRST_NAME": "Ada", "LAST_NAME": "Late"}))


# --- the API's total after --incremental ---------------------------------------------------


def test_incremental_reports_the_total_the_api_reports_now(
    served: ThreadedFake, tmp_path: Path
) -> None:
    assert run(served, "export", "--out", str(tmp_path), "--types", "contacts").exit_code == 0
    new_contact(served)

    result = run(served, "export", "--out", str(tmp_path), "--incremental")
    assert result.exit_code == EXIT_OK, result.output
    # type, state, records, API total, this run
    assert row(result.output, "contacts") == ["contacts", "complete", "61", "61", "1 changed"]
    entry = manifest(tmp_path)["types"]["contacts"]
    assert (entry["count"], entry["total"], entry["changed"]) == (61, 61, 1)


def test_incremental_says_when_the_api_counts_otherwise(
    served: ThreadedFake, tmp_path: Path
) -> None:
    assert run(served, "export", "--out", str(tmp_path), "--types", "contacts").exit_code == 0
    first = served.call(lambda: served.fake.store.ids("contacts")[0])
    served.call(lambda: served.fake.delete("contacts", first))

    result = run(served, "export", "--out", str(tmp_path), "--incremental")
    assert result.exit_code == EXIT_OK, result.output
    cells = row(result.output, "contacts")
    assert cells[2:4] == ["60", "59"]
    assert "unchanged; the API counts 59: only a full export sees deletions" in result.output
    assert manifest(tmp_path)["types"]["contacts"]["total"] == 59


# --- partial runs into a mirror ---------------------------------------------------------------


def test_a_partial_run_keeps_the_other_types_and_says_what_it_refreshed(
    served: ThreadedFake, tmp_path: Path
) -> None:
    full = run(served, "export", "--out", str(tmp_path), "--types", "contacts,leads,countries")
    assert full.exit_code == EXIT_OK, full.output
    leads = (tmp_path / "leads.jsonl").read_bytes()

    partial = run(served, "export", "--out", str(tmp_path), "--types", "contacts")
    assert partial.exit_code == EXIT_OK, partial.output
    data = manifest(tmp_path)
    assert list(data["types"]) == ["contacts", "leads", "countries"]  # what the directory holds
    assert data["refreshed"] == ["contacts"]
    assert data["state"] == "complete"
    assert (tmp_path / "leads.jsonl").read_bytes() == leads
    assert (tmp_path / "countries.jsonl").exists()
    assert "complete, 1 of 3 types refreshed" in partial.output
    assert row(partial.output, "contacts")[-1] == "exported in full"
    assert "kept as earlier runs left them (2 types" in partial.output
    assert "leads, countries" in partial.output


def test_incremental_refreshes_the_types_the_directory_holds_unless_told(
    served: ThreadedFake, tmp_path: Path
) -> None:
    first = run(served, "export", "--out", str(tmp_path), "--types", "contacts,leads")
    assert first.exit_code == EXIT_OK, first.output
    new_contact(served)
    clear_log(served)

    result = run(served, "export", "--out", str(tmp_path), "--incremental")
    assert result.exit_code == EXIT_OK, result.output
    assert paths_read(served) <= {"/Contacts/Search", "/Contacts", "/Leads/Search", "/Leads"}
    assert row(result.output, "contacts")[-1] == "1 changed"
    assert row(result.output, "leads")[-1] == "unchanged"
    assert manifest(tmp_path)["refreshed"] == ["contacts", "leads"]

    # Told otherwise: a type the mirror lacks is exported in full, and says so.
    more = run(
        served, "export", "--out", str(tmp_path), "--incremental", "--types", "leads,countries"
    )
    assert more.exit_code == EXIT_OK, more.output
    assert row(more.output, "leads")[-1] == "unchanged"
    assert row(more.output, "countries")[-1] == "exported in full"
    assert "kept as earlier runs left them (1 type" in more.output
    assert list(manifest(tmp_path)["types"]) == ["contacts", "leads", "countries"]


def test_resume_finishes_the_types_the_partial_run_started_with(
    served: ThreadedFake, tmp_path: Path
) -> None:
    assert run(served, "export", "--out", str(tmp_path), "--types", "leads,contacts").exit_code == 0
    leads = (tmp_path / "leads.jsonl").read_bytes()
    served.call(lambda: served.fake.set_remaining(0))
    stopped = run(served, "export", "--out", str(tmp_path), "--types", "contacts")
    assert stopped.exit_code == EXIT_QUOTA, stopped.output
    served.call(lambda: served.fake.set_remaining(100_000))
    clear_log(served)

    assert run(
        served, "export", "--out", str(tmp_path), "--types", "leads", "--resume"
    ).exit_code == (EXIT_USAGE)
    # The same command again with --resume added is how most users go on.
    resumed = run(served, "export", "--out", str(tmp_path), "--types", "contacts", "--resume")
    assert resumed.exit_code == EXIT_OK, resumed.output
    assert "/Leads" not in paths_read(served)
    assert (tmp_path / "leads.jsonl").read_bytes() == leads
    assert len(read_jsonl(tmp_path / "contacts.jsonl")) == 60
    assert manifest(tmp_path)["state"] == "complete"


# --- the request count -------------------------------------------------------------------------


def test_the_request_count_is_every_request_the_run_sent(
    served: ThreadedFake, tmp_path: Path
) -> None:
    served.call(lambda: define_fruit(served.fake))
    result = run(served, "export", "--out", str(tmp_path), "--types", "contacts,Fruit__c")
    assert result.exit_code == EXIT_OK, result.output
    sent = served.call(lambda: len(served.fake.log))
    assert "/CustomObjects" in paths_read(served)  # finding Fruit__c asked for it
    assert re.search(rf"\b62 records, {sent} requests in \d+\.\d s", result.output)
    assert manifest(tmp_path)["requests"] == sent


def test_one_request_in_no_time_reads_as_such(served: ThreadedFake, tmp_path: Path) -> None:
    result = run(served, "export", "--out", str(tmp_path), "--types", "countries")
    assert result.exit_code == EXIT_OK, result.output
    assert re.search(
        r"^\d+ records, 1 request in 0\.\d s; daily allowance left: [\d,]+$",
        result.output,
        re.MULTILINE,
    ), result.output
    assert "req/s" not in result.output
