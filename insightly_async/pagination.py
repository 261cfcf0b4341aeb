"""Skip/top paging over Insightly's bare-array lists.

Insightly lists are JSON arrays in ascending id order with no envelope and no next link:
a page shorter than ``top`` is the last one. With ``count_total`` every page also reports
the total, so the end is known without asking for an empty page.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from insightly_async._exceptions import ValidationError
from insightly_async._facts.wire import MAX_PAGE_SIZE, TOTAL_COUNT, validate_page_size

__all__ = ["Fetched", "Page", "Paginator"]

T = TypeVar("T")


class Fetched(Protocol):
    """What fetching one page gives: the decoded answer of the list request."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def data(self) -> Any: ...

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> str: ...

    def objects(self) -> list[dict[str, Any]]:
        """The body as a JSON array of objects (raises ``MalformedResponseError``)."""


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


class Paginator(Generic[T]):
    """Every record of a list, page by page.

    ``async for record in paginator`` yields records; ``async for page in
    paginator.pages()`` yields :class:`Page` objects. Nothing is fetched before iteration
    starts, and each iteration starts from the beginning.

    With ``concurrency=N``, up to N pages are fetched ahead in parallel (through the same
    pacer as everything else) and yielded in order. Without a known total it may ask for
    up to N-1 pages past the end; with ``count_total=True`` it stops at the total.
    Breaking out of the loop, or cancelling the consumer, cancels the fetches ahead.
    """

    def __init__(
        self,
        fetch: Fetch,
        parse: Callable[[Any], T],
        *,
        params: Mapping[str, str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
        count_total: bool = False,
        concurrency: int = 1,
        paged: bool = True,
        start: int = 0,
    ) -> None:
        validate_page_size(page_size)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValidationError("concurrency", f"must be an int >= 1, got {concurrency!r}")
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValidationError("start", f"must be an int >= 0, got {start!r}")
        self._fetch = fetch
        self._parse = parse
        self._params = dict(params or {})
        self.page_size = page_size
        self.count_total = count_total
        self.concurrency = concurrency
        self._paged = paged
        self._start = start

    def __aiter__(self) -> AsyncIterator[T]:
        return self._records()

    async def _records(self) -> AsyncGenerator[T, None]:
        async with contextlib.aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield item

    async def to_list(self) -> list[T]:
        """Every record, in a list (mind the memory on big collections)."""
        return [item async for item in self]

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """The pages, in order."""
        if not self._paged:
            return self._single()
        if self.concurrency == 1:
            return self._sequential()
        return self._ahead()

    async def fetch_page(self, skip: int) -> Page[T]:
        """The one page that starts ``skip`` records in (one request).

        For callers that steer the offsets themselves, such as a scan that overlaps its
        pages to notice records shifting under deletes. An unpaged list ignores ``skip``.
        """
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValidationError("skip", f"must be an int >= 0, got {skip!r}")
        return await self._get(skip, skip // self.page_size)

    async def _get(self, skip: int, index: int) -> Page[T]:
        params = dict(self._params)
        if self._paged:
            params["skip"] = str(skip)
            params["top"] = str(self.page_size)
            if self.count_total:
                params["count_total"] = "true"
        response = await self._fetch(params)
        data = response.objects()
        total: int | None = None
        raw_total = response.headers.get(TOTAL_COUNT)
        if raw_total is not None:
            with contextlib.suppress(ValueError):
                total = int(raw_total)
        parse = self._parse
        return Page([parse(item) for item in data], skip, total, index)

    def _is_last(self, page: Page[T]) -> bool:
        if len(page.items) < self.page_size:
            return True
        return page.total is not None and page.skip + len(page.items) >= page.total

    async def _single(self) -> AsyncGenerator[Page[T], None]:
        yield await self._get(0, 0)

    async def _sequential(self) -> AsyncGenerator[Page[T], None]:
        skip, index = self._start, 0
        while True:
            page = await self._get(skip, index)
            yield page
            if self._is_last(page):
                return
            skip += self.page_size
            index += 1

    def _may_fetch_ahead(
        self, *, ahead_count: int, next_skip: int, known_total: int | None
    ) -> bool:
        if ahead_count == 0:
            return True  # the page at the head was full: there is more to read
        if known_total is None:
            # With count_total, the first page tells where the end is: wait for it rather
            # than spend requests on pages past the end of a small list.
            return not self.count_total
        return next_skip < known_total

    async def _ahead(self) -> AsyncGenerator[Page[T], None]:
        ahead: collections.deque[asyncio.Task[Page[T]]] = collections.deque()
        next_skip, next_index = self._start, 0
        known_total: int | None = None

        def refill() -> None:
            nonlocal next_skip, next_index
            while len(ahead) < self.concurrency and self._may_fetch_ahead(
                ahead_count=len(ahead), next_skip=next_skip, known_total=known_total
            ):
                ahead.append(asyncio.ensure_future(self._get(next_skip, next_index)))
                next_skip += self.page_size
                next_index += 1

        try:
            refill()
            while True:
                page = await ahead.popleft()
                if page.total is not None:
                    known_total = max(known_total or 0, page.total)
                if self._is_last(page):
                    yield page
                    return
                # Keep the pipeline full while the consumer works on this page.
                refill()
                yield page
        finally:
            for task in ahead:
                task.cancel()
            if ahead:
                await asyncio.gather(*ahead, return_exceptions=True)
