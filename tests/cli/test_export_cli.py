"""The export, quota and sandbox commands as users run them: exit codes, messages, kill -9."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from export_support import ThreadedFake, cli_command, ids_of, read_jsonl, wait_for

from insightly_async.cli import EXIT_OK, EXIT_QUOTA, EXIT_USAGE, cli


@pytest.fixture
def served() -> Iterator[ThreadedFake]:
    with ThreadedFake(seed=4, rate_limit=None) as threaded:
        threaded.call(lambda: threaded.fake.seed({"contacts": 60, "leads": 10}))
        yield threaded


def run(served: ThreadedFake, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=served.env(), catch_exceptions=False)


def requests_seen(served: ThreadedFake) -> int:
    return served.call(lambda: len(served.fake.log))


def test_export_writes_files_a_manifest_and_a_summary(served: ThreadedFake, tmp_path: Path) -> None:
    result = run(served, "export", "--out", str(tmp_path), "--types", "contacts,leads")
    assert result.exit_code == EXIT_OK, result.output
    assert "contacts" in result.output
    assert "70 records" in result.output
    stored = served.call(lambda: served.fake.store.records("contacts"))
    assert read_jsonl(tmp_path / "contacts.jsonl") == stored
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["types"]["leads"]["count"] == 10
    assert served.fake.api_key not in result.output
    assert served.fake.api_key not in (tmp_path / "manifest.json").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--types", "contacts,gadgets"], "unknown record type 'gadgets'"),
        (["--types", ","], "at least one type"),
        (["--since", "last tuesday"], "not an ISO 8601"),
        (["--resume"], "nothing to resume"),
        (["--incremental"], "needs a previous export"),
        (["--incremental", "--since", "2026-01-01"], "drop --since"),
        (["--concurrency", "0"], "--concurrency"),
    ],
)
def test_bad_input_is_a_usage_error_and_nothing_is_sent(
    served: ThreadedFake, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(served, "export", "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == EXIT_USAGE
    assert message in result.output
    assert requests_seen(served) == 0


def test_no_api_key_is_a_usage_error(tmp_path: Path) -> None:
    env = dict.fromkeys(("INSIGHTLY_API_KEY", "INSIGHTLY_POD", "INSIGHTLY_BASE_URL"))
    result = CliRunner().invoke(cli, ["export", "--out", str(tmp_path)], env=env)
    assert result.exit_code == EXIT_USAGE
    assert "no API key" in result.output


def test_an_unfinished_export_is_not_overwritten_without_resume(
    served: ThreadedFake, tmp_path: Path
) -> None:
    served.call(lambda: served.fake.set_remaining(1))
    first = run(served, "export", "--out", str(tmp_path), "--types", "contacts,leads")
    assert first.exit_code == EXIT_QUOTA, first.output
    assert "--resume" in first.output
    served.call(lambda: served.fake.set_remaining(100_000))
    again = run(served, "export", "--out", str(tmp_path), "--types", "contacts")
    assert again.exit_code == EXIT_USAGE
    assert "unfinished export" in again.output
    resumed = run(served, "export", "--out", str(tmp_path), "--resume")
    assert resumed.exit_code == EXIT_OK, resumed.output
    assert len(read_jsonl(tmp_path / "contacts.jsonl")) == 60
    assert len(read_jsonl(tmp_path / "leads.jsonl")) == 10


def test_reserve_exits_3_with_the_checkpoint_saved(served: ThreadedFake, tmp_path: Path) -> None:
    remaining = served.call(lambda: served.fake.remaining)
    result = run(
        served, "export", "--out", str(tmp_path), "--types", "contacts,leads",
        "--reserve", str(remaining - 1), "--concurrency", "1",
    )  # fmt: skip
    assert result.exit_code == EXIT_QUOTA, result.output
    assert json.loads((tmp_path / "manifest.json").read_text())["state"] == "partial"
    assert served.call(lambda: served.fake.remaining) >= remaining - 1


def test_quota_prints_the_allowance(served: ThreadedFake) -> None:
    result = run(served, "quota")
    assert result.exit_code == EXIT_OK, result.output
    assert "daily limit: 100,000" in result.output
    assert "remaining:   99,999" in result.output
    assert served.fake.api_key not in result.output


def test_quota_of_a_spent_allowance_prints_it_and_exits_3(served: ThreadedFake) -> None:
    served.call(lambda: served.fake.set_remaining(0))
    result = run(served, "quota")
    assert result.exit_code == EXIT_QUOTA, result.output
    assert "daily limit: 100,000" in result.output
    assert "remaining:   0" in result.output


def _pages_done(manifest: Path) -> int:
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return 0
    return int(data["types"]["contacts"].get("pages", 0))


def test_kill_9_mid_export_then_resume_completes_without_duplicates(tmp_path: Path) -> None:
    with ThreadedFake(seed=8, rate_limit=10, latency=0.02) as served:
        served.call(lambda: served.fake.seed({"contacts": 6000}))
        out = tmp_path / "out"
        args = ["export", "--out", str(out), "--types", "contacts", "--concurrency", "2"]
        process = subprocess.Popen(
            cli_command(*args),
            env=served.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: _pages_done(out / "manifest.json") >= 3 or process.poll() is not None)
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
            if process.stderr:
                process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        assert not (out / "contacts.jsonl").exists()  # an interrupted type has no file yet

        resumed = subprocess.run(
            cli_command("export", "--out", str(out), "--resume", "--no-progress"),
            env=served.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert resumed.returncode == EXIT_OK, resumed.stderr
        exported = read_jsonl(out / "contacts.jsonl")
        stored = served.call(lambda: served.fake.store.records("contacts"))
        ids = ids_of(exported, "CONTACT_ID")
        assert len(ids) == len(set(ids)) == 6000
        assert exported == stored
        assert served.fake.api_key not in resumed.stdout + resumed.stderr


def test_export_sandbox_runs_the_quick_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["export", "--sandbox", "--out", str(tmp_path), "--types", "contacts,countries"],
        catch_exceptions=False,
    )
    assert result.exit_code == EXIT_OK, result.output
    assert len(read_jsonl(tmp_path / "contacts.jsonl")) > 0
    assert json.loads((tmp_path / "manifest.json").read_text())["state"] == "complete"


def test_progress_shows_bars_requests_per_second_and_quota(
    served: ThreadedFake, tmp_path: Path
) -> None:
    result = run(served, "export", "--out", str(tmp_path), "--types", "contacts", "--progress")
    assert result.exit_code == EXIT_OK, result.output
    assert re.search(r"^type\s+records\s+elapsed\s+left$", result.output, re.MULTILINE)
    assert re.search(r"^contacts\s+━+\s+60/60\s+0:00:0\d\s+done$", result.output, re.MULTILINE)
    assert re.search(r"^all types\s+━+\s+60/60\s+0:00:0\d\s+done$", result.output, re.MULTILINE)
    assert "1 type done in 0:00:0" in result.output
    assert "quota left 99,99" in result.output


def test_sandbox_serves_until_terminated(tmp_path: Path) -> None:
    process = subprocess.Popen(
        cli_command("sandbox", "--port", "0", "--records", "3", "--seed", "5"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split("base url:")[1].strip()
        api_key = process.stdout.readline().split("api key:")[1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v3.1")
        env = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTLY_")}
        quota = subprocess.run(
            cli_command("quota", "--base-url", base_url),
            env={**env, "INSIGHTLY_API_KEY": api_key},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert quota.returncode == EXIT_OK, quota.stderr
        assert "daily limit: 100,000" in quota.stdout
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
    assert process.returncode == 0
