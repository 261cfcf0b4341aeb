"""Seeding realistic data, direct edits, and churn while a client reads."""

from __future__ import annotations

import asyncio

import pytest
from fake_support import Api, StartFake, WallClock

from insightly_async._facts.catalog import BY_NAME
from insightly_async.testing import FakeInsightly
from insightly_async.testing._schema import shape_of

pytest_plugins = ["fake_fixtures"]


def test_seed_creates_full_records_referencing_each_other() -> None:
    fake = FakeInsightly(seed=5)
    created = fake.seed({"contacts": 30, "organisations": 5})
    assert [len(created["organisations"]), len(created["contacts"])] == [5, 30]
    assert list(created) == ["organisations", "contacts"]
    assert fake.store.count("contacts") == 30
    assert created["contacts"] == sorted(created["contacts"])
    layout = list(shape_of(BY_NAME["contacts"]).layout)
    for record in fake.store.records("contacts"):
        assert list(record) == layout
        assert record["CONTACT_ID"] > 1_000_000
        organisation = record["ORGANISATION_ID"]
        assert organisation is None or organisation in created["organisations"]


def test_seed_is_reproducible() -> None:
    # The same seed at the same moment: dates are drawn around the clock's "now", and two
    # emulators built on either side of a second's turn would otherwise differ by it.
    clock = WallClock()
    first, second = FakeInsightly(seed=9, clock=clock), FakeInsightly(seed=9, clock=clock)
    first.seed({"contacts": 10})
    second.seed({"contacts": 10})
    assert first.store.records("contacts") == second.store.records("contacts")


def test_seed_with_one_number_fills_every_type() -> None:
    fake = FakeInsightly(seed=1)
    before = {name: fake.store.count(name) for name in ("pipelines", "users")}
    created = fake.seed(3)
    assert {"contacts", "organisations", "opportunities"} <= set(created)
    assert all(len(ids) == 3 for ids in created.values())
    assert "users" not in created
    assert "pipelines" not in created
    assert {name: fake.store.count(name) for name in before} == before


def test_seed_rejects_unknown_types_and_negative_counts() -> None:
    fake = FakeInsightly()
    with pytest.raises(KeyError):
        fake.seed({"widgets": 1})
    with pytest.raises(ValueError, match="contacts"):
        fake.seed({"contacts": -1})


def test_seeding_many_records_gives_each_its_own_id_in_ascending_order() -> None:
    fake = FakeInsightly(seed=2)
    ids = fake.seed({"contacts": 20_000})["contacts"]
    assert fake.store.count("contacts") == 20_000
    assert ids == sorted(set(ids))


async def test_seeded_data_is_served(api: Api) -> None:
    api.fake.seed({"organisations": 3, "contacts": 12})
    reply = await api.get("/Contacts", params={"count_total": "true"})
    assert reply.headers["X-Total-Count"] == "12"
    record = reply.body[0]
    assert (await api.get(f"/Contacts/{record['CONTACT_ID']}")).body == record


async def test_edit_changes_a_record_as_another_user_would(api: Api, wall: WallClock) -> None:
    created = await api.post("/Contacts", {"FIRST_NAME": "Ada"})
    record_id = created.body["CONTACT_ID"]
    wall.advance(90)
    edited = api.fake.edit("contacts", record_id, {"LAST_NAME": "Byron"})
    assert edited["LAST_NAME"] == "Byron"
    assert edited["DATE_UPDATED_UTC"] == "2025-04-19 00:51:02"
    reply = await api.get(f"/Contacts/{record_id}")
    assert reply.body == edited
    assert reply.headers["ETag"] != created.headers["ETag"]
    with pytest.raises(KeyError):
        api.fake.edit("contacts", 1, {})


async def test_churn_creates_and_deletes_while_a_client_reads(start_fake: StartFake) -> None:
    fake = await start_fake()
    fake.seed({"contacts": 40})
    original = set(fake.store.ids("contacts"))
    async with fake.churn("contacts", creates_per_second=40, deletes_per_second=40) as churn:
        await asyncio.sleep(0.4)
    # Real time: 0.4 s at 40/s is about 16 of each; the bounds leave room for slow CI.
    assert 3 <= len(churn.created) <= 30
    assert 3 <= len(churn.deleted) <= 30
    ids = set(fake.store.ids("contacts"))
    assert set(churn.deleted).isdisjoint(ids)
    assert set(churn.created) - set(churn.deleted) <= ids
    assert ids == (original | set(churn.created)) - set(churn.deleted)
    assert churn.created == sorted(churn.created)
    count = len(churn.created)
    await asyncio.sleep(0.1)
    assert len(churn.created) == count


async def test_churn_arguments_are_checked(fake: FakeInsightly) -> None:
    with pytest.raises(KeyError):
        fake.churn("widgets")
    with pytest.raises(ValueError, match="per_second"):
        fake.churn("contacts", creates_per_second=-1)
