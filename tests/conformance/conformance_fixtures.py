"""Fixtures of the conformance tests: a seeded emulator and a fast session on it.

Test modules load them with ``pytest_plugins = ["conformance_fixtures"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from conformance_support import FAST_BACKOFF, define_fruit, ticking_clock

from insightly_async import InsightlySession
from insightly_async.testing import FakeInsightly


@pytest.fixture
async def fake() -> AsyncIterator[FakeInsightly]:
    """An emulator without the per-second limit, two records of every type, ``Fruit__c``."""
    async with FakeInsightly(seed=41, rate_limit=None, clock=ticking_clock()) as emulator:
        emulator.seed(2)
        define_fruit(emulator)
        yield emulator


@pytest.fixture
async def crm(fake: FakeInsightly) -> AsyncIterator[InsightlySession]:
    async with InsightlySession(
        api_key=fake.api_key, base_url=fake.base_url, rate=1000.0, backoff=FAST_BACKOFF
    ) as session:
        yield session
