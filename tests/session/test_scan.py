"""The paginator's delete-safe scan, as a library user runs it against the emulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection

import pytest

from insightly_async import Contact, InsightlySession, ScanState, ValidationError
from insightly_async.testing import FakeInsightly

pytest_plugins = ["session_fixtures"]

PAGE = 10


async def _scan_ids(
    crm: InsightlySession,
    start: ScanState | None = None,
    seen_before: Callable[[], Awaitable[Collection[int]]] | None = None,
) -> list[int]:
    ids: list[int] = []
    paginator = crm.contacts.list(raw=True, page_size=PAGE)
    async for page in paginator.scan(start=start, seen_before=seen_before):
        ids += [item["CONTACT_ID"] for item in page.items]
    return ids


async def _stopped_after_two_pages(crm: InsightlySession) -> tuple[list[int], ScanState]:
    """The ids a scan yielded before its process stopped after two pages, and its state."""
    first: list[int] = []
    async for page in crm.contacts.list(raw=True, page_size=PAGE).scan():
        first += [item["CONTACT_ID"] for item in page.items]
        if page.state.pages == 2:
            return first, page.state  # the process stops here
    raise AssertionError("the list ended before two pages")


async def test_every_record_once_in_ascending_id_order(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = fake.seed({"contacts": 47})["contacts"]
    assert await _scan_ids(crm) == sorted(ids)
    # Pages overlap by one record: 47 records at 9 new ones per page after the first.
    assert len(fake.log.filter("GET", "/Contacts")) == 6


async def test_typed_records_scan_too(fake: FakeInsightly, crm: InsightlySession) -> None:
    ids = fake.seed({"contacts": 23})["contacts"]
    seen: list[int | None] = []
    async for page in crm.contacts.list(page_size=PAGE, concurrency=3).scan():
        assert all(isinstance(record, Contact) for record in page.items)
        seen += [record.id for record in page.items]
    assert seen == sorted(ids)


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_deletes_behind_the_scan_miss_nothing_that_existed_throughout(
    fake: FakeInsightly, crm: InsightlySession, concurrency: int
) -> None:
    ids = sorted(fake.seed({"contacts": 60})["contacts"])
    deleted: set[int] = set()
    seen: list[int] = []
    recovered = 0
    paginator = crm.contacts.list(raw=True, page_size=PAGE, concurrency=concurrency)
    async for page in paginator.scan():
        seen += [item["CONTACT_ID"] for item in page.items]
        recovered += page.recovered
        # Delete two records the scan has already read: everything after them shifts
        # two offsets down, into pages already read.
        for record_id in [i for i in seen if i not in deleted][:2]:
            fake.delete("contacts", record_id)
            deleted.add(record_id)
    assert len(seen) == len(set(seen)), "a record came out twice"
    assert seen == sorted(seen)
    assert set(ids) - deleted <= set(seen), "a record that existed throughout was missed"
    if concurrency == 1:
        # Each page was read after the deletes before it: the shifts were seen and repaired.
        assert recovered > 0


async def test_records_moved_by_deletes_are_read_again_and_counted(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = sorted(fake.seed({"contacts": 30})["contacts"])
    recovered = 0
    seen: list[int] = []
    async for page in crm.contacts.list(raw=True, page_size=PAGE).scan():
        seen += [item["CONTACT_ID"] for item in page.items]
        recovered += page.recovered
        if page.state.pages == 1:
            fake.delete("contacts", ids[0])
            fake.delete("contacts", ids[1])
    # Two deletes shift the list two offsets down: the overlap of one record absorbs one of
    # them, the other leaves one record (ids[10]) between the pages, read again.
    assert recovered == 1
    assert seen == ids


async def test_a_page_that_came_back_short_is_reconciled_with_the_total(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = sorted(fake.seed({"contacts": 25})["contacts"])
    fake.faults.add("stale_page", method="GET", path="/Contacts", times=1)
    pages = [page async for page in crm.contacts.list(raw=True, page_size=PAGE).scan()]
    last = pages[-1]
    assert last.reconciled
    assert len(last.items) == 1
    assert last.state.count == last.state.total == 25
    assert sorted(item["CONTACT_ID"] for page in pages for item in page.items) == ids


async def test_a_scan_resumes_from_its_checkpoint(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = sorted(fake.seed({"contacts": 40})["contacts"])
    first, checkpoint = await _stopped_after_two_pages(crm)
    fake.log.clear()
    rest = await _scan_ids(crm, start=checkpoint)
    assert first + rest == ids
    skips = [int(e.query["skip"]) for e in fake.log.filter("GET", "/Contacts")]
    assert skips[0] == checkpoint.skip  # no finished page is read again


async def test_a_resumed_scan_reconciles_with_what_the_earlier_run_yielded(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = sorted(fake.seed({"contacts": 40})["contacts"])
    first, checkpoint = await _stopped_after_two_pages(crm)
    fake.faults.add("stale_page", method="GET", path="/Contacts", times=1)
    asked: list[bool] = []

    async def seen_before() -> frozenset[int]:
        asked.append(True)
        return frozenset(first)

    rest = await _scan_ids(crm, start=checkpoint, seen_before=seen_before)
    assert asked == [True]
    assert sorted(first + rest) == ids
    assert len(first + rest) == len(ids)


async def test_lists_without_ids_cannot_be_scanned(crm: InsightlySession) -> None:
    with pytest.raises(ValidationError) as info:
        crm.countries.list().scan()
    assert info.value.field == "scan"
