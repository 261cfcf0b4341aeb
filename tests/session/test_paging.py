"""Paging through the emulator: edges, concurrency, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta, timezone

import pytest
from session_support import SessionFactory

from insightly_async import Contact, InsightlySession, ValidationError
from insightly_async.testing import FakeInsightly

pytest_plugins = ["session_fixtures"]


def _page_requests(fake: FakeInsightly) -> list[int]:
    return [int(e.query.get("skip", 0)) for e in fake.log.filter("GET", "/Contacts")]


@pytest.mark.parametrize(
    ("count", "page_size", "requests"),
    [(0, 500, 1), (499, 500, 1), (500, 500, 2), (501, 500, 2), (1000, 500, 3), (7, 3, 3)],
)
async def test_every_record_once_in_id_order(
    fake: FakeInsightly, crm: InsightlySession, count: int, page_size: int, requests: int
) -> None:
    ids = fake.seed({"contacts": count})["contacts"] if count else []
    seen = [c.contact_id async for c in crm.contacts.list(page_size=page_size)]
    assert seen == sorted(ids)
    assert len(fake.log.filter("GET", "/Contacts")) == requests


async def test_count_total_avoids_the_empty_last_page(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    fake.seed({"contacts": 1000})
    pages = [page async for page in crm.contacts.list(count_total=True).pages()]
    assert [(p.skip, len(p.items), p.total, p.index) for p in pages] == [
        (0, 500, 1000, 0),
        (500, 500, 1000, 1),
    ]
    assert _page_requests(fake) == [0, 500]


async def test_concurrency_fetches_ahead_and_yields_in_order(
    make_session: SessionFactory,
) -> None:
    async with FakeInsightly(seed=8, rate_limit=None, latency=0.05, jitter=0.04) as slow:
        ids = slow.seed({"contacts": 1250})["contacts"]
        crm = make_session(api_key=slow.api_key, base_url=slow.base_url)
        seen = [c.contact_id async for c in crm.contacts.list(page_size=100, concurrency=4)]
        assert seen == sorted(ids)
        skips = sorted(int(e.query["skip"]) for e in slow.log.filter("GET", "/Contacts"))
        # 13 pages hold the records; at most 3 more were asked for past the end.
        assert skips[:13] == [100 * i for i in range(13)]
        assert len(skips) <= 13 + 3


async def test_concurrency_larger_than_the_list(fake: FakeInsightly, crm: InsightlySession) -> None:
    ids = fake.seed({"contacts": 30})["contacts"]
    seen = [c.contact_id async for c in crm.contacts.list(page_size=100, concurrency=8)]
    assert seen == sorted(ids)
    assert len(_page_requests(fake)) <= 8
    fake.log.clear()
    counted = [c async for c in crm.contacts.list(page_size=100, concurrency=8, count_total=True)]
    assert len(counted) == 30
    # The total said there is nothing more. (Page 0 may show twice: a keep-alive connection
    # left over from the first listing's cancelled fetches can drop, and a GET is retried.
    # Those cancelled fetches may also reach the server only now: they carry no count_total.)
    counting = fake.log.filter("GET", "/Contacts")
    assert {int(e.query["skip"]) for e in counting if e.query.get("count_total")} == {0}


async def test_breaking_out_cancels_the_fetches_ahead(make_session: SessionFactory) -> None:
    async with FakeInsightly(seed=9, rate_limit=None, latency=0.3) as slow:
        slow.seed({"contacts": 3000})
        crm = make_session(api_key=slow.api_key, base_url=slow.base_url)
        async with contextlib.aclosing(
            crm.contacts.list(page_size=100, concurrency=5).pages()
        ) as pages:
            async for page in pages:
                assert page.index == 0
                break
        await asyncio.sleep(0)  # let the cancelled requests unwind
        assert slow.in_flight <= 5
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not [t for t in tasks if "Paginator" in repr(t.get_coro())]


async def test_cancelling_the_consumer_cancels_cleanly(make_session: SessionFactory) -> None:
    async with FakeInsightly(seed=10, rate_limit=None, latency=0.2) as slow:
        slow.seed({"contacts": 2000})
        crm = make_session(api_key=slow.api_key, base_url=slow.base_url)
        got: list[Contact] = []
        enough = asyncio.Event()

        async def consume() -> None:
            async for contact in crm.contacts.list(page_size=100, concurrency=4):
                got.append(contact)
                if len(got) == 150:
                    enough.set()

        task = asyncio.ensure_future(consume())
        await enough.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert 150 <= len(got) < 2000
        # The session still works after the cancellation.
        assert (await crm.users.me()).user_id is not None


async def test_raw_yields_the_wire_dicts_untouched(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = fake.seed({"contacts": 3})["contacts"]
    rows = [row async for row in crm.contacts.list(raw=True)]
    assert rows == [fake.store.table("contacts")[i] for i in ids]
    assert all(isinstance(row, dict) for row in rows)


async def test_brief_leaves_sub_collections_out(fake: FakeInsightly, crm: InsightlySession) -> None:
    fake.seed({"contacts": 2})
    rows = [row async for row in crm.contacts.list(brief=True, raw=True)]
    assert rows
    assert all("CUSTOMFIELDS" not in row and "TAGS" not in row for row in rows)


async def test_updated_after_goes_to_search_with_an_iso_date(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    fake.seed({"contacts": 5})
    since = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    rows = [c async for c in crm.contacts.list(updated_after=since)]
    assert len(rows) == 5
    (entry,) = fake.log.filter("GET", "/Contacts/Search")
    assert entry.query["updated_after_utc"] == "2020-01-02T01:04:05Z"


@pytest.mark.parametrize("page_size", [0, 501, True, "10"])
def test_page_size_is_checked_before_anything_is_sent(
    crm: InsightlySession, page_size: object
) -> None:
    with pytest.raises(ValidationError) as info:
        crm.contacts.list(page_size=page_size)  # type: ignore[call-overload]
    assert info.value.field == "page_size"


def test_a_naive_updated_after_is_refused(crm: InsightlySession) -> None:
    with pytest.raises(ValidationError) as info:
        crm.contacts.list(updated_after=datetime(2024, 1, 1))
    assert info.value.field == "updated_after"


def test_types_without_search_cannot_be_filtered_by_date(crm: InsightlySession) -> None:
    with pytest.raises(ValidationError):
        crm.pipelines.list(updated_after=datetime.now(timezone.utc))


async def test_unpaged_types_take_one_request(fake: FakeInsightly, crm: InsightlySession) -> None:
    countries = [c async for c in crm.countries.list()]
    assert countries
    (entry,) = fake.log.filter("GET", "/Countries")
    assert "skip" not in entry.query
    assert "top" not in entry.query
