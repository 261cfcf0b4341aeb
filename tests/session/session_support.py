"""Shared helpers of the session's tests."""

from __future__ import annotations

from collections.abc import Callable

from insightly_async import InsightlySession
from insightly_async._sansio import Backoff

# Retries in tests wait milliseconds, not seconds; the timing itself is unit-tested.
FAST_BACKOFF = Backoff(base=0.01, cap=0.05)

SessionFactory = Callable[..., InsightlySession]
