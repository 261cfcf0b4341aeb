"""Fixtures for the emulator's tests: test clocks, started emulators, a client session.

Test modules load them with ``pytest_plugins = ["fake_fixtures"]``. A ``conftest.py``
here would clash under mypy with the other test directories' ones: without
``__init__.py`` files, mypy names every one of them plain ``conftest``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from fake_support import Api, MonoClock, StartFake, WallClock

from insightly_async.testing import FakeInsightly


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def mono() -> MonoClock:
    return MonoClock()


@pytest.fixture
async def start_fake(wall: WallClock, mono: MonoClock) -> AsyncIterator[StartFake]:
    """Start emulators on the test clocks (no per-second limit unless asked); closes them."""
    started: list[FakeInsightly] = []

    async def start(**options: Any) -> FakeInsightly:
        options.setdefault("clock", wall)
        options.setdefault("monotonic", mono)
        options.setdefault("rate_limit", None)
        fake = FakeInsightly(**options)
        await fake.start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        await fake.close()


@pytest.fixture
async def fake(start_fake: StartFake) -> FakeInsightly:
    return await start_fake()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    # A dropped connection must surface as an error, not be hidden by aiohttp's own
    # resend of idempotent requests; aiohttp's test client turns that off the same way.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as client:
        client._retry_connection = False
        yield client


@pytest.fixture
def api(fake: FakeInsightly, session: aiohttp.ClientSession) -> Api:
    return Api(session, fake, fake.api_key)
