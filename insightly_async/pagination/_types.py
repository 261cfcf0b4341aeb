"""What a paginator fetches and yields, and the queue of pages fetched ahead."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from insightly_async._facts.wire import TOTAL_COUNT

__all__ = ["Ahead", "Fetch", "Fetched", "Page", "total_of"]

T = TypeVar("T")


class Fetched(Protocol):
    """What fetching one page gives: the decoded answer of the list request."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers (``X-Total-Count`` among them)."""

    def objects(self) -> list[dict[str, Any]]:
        """The body as a JSON array of objects (raises ``MalformedResponseError``).

        Returns:
            The objects, in the API's order.
        """

    def malformed(self, expected: str) -> Exception:
        """The error to raise for an answer that does not hold ``expected``.

        Args:
            expected: What the answer should have held (``"a list of records"``).

        Returns:
            The error (not raised).
        """


#: Fetches one page: the query parameters of the page in, the answer out.
Fetch = Callable[[Mapping[str, str]], Awaitable[Fetched]]


@attrs.frozen
class Page(Generic[T]):
    """One page of a list.

    Attributes:
        items: The records of the page, in the API's (ascending id) order.
        skip: How many records precede the page (its offset).
        total: ``X-Total-Count`` when the list was asked with ``count_total=True``.
        index: The page's number, from 0.
    """

    items: list[T]
    skip: int
    total: int | None
    index: int


def total_of(answer: Fetched) -> int | None:
    """``X-Total-Count`` of an answer (``None`` when absent or garbled)."""
    raw = answer.headers.get(TOTAL_COUNT)
    if raw is None:
        return None
    with contextlib.suppress(ValueError):
        total = int(raw)
        return total if total >= 0 else None
    return None


class Ahead(Generic[T]):
    """Pages fetched ahead, consumed in the order they were started.

    Used as an async context manager: leaving it (a ``break``, an error, a cancellation)
    cancels what is still being fetched and waits for it, so nothing outlives the loop.
    """

    def __init__(self) -> None:
        self._tasks: collections.deque[asyncio.Task[Page[T]]] = collections.deque()

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, fetch: Callable[[], Awaitable[Page[T]]]) -> None:
        """Start fetching a page. ``fetch`` makes its coroutine only once the task runs,
        so a fetch cancelled before it starts leaves no coroutine that was never awaited."""

        async def run() -> Page[T]:
            return await fetch()

        self._tasks.append(asyncio.ensure_future(run()))

    async def next(self) -> Page[T]:
        """The oldest page started, once it arrived."""
        return await self._tasks.popleft()

    async def __aenter__(self) -> Ahead[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
