"""Fixtures for the session's tests: an emulator and sessions pointed at it."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from session_support import FAST_BACKOFF, SessionFactory

from insightly_async import InsightlySession
from insightly_async.testing import FakeInsightly


@pytest.fixture
async def fake() -> AsyncIterator[FakeInsightly]:
    """An emulator without the per-second limit, for tests about behaviour, not pacing.

    Its wall clock moves one second each time it is read, so every write gets a new
    ``DATE_UPDATED_UTC`` however fast the test runs.
    """
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    ticks = itertools.count()

    def clock() -> datetime:
        return start + timedelta(seconds=next(ticks))

    async with FakeInsightly(seed=11, rate_limit=None, clock=clock) as emulator:
        yield emulator


@pytest.fixture
async def make_session(fake: FakeInsightly) -> AsyncIterator[SessionFactory]:
    """Sessions on ``fake`` (fast retries, no pacing to speak of), closed at teardown."""
    sessions: list[InsightlySession] = []

    def make(**options: Any) -> InsightlySession:
        options.setdefault("api_key", fake.api_key)
        options.setdefault("base_url", fake.base_url)
        options.setdefault("backoff", FAST_BACKOFF)
        if "limiter" not in options:
            options.setdefault("rate", 1000.0)
        session = InsightlySession(**options)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        await session.aclose()


@pytest.fixture
def crm(make_session: SessionFactory) -> InsightlySession:
    return make_session()
