"""Contacts end to end: the layers together, from Python call to emulator store."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs
import pytest
from session_support import SessionFactory

from insightly_async import (
    APIConnectionError,
    ConflictError,
    Contact,
    InsightlySession,
    Lead,
    NotFoundError,
    Tag,
    ValidationError,
)
from insightly_async.testing import FakeInsightly

pytest_plugins = ["session_fixtures"]


async def test_create_get_update_delete(fake: FakeInsightly, crm: InsightlySession) -> None:
    created = await crm.contacts.create(Contact(first_name="Ada", email_address="ada@ex.org"))
    assert created.contact_id is not None
    assert created.id == created.contact_id
    assert created.etag
    stored = fake.store.table("contacts")[created.contact_id]
    assert stored["FIRST_NAME"] == "Ada"
    assert stored["EMAIL_ADDRESS"] == "ada@ex.org"

    fetched = await crm.contacts.get(created.contact_id)
    assert fetched.first_name == "Ada"
    assert fetched.etag

    fetched.last_name = "Lovelace"
    updated = await crm.contacts.update(fetched)
    assert updated.last_name == "Lovelace"
    (put,) = fake.log.filter("PUT", "/Contacts")
    assert put.body == {"CONTACT_ID": created.contact_id, "LAST_NAME": "Lovelace"}
    assert updated.etag != fetched.etag

    await crm.contacts.delete(created.contact_id)
    with pytest.raises(NotFoundError):
        await crm.contacts.get(created.contact_id)


async def test_update_with_nothing_changed_sends_nothing(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    contact = await crm.contacts.get(contact_id)
    assert await crm.contacts.update(contact) is contact
    assert not fake.log.filter("PUT")


async def test_partial_update_leaves_the_rest_intact_on_the_server(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"TAGS": [{"TAG_NAME": "vip"}], "VISIBLE_TO": "EVERYONE"})
    before = dict(fake.store.table("contacts")[contact_id])
    contact = await crm.contacts.get(contact_id)
    contact.title = "Countess"
    await crm.contacts.update(contact)
    after = fake.store.table("contacts")[contact_id]
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"TITLE", "DATE_UPDATED_UTC"}


async def test_a_changed_sub_collection_is_sent_whole(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"TAGS": [{"TAG_NAME": "vip"}]})
    contact = await crm.contacts.get(contact_id)
    assert contact.tags is not None
    contact.tags.append(Tag("press"))
    await crm.contacts.update(contact)
    (put,) = fake.log.filter("PUT")
    assert put.body["TAGS"] == [{"TAG_NAME": "vip"}, {"TAG_NAME": "press"}]
    assert "CUSTOMFIELDS" not in put.body
    assert "LINKS" not in put.body
    stored = fake.store.table("contacts")[contact_id]
    assert [t["TAG_NAME"] for t in stored["TAGS"]] == ["vip", "press"]


async def test_blind_update_by_id_with_if_match(fake: FakeInsightly, crm: InsightlySession) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    contact = await crm.contacts.get(contact_id)
    updated = await crm.contacts.update(contact_id, {"last_name": "Byron"}, if_match=contact.etag)
    assert updated.last_name == "Byron"
    with pytest.raises(ConflictError) as info:
        await crm.contacts.update(contact_id, {"LAST_NAME": "King"}, if_match=contact.etag)
    assert info.value.status == 400  # how the live API answers a stale ETag
    assert fake.store.table("contacts")[contact_id]["LAST_NAME"] == "Byron"


async def test_a_stale_etag_answered_412_is_a_conflict_too(make_session: SessionFactory) -> None:
    async with FakeInsightly(seed=12, rate_limit=None, etag_mismatch_status=412) as strict:
        contact_id = strict.seed({"contacts": 1})["contacts"][0]
        crm = make_session(api_key=strict.api_key, base_url=strict.base_url)
        contact = await crm.contacts.get(contact_id)
        strict.edit("contacts", contact_id, {"TITLE": "elsewhere"})
        with pytest.raises(ConflictError) as info:
            await crm.contacts.update(contact_id, {"title": "here"}, if_match=contact.etag)
        assert info.value.status == 412


async def test_bad_input_is_refused_before_anything_is_sent(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    with pytest.raises(ValidationError) as info:
        await crm.contacts.create(Contact(last_name="No first name"))
    assert info.value.field == "first_name"
    with pytest.raises(ValidationError) as info:
        await crm.contacts.create(Contact(first_name="x" * 256))
    assert info.value.field == "first_name"
    with pytest.raises(ValidationError) as info:
        await crm.contacts.update(42, {"no_such_field": 1})
    assert info.value.field == "no_such_field"
    for bad_id in (0, -3, True, "42", 4.0):
        with pytest.raises(ValidationError) as info:
            await crm.contacts.get(bad_id)  # type: ignore[arg-type]
        assert info.value.field == "id"
    assert len(fake.log) == 0


async def test_search_by_attribute_wire_and_custom_field_name(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    ids = fake.seed({"contacts": 3})["contacts"]
    fake.edit("contacts", ids[1], {"EMAIL_ADDRESS": "needle@example.org"})
    by_attr = [
        c.contact_id async for c in crm.contacts.search("email_address", "needle@example.org")
    ]
    by_wire = [
        c.contact_id async for c in crm.contacts.search("EMAIL_ADDRESS", "needle@example.org")
    ]
    assert by_attr == by_wire == [ids[1]]
    definitions = await crm.custom_fields.list("Contacts")
    text_field = next(d.field_name for d in definitions if d.field_type == "TEXT")
    assert text_field is not None
    record = fake.store.table("contacts")[ids[2]]
    fields = [f for f in record["CUSTOMFIELDS"] if f["FIELD_NAME"] != text_field]
    fake.edit(
        "contacts",
        ids[2],
        {"CUSTOMFIELDS": [*fields, {"FIELD_NAME": text_field, "FIELD_VALUE": "zebra"}]},
    )
    found = [c.contact_id async for c in crm.contacts.search(text_field, "zebra")]
    assert found == [ids[2]]
    with pytest.raises(ValidationError) as info:
        crm.contacts.search("email_adress", "x")
    assert info.value.field == "field_name"


async def test_modify_applies_fn_to_the_fresh_record(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"BACKGROUND": "a"})

    def bump(contact: Contact) -> None:
        contact.background = (contact.background or "") + "b"

    result = await crm.contacts.modify(contact_id, bump)
    assert result.background == "ab"
    (put,) = fake.log.filter("PUT")
    assert put.body == {"CONTACT_ID": contact_id, "BACKGROUND": "ab"}


async def test_modify_takes_a_returned_record_as_the_new_state(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"BACKGROUND": "a", "TITLE": "Ms"})

    result = await crm.contacts.modify(
        contact_id, lambda contact: attrs.evolve(contact, title="Countess")
    )
    assert result.title == "Countess"
    assert result.background == "a"
    (put,) = fake.log.filter("PUT")
    # Only what differs from what was read: the evolved copy holds every other field too.
    assert put.body == {"CONTACT_ID": contact_id, "TITLE": "Countess"}


async def test_modify_takes_the_record_returned_after_changing_it(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]

    def rename(contact: Contact) -> Contact:
        contact.title = "Dr"
        return contact

    assert (await crm.contacts.modify(contact_id, rename)).title == "Dr"
    (put,) = fake.log.filter("PUT")
    assert put.body == {"CONTACT_ID": contact_id, "TITLE": "Dr"}


async def test_modify_refuses_what_is_neither_a_record_nor_changes(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    with pytest.raises(ValidationError) as info:
        await crm.contacts.modify(contact_id, lambda contact: Lead(last_name="x"))  # type: ignore[arg-type,return-value]
    assert info.value.field == "fn"
    assert "not a Lead" in str(info.value)
    assert fake.log.filter("PUT") == []


async def test_modify_rereads_and_reapplies_on_conflict(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"BACKGROUND": ""})
    fake.faults.add(
        "concurrent_edit",
        method="PUT",
        path="/Contacts",
        times=2,
        edit=lambda record: {"BACKGROUND": record["BACKGROUND"] + "x"},
    )

    async def append_y(contact: Contact) -> dict[str, Any]:
        return {"background": (contact.background or "") + "y"}

    result = await crm.contacts.modify(contact_id, append_y)
    # Two concurrent edits won, each time fn was applied again on top of them.
    assert result.background == "xxy"
    assert len(fake.log.filter("PUT")) == 3


async def test_modify_gives_up_after_max_attempts(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.faults.add("concurrent_edit", method="PUT", path="/Contacts")
    with pytest.raises(ConflictError):
        await crm.contacts.modify(contact_id, lambda contact: {"title": "never"}, max_attempts=3)
    assert len(fake.log.filter("PUT")) == 3
    assert fake.store.table("contacts")[contact_id]["TITLE"] != "never"


async def test_modify_never_reapplies_over_its_own_unknown_write(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"BACKGROUND": ""})
    fake.faults.add("drop_after", method="PUT", path="/Contacts", times=1)
    calls = 0

    def append(contact: Contact) -> None:
        nonlocal calls
        calls += 1
        contact.background = (contact.background or "") + "z"

    with pytest.raises(APIConnectionError) as info:
        await crm.contacts.modify(contact_id, append)
    assert info.value.outcome_unknown
    assert calls == 1
    assert len(fake.log.filter("PUT")) == 1
    assert fake.store.table("contacts")[contact_id]["BACKGROUND"] == "z"


async def test_modify_under_ten_concurrent_callers_loses_no_update(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = fake.seed({"contacts": 1})["contacts"][0]
    fake.edit("contacts", contact_id, {"BACKGROUND": ""})
    crm = make_session()

    async def add_mark(mark: str) -> None:
        def fn(contact: Contact) -> dict[str, Any]:
            return {"background": (contact.background or "") + mark}

        await crm.contacts.modify(contact_id, fn, max_attempts=50)

    marks = [f"<{i}>" for i in range(10)]
    await asyncio.gather(*(add_mark(m) for m in marks))
    final = fake.store.table("contacts")[contact_id]["BACKGROUND"]
    assert sorted(final.replace("><", ">|<").split("|")) == sorted(marks)
