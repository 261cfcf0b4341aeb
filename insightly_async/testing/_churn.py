"""``Churn``: records created and deleted in the background while a client reads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

__all__ = ["Churn"]


class Churn:
    """Creates and deletes records of one type in the background (see ``FakeInsightly.churn``).

    ``async with`` runs it; leaving the block stops it. ``FakeInsightly.churn()`` builds it.

    Args:
        create: Creates one record and returns its id.
        delete: Deletes one record and returns its id (``None`` when there was none).
        creates_per_second: How often to call ``create`` (0: never).
        deletes_per_second: How often to call ``delete`` (0: never).

    Attributes:
        created: Ids of the records it created, in order.
        deleted: Ids of the records it deleted, in order.
    """

    def __init__(
        self,
        create: Callable[[], int],
        delete: Callable[[], int | None],
        creates_per_second: float,
        deletes_per_second: float,
    ) -> None:
        self._create = create
        self._delete = delete
        self._create_every = 1.0 / creates_per_second if creates_per_second else None
        self._delete_every = 1.0 / deletes_per_second if deletes_per_second else None
        self._task: asyncio.Task[None] | None = None
        self.created: list[int] = []
        self.deleted: list[int] = []

    async def __aenter__(self) -> Churn:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        (outcome,) = await asyncio.gather(task, return_exceptions=True)
        if isinstance(outcome, Exception):
            raise outcome

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        next_create = start + self._create_every if self._create_every else None
        next_delete = start + self._delete_every if self._delete_every else None
        while next_create is not None or next_delete is not None:
            due = min(t for t in (next_create, next_delete) if t is not None)
            await asyncio.sleep(max(0.0, due - loop.time()))
            now = loop.time()
            if next_create is not None and self._create_every and next_create <= now:
                self.created.append(self._create())
                next_create += self._create_every
            if next_delete is not None and self._delete_every and next_delete <= now:
                victim = self._delete()
                if victim is not None:
                    self.deleted.append(victim)
                next_delete += self._delete_every
