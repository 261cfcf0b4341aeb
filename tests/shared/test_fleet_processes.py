"""The fleet as it runs: separate processes, and the CLI joining it with ``--redis``."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_support import ThreadedFake

from insightly_async.cli import EXIT_OK, EXIT_USAGE, cli

pytest_plugins = ["redis_fixtures"]

# One process of the fleet: TASKS concurrent callers sharing CALLS requests. It says
# "ready" once started, and waits for a line on stdin to begin, so that the fleet starts
# together (and no process's start-up competes with the others' requests for the CPU).
_WORKER = """
import asyncio, os, sys
from insightly_async import InsightlySession

async def main(tasks: int, calls: int) -> None:
    left = calls
    async with InsightlySession(redis=os.environ["INSIGHTLY_REDIS_URL"]) as crm:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        async def caller() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await crm.users.me()
        await asyncio.gather(*(caller() for _ in range(tasks)))

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


@pytest.fixture
def still_heap() -> Iterator[None]:
    """No full collection of pytest's heap while the emulator counts arrivals.

    The emulator runs on a thread of this process, whose heap holds every collected test: a
    full collection of it takes ~100 ms on a busy machine, and the arrivals that come
    meanwhile are counted when it ends, bunched, as no server would see them.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.realtime
@pytest.mark.slow
@pytest.mark.solo
@pytest.mark.usefixtures("still_heap")
def test_four_processes_of_twenty_tasks_share_the_ceiling(redis_url: str) -> None:
    with ThreadedFake(seed=51, latency=0.05, jitter=0.03) as served:
        env = served.env() | {"INSIGHTLY_REDIS_URL": redis_url}
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, "20", "20"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline() == "ready\n"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.close()
        for worker in workers:
            assert worker.wait(timeout=60) == 0
            assert worker.stdout is not None
            worker.stdout.close()
        counts = served.call(served.fake.log.status_counts)
        most = served.call(lambda: served.fake.log.max_in_window(1.0))
        rate = served.call(served.fake.log.rate)
    assert counts == {200: 80}  # not one 429
    assert most <= 10
    assert rate >= 9.3


def _cli(served: ThreadedFake, redis_url: str, *args: str) -> tuple[int, str, str]:
    env = served.env() | {"INSIGHTLY_REDIS_URL": redis_url}
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_quota_with_redis_reports_the_fleet(redis_url: str) -> None:
    with ThreadedFake(seed=52, rate_limit=None) as served:
        code, out, err = _cli(served, redis_url, "quota")
    assert code == EXIT_OK, err
    assert "remaining:" in out
    assert "in flight:   0 across the fleet in Redis" in out


def test_export_and_backfill_join_the_fleet(redis_url: str, tmp_path: Path) -> None:
    with ThreadedFake(seed=53, rate_limit=None) as served:
        served.call(lambda: served.fake.seed({"contacts": 30}))
        code, _, err = _cli(
            served, redis_url, "export", "--types", "contacts", "--out", str(tmp_path / "out")
        )
        assert code == EXIT_OK, err
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["types"]["contacts"]["count"] == 30
        lines = tmp_path / "new.jsonl"
        lines.write_text('{"FIRST_NAME": "Ada", "EMAIL_ADDRESS": "ada@fleet.test"}\n')
        code, out, err = _cli(served, redis_url, "backfill", "contacts", str(lines))
        assert code == EXIT_OK, err
        assert "1 created" in out


def test_a_bad_redis_url_is_a_usage_error(tmp_path: Path) -> None:
    with ThreadedFake(seed=54, rate_limit=None) as served:
        env = served.env() | {"INSIGHTLY_REDIS_URL": "not a url"}
        result = CliRunner().invoke(cli, ["quota"], env=env, catch_exceptions=False)
    assert result.exit_code == EXIT_USAGE
    assert "redis" in result.stderr
    assert "Traceback" not in result.output
