"""A load for the pacing tests: concurrent callers sharing a number of calls."""

from __future__ import annotations

import asyncio

from insightly_async import InsightlySession


async def calls(crm: InsightlySession, *, callers: int, requests: int) -> None:
    """``callers`` tasks making ``requests`` calls of ``crm.users.me()`` between them."""
    left = requests

    async def caller() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await crm.users.me()

    await asyncio.gather(*(caller() for _ in range(callers)))
