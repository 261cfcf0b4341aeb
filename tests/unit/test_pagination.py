"""The paginator over Insightly's skip/top lists, against a fake ``fetch`` that serves a
list of records by skip/top, records what it was asked, and can hold, fail or observe the
cancellation of any page."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterable, Callable, Mapping
from typing import Any, TypeVar

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async import MalformedResponseError, ServerError, ValidationError
from insightly_async._sansio import Answer as Response
from insightly_async.pagination import Page, Paginator

URL = "http://127.0.0.1:8765/v3.1/Contacts"
Record = dict[str, Any]
T = TypeVar("T")


def records(count: int) -> list[Record]:
    return [{"CONTACT_ID": i, "FIRST_NAME": f"n{i}"} for i in range(1, count + 1)]


def raw(item: Any) -> Any:
    return item


class FakeList:
    """A list endpoint: ``skip``/``top`` slicing, ``X-Total-Count`` on ``count_total=true``.

    Attributes:
        calls: The params mapping of every call, as received (not copied).
        gates: Pages (by skip) that wait for their event before answering.
        failures: Pages (by skip) that raise instead of answering.
        bodies: Pages (by skip) answered with this body instead of their records.
        cancelled: Skips of the calls that were cancelled while waiting.
        finished: Skips of the calls that answered.
    """

    def __init__(self, count: int, *, send_total: bool = True) -> None:
        self.data = records(count)
        self.send_total = send_total
        self.calls: list[Mapping[str, str]] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.failures: dict[int, Exception] = {}
        self.bodies: dict[int, Any] = {}
        self.cancelled: list[int] = []
        self.finished: list[int] = []
        self._cancel_seen: dict[int, asyncio.Future[None]] = {}

    def hold(self, *skips: int) -> None:
        for skip in skips:
            self.gates[skip] = asyncio.Event()

    def release(self, skip: int) -> None:
        self.gates[skip].set()

    def cancel_seen(self, skip: int) -> asyncio.Future[None]:
        if skip not in self._cancel_seen:
            self._cancel_seen[skip] = asyncio.get_running_loop().create_future()
        return self._cancel_seen[skip]

    @property
    def skips(self) -> list[int]:
        return [int(p["skip"]) for p in self.calls]

    async def __call__(self, params: Mapping[str, str]) -> Response:
        self.calls.append(params)
        paged = "skip" in params
        skip = int(params["skip"]) if paged else 0
        gate = self.gates.get(skip)
        if gate is not None:
            try:
                await gate.wait()
            except asyncio.CancelledError:
                self.cancelled.append(skip)
                self.cancel_seen(skip).set_result(None)
                raise
        if skip in self.failures:
            raise self.failures[skip]
        body: Any
        if skip in self.bodies:
            body = self.bodies[skip]
        elif paged:
            body = self.data[skip : skip + int(params["top"])]
        else:
            body = list(self.data)
        headers: CIMultiDict[str] = CIMultiDict({"Content-Type": "application/json"})
        if self.send_total and params.get("count_total") == "true":
            headers["X-Total-Count"] = str(len(self.data))
        self.finished.append(skip)
        return Response(200, CIMultiDictProxy(headers), body, "GET", URL)


def paginator(fake: FakeList, parse: Callable[[Any], Any] = raw, **options: Any) -> Paginator[Any]:
    return Paginator(fake, parse, **options)


async def collect(items: AsyncIterable[T], into: list[T]) -> None:
    """Append each item as it arrives (so a test sees what came before a failure)."""
    async for item in items:
        into.append(item)  # noqa: PERF401 - the list must grow as items arrive


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


async def settle(passes: int = 50) -> None:
    """Let the loop run until no other task is left (a bounded number of passes)."""
    for _ in range(passes):
        if not other_tasks():
            return
        await asyncio.sleep(0)


# ---------------------------------------------------------------------------------------
# Where the list ends


async def test_an_empty_list_takes_one_request_and_yields_nothing() -> None:
    fake = FakeList(0)
    assert await paginator(fake).to_list() == []
    assert fake.skips == [0]


async def test_a_full_last_page_needs_one_empty_page_to_confirm_the_end() -> None:
    fake = FakeList(500)
    assert await paginator(fake).to_list() == fake.data
    assert fake.skips == [0, 500]


async def test_with_count_total_a_full_last_page_needs_no_extra_request() -> None:
    fake = FakeList(500)
    assert await paginator(fake, count_total=True).to_list() == fake.data
    assert fake.skips == [0]


async def test_one_record_past_a_full_page_takes_a_second_page() -> None:
    fake = FakeList(501)
    got = await paginator(fake).to_list()
    assert got == fake.data
    assert fake.skips == [0, 500]


@pytest.mark.parametrize("count_total", [False, True])
async def test_a_short_page_is_the_last(count_total: bool) -> None:
    fake = FakeList(1234)
    assert await paginator(fake, count_total=count_total).to_list() == fake.data
    assert fake.skips == [0, 500, 1000]


async def test_page_size_one() -> None:
    fake = FakeList(3)
    assert await paginator(fake, page_size=1).to_list() == fake.data
    assert fake.skips == [0, 1, 2, 3]
    assert all(p["top"] == "1" for p in fake.calls)

    counted = FakeList(3)
    assert await paginator(counted, page_size=1, count_total=True).to_list() == counted.data
    assert counted.skips == [0, 1, 2]


async def test_the_default_page_size_is_the_maximum_500() -> None:
    fake = FakeList(10)
    await paginator(fake).to_list()
    assert fake.calls[0]["top"] == "500"
    explicit = FakeList(10)
    await paginator(explicit, page_size=500).to_list()
    assert explicit.calls[0]["top"] == "500"


async def test_count_total_without_the_header_still_stops_on_a_short_page() -> None:
    fake = FakeList(1200, send_total=False)
    assert await paginator(fake, count_total=True).to_list() == fake.data
    assert fake.skips == [0, 500, 1000]


async def test_count_total_without_the_header_and_concurrency_still_finishes() -> None:
    fake = FakeList(1200, send_total=False)
    got = await asyncio.wait_for(paginator(fake, count_total=True, concurrency=4).to_list(), 5)
    assert got == fake.data


async def test_a_garbled_total_is_ignored() -> None:
    fake = FakeList(600)

    async def garbled(params: Mapping[str, str]) -> Response:
        answer = await fake(params)
        headers = CIMultiDict(answer.headers)
        headers["X-Total-Count"] = "many"
        return Response(200, CIMultiDictProxy(headers), answer.data, "GET", URL)

    pages = [page async for page in Paginator(garbled, raw, count_total=True).pages()]
    assert [p.total for p in pages] == [None, None]
    assert [r for p in pages for r in p.items] == fake.data


# ---------------------------------------------------------------------------------------
# What is asked


async def test_params_carry_skip_top_count_total_and_the_callers_own() -> None:
    fake = FakeList(700)
    given = {"brief": "true", "field_name": "EMAIL_ADDRESS"}
    await paginator(fake, params=given, count_total=True).to_list()
    assert [dict(p) for p in fake.calls] == [
        {
            "brief": "true",
            "field_name": "EMAIL_ADDRESS",
            "skip": "0",
            "top": "500",
            "count_total": "true",
        },
        {
            "brief": "true",
            "field_name": "EMAIL_ADDRESS",
            "skip": "500",
            "top": "500",
            "count_total": "true",
        },
    ]
    assert given == {"brief": "true", "field_name": "EMAIL_ADDRESS"}


async def test_count_total_is_not_asked_unless_wanted() -> None:
    fake = FakeList(10)
    await paginator(fake).to_list()
    assert "count_total" not in fake.calls[0]


async def test_each_request_gets_its_own_params_that_stay_as_sent() -> None:
    # A paced fetch may read its params well after the call: they must not change meanwhile.
    fake = FakeList(1100)
    await paginator(fake, concurrency=3).to_list()
    assert len({id(p) for p in fake.calls}) == len(fake.calls)
    assert fake.skips[:3] == [0, 500, 1000]


async def test_nothing_is_fetched_before_iteration_and_each_iteration_starts_over() -> None:
    fake = FakeList(600)
    pager = paginator(fake, start=100)
    assert fake.calls == []
    first = await pager.to_list()
    second = await pager.to_list()
    assert first == second == fake.data[100:]
    assert fake.skips == [100, 600, 100, 600]


@pytest.mark.parametrize("bad", [0, -1, 501, 10_000, True, False, "10", 10.0, None])
def test_invalid_page_sizes_are_refused_naming_page_size(bad: object) -> None:
    fake = FakeList(10)
    with pytest.raises(ValidationError) as info:
        Paginator(fake, raw, page_size=bad)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert info.value.field == "page_size"
    assert "page_size" in str(info.value)
    assert fake.calls == []


@pytest.mark.parametrize("bad", [0, -2, True, 1.5, "4"])
def test_invalid_concurrency_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        Paginator(FakeList(1), raw, concurrency=bad)  # type: ignore[arg-type]
    assert info.value.field == "concurrency"


@pytest.mark.parametrize("bad", [-1, True, 1.0, "0"])
def test_invalid_start_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        Paginator(FakeList(1), raw, start=bad)  # type: ignore[arg-type]
    assert info.value.field == "start"


# ---------------------------------------------------------------------------------------
# Pages, parsing, start offset, unpaged lists


async def test_pages_report_skip_total_and_index() -> None:
    fake = FakeList(1200)
    pages = [page async for page in paginator(fake, count_total=True).pages()]
    assert all(isinstance(p, Page) for p in pages)
    assert [(p.skip, p.total, p.index, len(p.items)) for p in pages] == [
        (0, 1200, 0, 500),
        (500, 1200, 1, 500),
        (1000, 1200, 2, 200),
    ]
    assert [r for p in pages for r in p.items] == fake.data


async def test_pages_without_count_total_have_no_total() -> None:
    pages = [page async for page in paginator(FakeList(700)).pages()]
    assert [p.total for p in pages] == [None, None]


async def test_parse_turns_each_wire_dict_into_the_yielded_item() -> None:
    fake = FakeList(700)
    ids = await paginator(fake, parse=lambda d: d["CONTACT_ID"]).to_list()
    assert ids == list(range(1, 701))


async def test_raw_items_are_the_wire_dicts_untouched() -> None:
    fake = FakeList(3)
    fake.data[1]["UNKNOWN_FUTURE_FIELD"] = {"nested": [1, 2]}
    got = await paginator(fake).to_list()
    assert got == fake.data
    assert got[1]["UNKNOWN_FUTURE_FIELD"] == {"nested": [1, 2]}


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_start_skips_that_many_records(concurrency: int) -> None:
    fake = FakeList(1234)
    pager = paginator(fake, start=1000, concurrency=concurrency, count_total=True)
    pages = [page async for page in pager.pages()]
    assert [(p.skip, p.index) for p in pages] == [(1000, 0)]
    assert pages[0].items == fake.data[1000:]
    assert fake.skips == [1000]


async def test_start_past_the_end_yields_nothing() -> None:
    fake = FakeList(10)
    assert await paginator(fake, start=50).to_list() == []
    assert fake.skips == [50]


async def test_an_unpaged_list_is_one_request_without_paging_params() -> None:
    fake = FakeList(700)
    pager = paginator(fake, paged=False, params={"record_type": "contacts"}, count_total=True)
    pages = [page async for page in pager.pages()]
    assert len(fake.calls) == 1
    assert dict(fake.calls[0]) == {"record_type": "contacts"}
    assert len(pages) == 1
    assert pages[0].items == fake.data  # more than a page size: nothing more is asked


async def test_an_unpaged_list_with_a_full_page_is_still_one_request() -> None:
    fake = FakeList(500)
    assert await paginator(fake, paged=False).to_list() == fake.data
    assert len(fake.calls) == 1


# ---------------------------------------------------------------------------------------
# Bodies that are not a list


@pytest.mark.parametrize("body", [{"Message": "oops"}, None, "[]", 42])
@pytest.mark.parametrize("concurrency", [1, 3])
async def test_a_body_that_is_not_a_json_array_is_malformed(body: Any, concurrency: int) -> None:
    fake = FakeList(1200)
    fake.bodies[500] = body
    got: list[Any] = []
    with pytest.raises(MalformedResponseError) as info:
        await collect(paginator(fake, concurrency=concurrency), got)
    assert got == fake.data[:500]
    assert info.value.status == 200
    assert info.value.url == URL
    await settle()
    assert not other_tasks()


# ---------------------------------------------------------------------------------------
# Fetching ahead


def pages_needed(count: int, page_size: int, *, count_total: bool) -> int:
    """Requests a sequential read needs: up to and including the first short page, or
    with a total up to the page that reaches it."""
    if count_total:
        return max(1, math.ceil(count / page_size))
    return count // page_size + 1


@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 250, 1000])
@pytest.mark.parametrize("concurrency", [2, 3, 8, 30])
async def test_fetching_ahead_yields_everything_in_order_and_stops_near_the_end(
    count: int, concurrency: int
) -> None:
    fake = FakeList(count)
    got = await paginator(fake, page_size=100, concurrency=concurrency).to_list()
    assert got == fake.data
    needed = pages_needed(count, 100, count_total=False)
    assert len(fake.skips) == len(set(fake.skips))  # no page asked twice
    assert set(range(0, needed * 100, 100)) <= set(fake.skips)
    past_the_end = [s for s in fake.skips if s >= needed * 100]
    assert len(past_the_end) <= concurrency - 1
    await settle()
    assert not other_tasks()


@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 250, 1000])
@pytest.mark.parametrize("concurrency", [2, 3, 8, 30])
async def test_with_count_total_fetching_ahead_never_asks_past_the_total(
    count: int, concurrency: int
) -> None:
    fake = FakeList(count)
    pager = paginator(fake, page_size=100, concurrency=concurrency, count_total=True)
    got = await pager.to_list()
    assert got == fake.data
    assert sorted(fake.skips) == list(
        range(0, pages_needed(count, 100, count_total=True) * 100, 100)
    )
    assert all(s < count for s in fake.skips[1:])


async def test_with_count_total_nothing_is_fetched_ahead_until_the_first_page_answers() -> None:
    fake = FakeList(1000)
    fake.hold(0)
    pager = paginator(fake, page_size=100, concurrency=5, count_total=True)
    consumer = asyncio.ensure_future(pager.to_list())
    for _ in range(20):
        await asyncio.sleep(0)
    assert fake.skips == [0]
    fake.release(0)
    assert await consumer == fake.data
    assert sorted(fake.skips) == list(range(0, 1000, 100))


async def test_fetching_ahead_really_runs_pages_in_parallel() -> None:
    fake = FakeList(2000)
    fake.hold(0, 500, 1000, 1500)
    consumer = asyncio.ensure_future(paginator(fake, concurrency=4).to_list())
    for _ in range(20):
        await asyncio.sleep(0)
    assert fake.skips == [0, 500, 1000, 1500]  # all four asked before any answered
    for skip in (0, 500, 1000, 1500):
        fake.release(skip)
    assert await consumer == fake.data


async def test_pages_come_out_in_order_when_fetches_finish_out_of_order() -> None:
    fake = FakeList(1800)
    fake.hold(0, 500, 1000, 1500)
    seen: list[Page[Any]] = []

    consumer = asyncio.ensure_future(collect(paginator(fake, concurrency=4).pages(), seen))
    for skip in (1500, 1000, 500):
        fake.release(skip)
    for _ in range(20):
        await asyncio.sleep(0)
    assert sorted(fake.finished) == [500, 1000, 1500]
    assert seen == []  # the first page holds up the rest
    fake.release(0)
    await consumer
    assert [p.index for p in seen] == [0, 1, 2, 3]
    assert [p.skip for p in seen] == [0, 500, 1000, 1500]
    assert [r for p in seen for r in p.items] == fake.data


async def test_aclose_cancels_the_fetches_ahead_at_once() -> None:
    fake = FakeList(5000)
    fake.hold(500, 1000, 1500)
    pages = paginator(fake, concurrency=4).pages()
    async with contextlib.aclosing(pages):
        first = await pages.__anext__()
        assert first.index == 0
        assert fake.skips == [0, 500, 1000, 1500]
    assert sorted(fake.cancelled) == [500, 1000, 1500]
    assert not other_tasks()


async def test_break_out_of_async_for_cancels_the_fetches_ahead() -> None:
    fake = FakeList(5000)
    fake.hold(500, 1000, 1500)
    async for record in paginator(fake, concurrency=4):
        assert record == fake.data[0]
        break
    await asyncio.wait_for(
        asyncio.gather(*(fake.cancel_seen(s) for s in (500, 1000, 1500))), timeout=5
    )
    assert sorted(fake.cancelled) == [500, 1000, 1500]
    await settle()
    assert not other_tasks()


async def test_break_out_of_pages_cancels_the_fetches_ahead() -> None:
    fake = FakeList(5000)
    fake.hold(500, 1000)
    async for page in paginator(fake, concurrency=3).pages():
        assert page.index == 0
        break
    await asyncio.wait_for(asyncio.gather(*(fake.cancel_seen(s) for s in (500, 1000))), timeout=5)
    await settle()
    assert not other_tasks()


async def test_cancelling_the_consumer_cancels_the_fetches_ahead() -> None:
    fake = FakeList(5000)
    fake.hold(0, 500, 1000)
    consumer = asyncio.ensure_future(paginator(fake, concurrency=3).to_list())
    for _ in range(20):
        await asyncio.sleep(0)
    assert fake.skips == [0, 500, 1000]
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert sorted(fake.cancelled) == [0, 500, 1000]
    await settle()
    assert not other_tasks()


async def test_an_error_in_one_fetch_propagates_and_cancels_the_others() -> None:
    fake = FakeList(5000)
    failure = ServerError(
        status=503, method="GET", url=URL, headers={}, body="", message="unavailable"
    )
    fake.failures[500] = failure
    fake.hold(1000, 1500)
    got: list[Any] = []
    with pytest.raises(ServerError) as info:
        await collect(paginator(fake, concurrency=4), got)
    assert info.value is failure
    assert got == fake.data[:500]  # everything before the failed page, nothing after
    assert sorted(fake.cancelled) == [1000, 1500]
    assert not other_tasks()


async def test_an_error_on_the_first_page_propagates() -> None:
    fake = FakeList(10)
    fake.failures[0] = ServerError(
        status=500, method="GET", url=URL, headers={}, body="", message="boom"
    )
    with pytest.raises(ServerError):
        await paginator(fake).to_list()
    with pytest.raises(ServerError):
        await paginator(fake, concurrency=3).to_list()
    await settle()
    assert not other_tasks()


# ---------------------------------------------------------------------------------------
# One page at a chosen offset


async def test_fetch_page_asks_for_exactly_that_offset_once() -> None:
    fake = FakeList(1200)
    page = await paginator(fake, page_size=500, count_total=True).fetch_page(499)
    assert fake.skips == [499]
    assert [r["CONTACT_ID"] for r in page.items] == list(range(500, 1000))
    assert (page.skip, page.total, page.index) == (499, 1200, 0)


@pytest.mark.parametrize("skip", [-1, True, "0", 1.0])
async def test_fetch_page_refuses_a_bad_offset_before_asking(skip: Any) -> None:
    fake = FakeList(10)
    with pytest.raises(ValidationError, match="skip"):
        await paginator(fake).fetch_page(skip)
    assert fake.calls == []
