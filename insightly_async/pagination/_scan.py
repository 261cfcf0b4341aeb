"""The delete-safe scan: every record of a list that changes while it is read.

Offset paging shifts under deletes: when a record is deleted, every record after it moves
one offset down, and one of them slides into a page already read. The scan makes that
visible and repairs it:

- Pages overlap by one record (``skip`` advances by ``page_size - 1``), so each page must
  begin with the last record of the one before. Lists are in ascending id order and new
  records get higher ids, so only a delete can move records to lower offsets; when it
  does, the next page starts past the record expected, and the records in between (the
  ones that slid back) are read again from the offsets before it.
- A record is yielded only when its id is above the last one yielded, so a page that
  overlaps more than expected yields nothing twice, and records come out in ascending id
  order.
- At the end the count is reconciled with ``X-Total-Count``: a correct scan yields at
  least the total the API reported with its last page (records deleted after they were
  read only add to the count). When it yielded fewer, a page came back short of what it
  held (a lagging replica), so the list is read again and every record not yielded is
  yielded in a last page (:attr:`ScanPage.reconciled`).

A record created during the scan may or may not be seen (it is, when its id lands past the
scan's position); one edited during the scan comes out as it was when its page was read.
A caller that needs those too asks ``/Search?updated_after_utc=`` for what changed since
the scan began, as the CLI's export does.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
from array import array
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection
from typing import Generic, TypeVar

import attrs

from insightly_async.pagination._types import Ahead, Page

__all__ = ["ScanPage", "ScanState", "scan"]

T = TypeVar("T")


@attrs.frozen
class ScanState:
    """Where a scan stands: pass it back as ``start`` to resume the scan there.

    Attributes:
        skip: The offset of the next page to read.
        last_id: The id of the last record yielded (``None`` before the first).
        count: Records yielded so far (by this scan and the runs it resumes).
        total: ``X-Total-Count`` as the last page reported it.
        pages: Pages read so far.
    """

    skip: int = 0
    last_id: int | None = None
    count: int = 0
    total: int | None = None
    pages: int = 0


@attrs.frozen
class ScanPage(Generic[T]):
    """What one page of a scan adds.

    Attributes:
        items: Records not yielded before, in ascending id order (a page read again after
            a delete may add nothing).
        state: The scan's position after this page: a checkpoint to resume from.
        recovered: How many of ``items`` were read again because deletes had moved them
            into pages already read.
        reconciled: This is the last page, of the records the count reconciliation found
            missing (in ascending id order, but with ids below ``state.last_id``).
    """

    items: list[T]
    state: ScanState
    recovered: int = 0
    reconciled: bool = False


@attrs.frozen
class Lister(Generic[T]):
    """What the scan needs of a list: one page by offset, the id of a record, sizes."""

    get: Callable[[int], Awaitable[Page[T]]]  # the page at an offset, with its total
    key: Callable[[T], int]  # the id of a record
    page_size: int
    concurrency: int


async def scan(
    lister: Lister[T],
    *,
    start: ScanState | None = None,
    seen_before: Callable[[], Awaitable[Collection[int]]] | None = None,
) -> AsyncGenerator[ScanPage[T], None]:
    """Scan the list from ``start`` (see the module's docstring).

    Args:
        lister: How to read the list.
        start: A checkpoint of an earlier run to resume from.
        seen_before: With ``start``: the ids the earlier runs yielded, asked for only if
            the count reconciliation has to run.
    """
    state = start or ScanState()
    size = lister.page_size
    step = size - 1  # consecutive pages share one record
    key = lister.key
    yielded = array("q")  # this run's ids, ascending: 8 bytes each
    next_skip = state.skip

    def refill(ahead: Ahead[T], total: int | None) -> None:
        # Ahead only while the reported total says there is more: a small list costs one
        # request, not `concurrency`.
        nonlocal next_skip
        while len(ahead) < lister.concurrency and (
            not len(ahead) or (total is not None and next_skip < total)
        ):
            ahead.start(functools.partial(lister.get, next_skip))
            next_skip += step

    async with Ahead[T]() as ahead:
        refill(ahead, state.total)
        while True:
            page = await ahead.next()
            # A page fetched ahead is ready at once: without this, handing on one page
            # and taking up the next would hold the event loop in one step.
            await asyncio.sleep(0)
            total = page.total if page.total is not None else state.total
            items = page.items
            last_id = state.last_id
            recovered: list[T] = []
            if last_id is not None:
                first = key(items[0]) if items else None
                if first is None or first > last_id:
                    # Deletes moved records into pages already read: fetch them back.
                    recovered = await _recover(lister, last_id, first, page.skip)
            fresh = recovered + [item for item in items if last_id is None or key(item) > last_id]
            yielded.extend(key(item) for item in fresh)
            state = ScanState(
                skip=page.skip + step,
                last_id=key(fresh[-1]) if fresh else last_id,
                count=state.count + len(fresh),
                total=total,
                pages=state.pages + 1,
            )
            # A short page ends the list, unless the total says there is more (a page
            # that came back short of what it held).
            done = len(items) < size and (total is None or page.skip + size >= total)
            yield ScanPage(fresh, state, recovered=len(recovered))
            if done:
                break
            refill(ahead, total)

    if state.total is not None and state.count < state.total:
        earlier = await seen_before() if seen_before is not None and start is not None else ()
        missing = await _missing(lister, yielded, earlier)
        state = attrs.evolve(state, count=state.count + len(missing))
        yield ScanPage(missing, state, reconciled=True)


async def _recover(lister: Lister[T], after: int, before: int | None, skip: int) -> list[T]:
    """The records with ids between ``after`` and ``before`` that sit before offset
    ``skip``, read backwards page by page until a record at or below ``after`` shows."""
    key, size = lister.key, lister.page_size
    found: dict[int, T] = {}
    end = skip
    while end > 0:
        begin = max(0, end - size)
        window = (await lister.get(begin)).items[: end - begin]
        for item in window:
            record_id = key(item)
            if record_id > after and (before is None or record_id < before):
                found[record_id] = item
        if not window or key(window[0]) <= after:
            break
        end = begin
    return [found[record_id] for record_id in sorted(found)]


async def _missing(lister: Lister[T], yielded: array[int], earlier: Collection[int]) -> list[T]:
    """Every record of the list whose id is neither in ``yielded`` (ascending) nor in
    ``earlier``, reading the whole list again (pages without overlap)."""
    key, size = lister.key, lister.page_size
    found: dict[int, T] = {}
    skip = 0
    while True:
        items = (await lister.get(skip)).items
        for item in items:
            record_id = key(item)
            index = bisect.bisect_left(yielded, record_id)
            seen = index < len(yielded) and yielded[index] == record_id
            if not seen and record_id not in earlier:
                found[record_id] = item
        if len(items) < size:
            return [found[record_id] for record_id in sorted(found)]
        skip += size
