"""The README's examples run as written: its scripts against the emulator, its test under pytest."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from export_support import ROOT, ThreadedFake, run_example

pytest_plugins = ["redis_fixtures"]

README = ROOT / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def scripts() -> list[str]:
    return [block for block in blocks() if "asyncio.run(main())" in block]


def pytest_examples() -> list[str]:
    return [block for block in blocks() if "def test_" in block]


def test_the_readme_has_the_examples_these_tests_run() -> None:
    assert len(scripts()) >= 3
    assert len(pytest_examples()) == 1
    assert len(blocks()) == len(scripts()) + len(pytest_examples())


@pytest.fixture(scope="module")
def served() -> Iterator[ThreadedFake]:
    with ThreadedFake(seed=12) as threaded:
        threaded.call(lambda: threaded.fake.seed({"contacts": 120, "leads": 40}))
        yield threaded


@pytest.mark.parametrize("index", range(len(scripts())))
def test_readme_script_runs_against_the_emulator(
    served: ThreadedFake, redis_url: str, index: int, tmp_path: Path
) -> None:
    result = run_example(scripts()[index], served, redis_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()  # each example prints what it found
    assert served.fake.api_key not in result.stdout + result.stderr
    statuses = served.call(served.fake.log.status_counts)
    assert 429 not in statuses  # the pacer kept every example under the ceiling


def test_readme_pytest_example_passes_with_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(pytest_examples()[0], encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
    command += ["-o", "asyncio_default_fixture_loop_scope=function"]  # a user's own setting
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
