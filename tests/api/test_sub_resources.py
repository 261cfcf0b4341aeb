"""Sub-resources, custom objects and recorded samples, through the SDK against the emulator."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from insightly_async import (
    Contact,
    InsightlySession,
    Link,
    OpportunityState,
    ValidationError,
)
from insightly_async.models import unstructure
from insightly_async.testing import FakeInsightly

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
async def fake() -> AsyncIterator[FakeInsightly]:
    async with FakeInsightly(seed=31, rate_limit=None) as emulator:
        emulator.seed({"contacts": 3, "organisations": 2, "opportunities": 2, "projects": 1})
        yield emulator


@pytest.fixture
async def crm(fake: FakeInsightly) -> AsyncIterator[InsightlySession]:
    async with InsightlySession(api_key=fake.api_key, base_url=fake.base_url, rate=1000) as s:
        yield s


async def test_tags_add_list_remove(fake: FakeInsightly, crm: InsightlySession) -> None:
    contact_id = fake.store.ids("contacts")[0]
    await crm.contacts.tags.replace(contact_id, [])
    await crm.contacts.tags.add(contact_id, "vip")
    await crm.contacts.tags.add(contact_id, "newsletter")
    assert sorted(await crm.contacts.tags.list(contact_id)) == ["newsletter", "vip"]
    await crm.contacts.tags.remove(contact_id, "vip")
    assert await crm.contacts.tags.list(contact_id) == ["newsletter"]
    found = [c.id async for c in crm.contacts.search_by_tag("newsletter")]
    assert contact_id in found


async def test_links_add_and_delete(fake: FakeInsightly, crm: InsightlySession) -> None:
    contact_id = fake.store.ids("contacts")[0]
    org_id = fake.store.ids("organisations")[0]
    link = await crm.contacts.links.add(
        contact_id, Link(link_object_name="Organisation", link_object_id=org_id)
    )
    assert link.link_id is not None
    assert any(item.link_id == link.link_id for item in await crm.contacts.links.list(contact_id))
    await crm.contacts.links.delete(contact_id, link.link_id)
    assert all(item.link_id != link.link_id for item in await crm.contacts.links.list(contact_id))


async def test_follow_and_unfollow(fake: FakeInsightly, crm: InsightlySession) -> None:
    contact_id = fake.store.ids("contacts")[1]
    await crm.contacts.follow(contact_id)
    assert await crm.contacts.is_following(contact_id)
    await crm.contacts.unfollow(contact_id)
    assert not await crm.contacts.is_following(contact_id)


async def test_notes_are_created_through_their_parent(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    contact_id = fake.store.ids("contacts")[2]
    note = await crm.contacts.notes.create(contact_id, {"TITLE": "Called", "BODY": "About X"})
    assert note.note_id is not None
    listed = [n.note_id async for n in crm.contacts.notes.list(contact_id)]
    assert note.note_id in listed
    assert not hasattr(crm.notes, "create")  # a note has a parent, always
    with pytest.raises(ValidationError, match=r"TITLE|title"):
        await crm.contacts.notes.create(contact_id, {"BODY": "no title"})


async def test_opportunity_state_change_any_case_and_history(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    opportunity_id = fake.store.ids("opportunities")[0]
    await crm.opportunities.set_state(opportunity_id, "won", reason="Signed")
    put = fake.log.filter("PUT", "/Opportunities/*/StateChange")[-1]
    assert put.body is not None
    assert put.body["FOR_OPPORTUNITY_STATE"] == "WON"
    assert fake.store.table("opportunities")[opportunity_id]["OPPORTUNITY_STATE"] == "WON"
    history = await crm.opportunities.state_history(opportunity_id)
    assert any(change.for_opportunity_state == OpportunityState.WON for change in history)
    sent = len(fake.log)
    with pytest.raises(ValidationError, match="state"):
        await crm.opportunities.set_state(opportunity_id, "MAYBE")
    assert len(fake.log) == sent  # refused before sending


async def test_pipeline_and_stage_changes(fake: FakeInsightly, crm: InsightlySession) -> None:
    opportunity_id = fake.store.ids("opportunities")[1]
    pipeline = next(p for p in fake.store.records("pipelines") if p.get("FOR_OPPORTUNITIES"))
    in_pipeline = [
        s
        for s in fake.store.records("pipeline_stages")
        if s["PIPELINE_ID"] == pipeline["PIPELINE_ID"]
    ]
    stages = sorted(in_pipeline, key=lambda s: s["STAGE_ORDER"])
    await crm.opportunities.set_pipeline(opportunity_id, pipeline["PIPELINE_ID"])
    stored = fake.store.table("opportunities")[opportunity_id]
    assert stored["PIPELINE_ID"] == pipeline["PIPELINE_ID"]
    await crm.opportunities.set_stage(opportunity_id, stages[1]["STAGE_ID"])
    assert fake.store.table("opportunities")[opportunity_id]["STAGE_ID"] == stages[1]["STAGE_ID"]


async def test_custom_fields_and_a_custom_object(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    fields = await crm.custom_fields.list("Contacts")
    assert fields
    assert all(f.field_name and f.field_name.endswith("__c") for f in fields)
    fake.store.define_custom_object(
        sample("read__custom-objects__fruit"), sample("read__fruits-custom-object__custom-fields")
    )
    fruits = sample("read__fruits-custom-object__list")
    fake.store.insert_many("Fruit__c", copy.deepcopy(fruits))
    resource = crm.custom_object("Fruit__c")
    listed = await resource.list(raw=True).to_list()
    assert listed == fruits
    created = await resource.create({"RECORD_NAME": "Quince"})
    assert created.record_id is not None
    assert (await resource.get(created.record_id)).record_name == "Quince"
    await resource.delete(created.record_id)
    assert fake.store.get("Fruit__c", created.record_id) is None
    with pytest.raises(ValidationError, match="name"):
        crm.custom_object("Fruit")


async def test_recorded_contacts_survive_get_and_a_partial_update(
    fake: FakeInsightly, crm: InsightlySession
) -> None:
    recorded = sample("read__contacts__list")
    ids = fake.store.insert_many("contacts", copy.deepcopy(recorded))
    for record_id, wire in zip(ids, recorded, strict=True):
        contact = await crm.contacts.get(record_id)
        assert unstructure(contact) == wire  # field for field, unknown keys included
        assert list(unstructure(contact)) == list(wire)
    contact = await crm.contacts.get(ids[0])
    contact.background = "Met at the conference"
    await crm.contacts.update(contact)
    put = fake.log.filter("PUT", "/Contacts")[-1]
    assert put.body == {"CONTACT_ID": ids[0], "BACKGROUND": "Met at the conference"}
    after = fake.store.table("contacts")[ids[0]]
    for key in ("TAGS", "LINKS", "CUSTOMFIELDS", "DATES"):
        if key in recorded[0]:
            assert after[key] == recorded[0][key], key
    assert isinstance(contact, Contact)
