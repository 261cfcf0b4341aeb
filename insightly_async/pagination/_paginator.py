"""The paginator: a list streamed record by record or page by page."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Collection, Mapping
from typing import Any, Generic, TypeVar

from insightly_async._exceptions import ValidationError
from insightly_async._facts.wire import MAX_PAGE_SIZE, validate_page_size
from insightly_async.pagination._scan import Lister, ScanPage, ScanState, scan
from insightly_async.pagination._types import Ahead, Fetch, Page, total_of

__all__ = ["Paginator"]

T = TypeVar("T")

# Pages fetched ahead at most. At 10 requests per second even 10 are rarely all in flight;
# the bound keeps a typo (concurrency=100_000) from starting that many tasks.
MAX_CONCURRENCY = 64


class Paginator(Generic[T]):
    """Every record of a list, page by page.

    ``async for record in paginator`` yields records; ``async for page in
    paginator.pages()`` yields :class:`Page` objects. Nothing is fetched before iteration
    starts, and each iteration starts from the beginning.

    With ``concurrency=N``, up to N pages are fetched ahead in parallel (through the same
    pacer as everything else) and yielded in order. Without a known total it may ask for
    up to N-1 pages past the end; with ``count_total=True`` it stops at the total.
    Breaking out of the loop, or cancelling the consumer, cancels the fetches ahead.

    :meth:`scan` reads a list that changes meanwhile without missing a record (see
    :mod:`insightly_async.pagination`); it needs ``key``, the id of a record.

    The resources build paginators (``crm.contacts.list()``); building one by hand is for
    lists they do not cover.

    Args:
        fetch: Fetches one page: its query parameters in, the answer out.
        parse: Turns one item of the answer into what is yielded.
        params: Query parameters of every page, besides ``skip`` and ``top``.
        page_size: Records per request (1 to 500).
        count_total: Ask for ``X-Total-Count``: pages carry ``total``.
        concurrency: Pages fetched ahead in parallel (1 to 64).
        paged: Whether the list takes ``skip``/``top`` (else one request reads it all).
        start: Records to skip first (to resume).
        key: The id of a parsed item; :meth:`scan` needs it.

    Raises:
        ValidationError: ``page_size``, ``concurrency`` or ``start`` is out of range.
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
        key: Callable[[T], int] | None = None,
    ) -> None:
        validate_page_size(page_size)
        if (
            isinstance(concurrency, bool)
            or not isinstance(concurrency, int)
            or not 1 <= concurrency <= MAX_CONCURRENCY
        ):
            raise ValidationError(
                "concurrency", f"must be an int from 1 to {MAX_CONCURRENCY}, got {concurrency!r}"
            )
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
        self._key = key

    def __aiter__(self) -> AsyncIterator[T]:
        return self._records()

    async def _records(self) -> AsyncGenerator[T, None]:
        async with contextlib.aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield item

    async def to_list(self) -> list[T]:
        """Every record, in a list (mind the memory on big collections).

        Returns:
            The records, in the API's order.
        """
        return [item async for item in self]

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """The pages, in order.

        Returns:
            An async generator of :class:`Page` objects; nothing is fetched before it is
            iterated.
        """
        if not self._paged:
            return self._single()
        if self.concurrency == 1:
            return self._sequential()
        return self._ahead()

    async def fetch_page(self, skip: int) -> Page[T]:
        """The one page that starts ``skip`` records in (one request).

        For callers that steer the offsets themselves, such as a scan that overlaps its
        pages to notice records shifting under deletes. An unpaged list ignores ``skip``.

        Args:
            skip: The page's offset, in records.

        Returns:
            The page.

        Raises:
            ValidationError: ``skip`` is not an int >= 0.
        """
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValidationError("skip", f"must be an int >= 0, got {skip!r}")
        return await self._get(skip, skip // self.page_size)

    async def _get(
        self, skip: int, index: int, *, count_total: bool | None = None, ids: bool = False
    ) -> Page[T]:
        params = dict(self._params)
        if self._paged:
            params["skip"] = str(skip)
            params["top"] = str(self.page_size)
            if self.count_total if count_total is None else count_total:
                params["count_total"] = "true"
        response = await self._fetch(params)
        parse = self._parse
        items = [parse(item) for item in response.objects()]
        if ids and not all(_has_id(self._key, item) for item in items):
            raise response.malformed("records that each have an id")
        return Page(items, skip, total_of(response), index)

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
        next_skip, next_index = self._start, 0
        known_total: int | None = None

        def refill(ahead: Ahead[T]) -> None:
            nonlocal next_skip, next_index
            while len(ahead) < self.concurrency and self._may_fetch_ahead(
                ahead_count=len(ahead), next_skip=next_skip, known_total=known_total
            ):
                ahead.start(functools.partial(self._get, next_skip, next_index))
                next_skip += self.page_size
                next_index += 1

        async with Ahead[T]() as ahead:
            refill(ahead)
            while True:
                page = await ahead.next()
                if page.total is not None:
                    known_total = max(known_total or 0, page.total)
                if self._is_last(page):
                    yield page
                    return
                # Keep the pipeline full while the consumer works on this page.
                refill(ahead)
                yield page

    # --- the delete-safe scan --------------------------------------------------------------

    def scan(
        self,
        *,
        start: ScanState | None = None,
        seen_before: Callable[[], Awaitable[Collection[int]]] | None = None,
    ) -> AsyncGenerator[ScanPage[T], None]:
        """Every record of a list that may change while it is read, exactly once.

        Pages overlap by one record, so a record that deletes moved into a page already
        read is noticed and read again; at the end the records yielded are counted
        against ``X-Total-Count``, and what a short page left out is read again (see
        :mod:`insightly_async.pagination`). Each :class:`ScanPage` carries the scan's
        :class:`ScanState`, a checkpoint to resume from.

        Args:
            start: The state of an earlier, interrupted scan to resume.
            seen_before: With ``start``: returns the ids that scan already yielded. Called
                only if the count reconciliation has to run.

        Returns:
            An async generator of :class:`ScanPage` objects.

        Raises:
            ValidationError: the list's records have no ids (countries, currencies).
            MalformedResponseError: a record without a usable id.
        """
        key = self._key
        if key is None:
            raise ValidationError("scan", "this list's records have no ids: use pages()")
        if start is not None and not isinstance(start, ScanState):
            raise ValidationError("start", f"must be a ScanState, got {type(start).__name__}")
        if not self._paged:
            return self._scan_unpaged()

        async def get(skip: int) -> Page[T]:
            return await self._get(skip, skip // self.page_size, count_total=True, ids=True)

        lister = Lister(get, key, self.page_size, self.concurrency)
        return scan(lister, start=start, seen_before=seen_before)

    async def _scan_unpaged(self) -> AsyncGenerator[ScanPage[T], None]:
        assert self._key is not None
        page = await self._get(0, 0, ids=True)
        count = len(page.items)
        last_id = self._key(page.items[-1]) if page.items else None
        yield ScanPage(page.items, ScanState(0, last_id, count, count, 1))


def _has_id(key: Callable[[T], int] | None, item: T) -> bool:
    assert key is not None
    try:
        value = key(item)
    except (KeyError, TypeError, AttributeError):
        return False
    return isinstance(value, int) and not isinstance(value, bool)
