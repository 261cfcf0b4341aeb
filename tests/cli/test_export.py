"""Bulk export against the emulator: complete, lossless, resumable, safe under churn."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from export_support import define_fruit, ids_of, read_jsonl

from insightly_async import InsightlySession
from insightly_async.cli._export import Exporter, ExportOptions, ExportResult, TypeState
from insightly_async.cli._targets import UnknownTypeError, resolve
from insightly_async.testing import FakeInsightly


def session(fake: FakeInsightly, **options: Any) -> InsightlySession:
    options.setdefault("rate", 1000.0)
    options.setdefault("api_key", fake.api_key)
    return InsightlySession(base_url=fake.base_url, **options)


async def export(
    fake: FakeInsightly,
    out: Path,
    names: list[str],
    *,
    reporter: Any = None,
    session_options: dict[str, Any] | None = None,
    **options: Any,
) -> ExportResult:
    async with session(fake, **(session_options or {})) as crm:
        targets = await resolve(crm, names)
        return await Exporter(
            crm, targets, ExportOptions(out=out, **options), reporter=reporter
        ).run()


def manifest(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return data


class Hook:
    """A reporter that runs ``on_page`` each time a page of ``name`` is checkpointed."""

    def __init__(self, name: str, on_page: Callable[[int], None]) -> None:
        self.name = name
        self.on_page = on_page
        self.pages = 0

    def start(self, name: str, done: int, total: int | None) -> None:
        pass

    def advance(self, name: str, done: int, total: int | None) -> None:
        if name == self.name:
            self.pages += 1
            self.on_page(self.pages)

    def finish(self, name: str, state: str, done: int) -> None:
        pass

    def requests(self, count: int, remaining: int | None) -> None:
        pass


async def test_every_type_is_exported_record_for_record_field_for_field(tmp_path: Path) -> None:
    async with FakeInsightly(seed=3, rate_limit=None) as fake:
        fake.seed(30)
        fake.seed({"contacts": 1200})  # three pages, so the overlap and catch-up run
        fruits = define_fruit(fake)
        result = await export(fake, tmp_path, ["all"])
        assert result.state == "complete"
        assert not result.stopped_by_quota
        data = manifest(tmp_path)
        assert data["state"] == "complete"
        assert "Fruit__c" in data["types"]
        for name, entry in data["types"].items():
            exported = read_jsonl(tmp_path / f"{name}.jsonl")
            stored = fake.store.records(name)
            assert exported == stored, name
            assert [list(r) for r in exported] == [list(r) for r in stored], name  # key order
            assert entry["state"] == "complete"
            assert entry["count"] == len(stored)
            assert entry["total"] == len(stored)
        assert read_jsonl(tmp_path / "Fruit__c.jsonl") == fruits
        assert data["requests"] >= len(data["types"])
        assert data["quota"]["remaining"] == fake.remaining
        assert not list(tmp_path.glob(".*"))  # no part or temporary file left behind


async def test_a_quiet_list_costs_its_pages_and_one_catch_up_search(tmp_path: Path) -> None:
    # Nothing changes while it runs: 1,200 contacts are three overlapping pages (skip 0,
    # 499, 998), then one search for what changed during the scan; the count agrees
    # with the total, so no request goes to reconciling it.
    async with FakeInsightly(seed=3, rate_limit=None) as fake:
        fake.seed({"contacts": 1200})
        await export(fake, tmp_path, ["contacts"])
        sent = [(entry.method, entry.path, entry.query) for entry in fake.log]
    pages = [query for _, path, query in sent if path == "/Contacts"]
    searches = [query for _, path, query in sent if path == "/Contacts/Search"]
    assert [page["skip"] for page in pages] == ["0", "499", "998"]
    assert len(searches) == 1
    assert "updated_after_utc" in searches[0]
    assert len(sent) == 4, sent


@pytest.mark.parametrize("times", [1, 2])
async def test_a_page_that_came_back_short_is_found_by_the_count_and_re_read(
    tmp_path: Path, times: int
) -> None:
    async with FakeInsightly(seed=3, rate_limit=None) as fake:
        fake.seed({"contacts": 1200})
        # The first scan pages each lose their middle record, which the overlap of
        # consecutive pages cannot notice, and the first is short of a full page.
        fault = fake.faults.add("stale_page", method="GET", path="/Contacts", times=times)
        result = await export(fake, tmp_path, ["contacts"], concurrency=1)
        assert fault.hits == times
        assert result.state == "complete"
        exported = read_jsonl(tmp_path / "contacts.jsonl")
        assert sorted(exported, key=lambda r: r["CONTACT_ID"]) == fake.store.records("contacts")
        entry = manifest(tmp_path)["types"]["contacts"]
        assert entry["count"] == entry["total"] == 1200
        assert entry["reconciled"] == times


async def test_a_type_the_key_cannot_read_is_skipped_and_said_so(tmp_path: Path) -> None:
    async with FakeInsightly(seed=3, rate_limit=None) as fake:
        fake.seed({"contacts": 5})
        result = await export(
            fake, tmp_path, ["users", "contacts"], session_options={"api_key": fake.user_key}
        )
    assert result.state == "complete"
    users = manifest(tmp_path)["types"]["users"]
    assert users["state"] == "skipped"
    assert "permission" in users["reason"]
    assert not (tmp_path / "users.jsonl").exists()
    assert len(read_jsonl(tmp_path / "contacts.jsonl")) == 5


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_nothing_that_existed_throughout_is_missed_under_deletes_and_creates(
    tmp_path: Path, concurrency: int
) -> None:
    async with FakeInsightly(seed=5, rate_limit=None) as fake:
        before = fake.seed({"contacts": 2600})["contacts"]
        deleted: list[int] = []
        created: list[int] = []
        edited: list[int] = []

        def churn(page: int) -> None:
            if (tmp_path / "contacts.jsonl").exists():
                return  # the export is over: what happens now is for the next one
            # Delete records already read (at the low end): everything after them slides
            # to lower offsets, into pages the scan has passed.
            for record_id in fake.store.ids("contacts")[:3]:
                fake.delete("contacts", record_id)
                deleted.append(record_id)
            record = fake.create("contacts", {"FIRST_NAME": f"New{page}", "LAST_NAME": "Row"})
            created.append(record["CONTACT_ID"])
            survivor = fake.store.ids("contacts")[page * 10]
            fake.edit("contacts", survivor, {"BACKGROUND": f"edited on page {page}"})
            edited.append(survivor)

        hook = Hook("contacts", churn)
        result = await export(fake, tmp_path, ["contacts"], reporter=hook, concurrency=concurrency)
        assert result.state == "complete"
        assert hook.pages >= 5
        exported = read_jsonl(tmp_path / "contacts.jsonl")
        ids = ids_of(exported, "CONTACT_ID")
        assert len(ids) == len(set(ids))  # no duplicates
        survivors = set(before) - set(deleted)
        assert survivors <= set(ids)  # nothing that existed throughout is missed
        assert set(created) <= set(ids)
        assert set(ids) - set(fake.store.ids("contacts")) <= set(deleted)
        by_id = {record["CONTACT_ID"]: record for record in exported}
        for record_id in set(edited) - set(deleted):
            assert by_id[record_id] == fake.store.table("contacts")[record_id]  # latest form
        # Churn alone never makes the count fall short of the total: no second read.
        assert manifest(tmp_path)["types"]["contacts"]["reconciled"] == 0


async def test_quota_stop_saves_a_checkpoint_and_resume_finishes_without_duplicates(
    tmp_path: Path,
) -> None:
    async with FakeInsightly(seed=7, rate_limit=None) as fake:
        fake.seed({"contacts": 3000, "leads": 700})
        fake.set_remaining(6)
        first = await export(fake, tmp_path, ["contacts", "leads"], concurrency=1)
        assert first.stopped_by_quota
        assert first.state == "partial"
        data = manifest(tmp_path)
        assert data["state"] == "partial"
        contacts = TypeState.from_json(data["types"]["contacts"])
        assert contacts.state == "scanning"
        assert 0 < contacts.count < 3000
        assert not (tmp_path / "contacts.jsonl").exists()  # no half file under the real name
        assert (tmp_path / ".contacts.jsonl.part").exists()
        reads_before = len(fake.log.filter("GET", "/Contacts"))

        fake.set_remaining(100_000)
        second = await export(fake, tmp_path, ["contacts", "leads"], resume=True)
        assert second.state == "complete"
        for name, id_field in (("contacts", "CONTACT_ID"), ("leads", "LEAD_ID")):
            exported = read_jsonl(tmp_path / f"{name}.jsonl")
            assert ids_of(exported, id_field) == fake.store.ids(name)
            assert exported == fake.store.records(name)
        # Finished pages were not read again: the resumed scan starts at the checkpoint.
        resumed = [
            int(entry.query["skip"])
            for entry in fake.log.filter("GET", "/Contacts")[reads_before:]
            if entry.query.get("top") == "500"
        ]
        assert min(resumed) == contacts.skip
        assert manifest(tmp_path)["requests"] == second.requests


async def test_the_reserve_stops_before_the_allowance_falls_below_it(tmp_path: Path) -> None:
    async with FakeInsightly(seed=7, rate_limit=None, daily_limit=1000) as fake:
        fake.seed({"contacts": 3000})
        result = await export(
            fake, tmp_path, ["contacts"], session_options={"quota_reserve": 996}, concurrency=1
        )
        assert result.stopped_by_quota
        assert fake.remaining >= 996
        assert manifest(tmp_path)["state"] == "partial"


async def test_a_killed_page_write_is_truncated_back_to_the_checkpoint(tmp_path: Path) -> None:
    async with FakeInsightly(seed=9, rate_limit=None) as fake:
        fake.seed({"contacts": 1500})
        fake.set_remaining(2)
        await export(fake, tmp_path, ["contacts"], concurrency=1)
        part = tmp_path / ".contacts.jsonl.part"
        with part.open("a", encoding="utf-8") as handle:
            handle.write('{"CONTACT_ID": 1, "FIRST_NAME": "half a li')  # a crash mid-write
        fake.set_remaining(100_000)
        await export(fake, tmp_path, ["contacts"], resume=True)
        exported = read_jsonl(tmp_path / "contacts.jsonl")
        assert exported == fake.store.records("contacts")


async def test_incremental_merges_changes_including_the_same_second(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)]
    async with FakeInsightly(seed=2, rate_limit=None, clock=lambda: now[0]) as fake:
        ids = fake.seed({"contacts": 40})["contacts"]
        now[0] += timedelta(minutes=1)
        fake.edit("contacts", ids[0], {"BACKGROUND": "the newest before the export"})
        await export(fake, tmp_path, ["contacts"])
        cursor = manifest(tmp_path)["types"]["contacts"]["cursor"]
        assert cursor == "2026-11-20 09:01:00"

        # Same second as the cursor: a strictly-after filter from the cursor misses it.
        fake.edit("contacts", ids[5], {"BACKGROUND": "changed in the same second"})
        now[0] += timedelta(seconds=30)
        new = fake.create("contacts", {"FIRST_NAME": "Later", "LAST_NAME": "Comer"})
        fake.delete("contacts", ids[7])  # only a full export sees deletions

        result = await export(fake, tmp_path, ["contacts"], incremental=True)
        assert result.state == "complete"
        entry = manifest(tmp_path)["types"]["contacts"]
        assert entry["mode"] == "incremental"
        assert entry["cursor"] == "2026-11-20 09:01:30"
        exported = read_jsonl(tmp_path / "contacts.jsonl")
        by_id = {record["CONTACT_ID"]: record for record in exported}
        assert len(by_id) == len(exported) == 41
        assert by_id[ids[5]] == fake.store.table("contacts")[ids[5]]
        assert by_id[new["CONTACT_ID"]]["FIRST_NAME"] == "Later"
        # ids[0] is read again (the cursor steps back a second) but is unchanged.
        assert entry["changed"] == 2
        assert entry["total"] == 40
        searches = fake.log.filter("GET", "/Contacts/Search")
        assert searches[-1].query["updated_after_utc"] == "2026-11-20T09:00:59Z"


async def test_incremental_of_some_types_keeps_the_others_in_the_manifest(
    tmp_path: Path,
) -> None:
    async with FakeInsightly(seed=2, rate_limit=None) as fake:
        fake.seed({"contacts": 5, "leads": 5})
        await export(fake, tmp_path, ["contacts", "leads", "countries"])
        before = manifest(tmp_path)["types"]
        result = await export(fake, tmp_path, ["contacts"], incremental=True)
        assert result.state == "complete"
        after = manifest(tmp_path)["types"]
        assert set(after) == {"contacts", "leads", "countries"}
        assert after["leads"] == before["leads"]
        assert after["countries"] == before["countries"]
        assert after["contacts"]["changed"] == 0


async def test_since_exports_only_what_changed_after(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)]
    async with FakeInsightly(seed=2, rate_limit=None, clock=lambda: now[0]) as fake:
        ids = fake.seed({"contacts": 20})["contacts"]
        now[0] += timedelta(hours=1)
        for record_id in ids[:3]:
            fake.edit("contacts", record_id, {"TITLE": "Dr"})
        since = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
        await export(fake, tmp_path, ["contacts"], since=since)
    exported = read_jsonl(tmp_path / "contacts.jsonl")
    assert ids_of(exported, "CONTACT_ID") == ids[:3]
    assert manifest(tmp_path)["since"] == "2026-11-20T09:30:00Z"


async def test_since_exports_types_without_dates_whole_and_says_so(tmp_path: Path) -> None:
    async with FakeInsightly(seed=2, rate_limit=None) as fake:
        fake.seed({"contacts": 5})
        since = datetime(2000, 1, 1, tzinfo=timezone.utc)
        result = await export(fake, tmp_path, ["contacts", "pipelines", "countries"], since=since)
        assert result.state == "complete"
        for name in ("pipelines", "countries"):
            assert read_jsonl(tmp_path / f"{name}.jsonl") == fake.store.records(name)
            assert result.types[name].reason == "cannot be filtered by date: exported whole"
        assert len(read_jsonl(tmp_path / "contacts.jsonl")) == 5
        assert result.types["contacts"].reason is None


async def test_a_custom_object_the_account_lacks_is_refused_before_any_record_is_read(
    tmp_path: Path,
) -> None:
    async with FakeInsightly(seed=2, rate_limit=None) as fake:
        define_fruit(fake)
        async with session(fake) as crm:
            with pytest.raises(UnknownTypeError, match="no custom object 'Veg__c'"):
                await resolve(crm, ["contacts", "Veg__c"])
            targets = await resolve(crm, ["Fruit__c"])
        assert [target.name for target in targets] == ["Fruit__c"]
        assert [entry.path for entry in fake.log] == ["/CustomObjects"] * 2
