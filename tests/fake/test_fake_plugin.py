"""The pytest plugin: the fake_insightly fixture and its marker."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest
from fake_support import basic

from insightly_async.testing import FakeInsightly

pytest_plugins = ["fake_fixtures"]


async def test_fixture_gives_a_started_emulator(fake_insightly: FakeInsightly) -> None:
    assert fake_insightly.base_url.startswith("http://127.0.0.1:")
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": basic(fake_insightly.api_key)}
        async with session.get(fake_insightly.url("/Users/Me"), headers=headers) as reply:
            assert reply.status == 200


@pytest.mark.fake_insightly(seed=4, records={"contacts": 7}, rate_limit=None, put_status=201)
async def test_marker_configures_the_fixture(fake_insightly: FakeInsightly) -> None:
    assert fake_insightly.store.count("contacts") == 7
    assert fake_insightly.options.rate_limit is None
    assert fake_insightly.options.put_status == 201
    assert fake_insightly.api_key == FakeInsightly(seed=4).api_key


def test_missing_pytest_asyncio_fails_with_a_clear_message(tmp_path: Path) -> None:
    # Shadow pytest_asyncio with a module that cannot be imported, in a child session.
    (tmp_path / "pytest_asyncio.py").write_text("raise ImportError('not installed')\n")
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            def test_uses_it(fake_insightly):
                pass

            def test_unrelated():
                pass
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:asyncio",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "addopts=",
            "-W",
            "default",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "needs pytest-asyncio" in result.stdout
