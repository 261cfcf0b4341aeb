"""Recorded real responses are served back unchanged, custom objects included."""

from __future__ import annotations

import copy

import pytest
from fake_support import Api, sample

pytest_plugins = ["fake_fixtures"]

RECORDS = [
    ("contacts", "Contacts", "CONTACT_ID", "read__contacts__list"),
    ("contacts", "Contacts", "CONTACT_ID", "write__contacts"),
    ("leads", "Leads", "LEAD_ID", "read__leads__1-first-page"),
    ("leads", "Leads", "LEAD_ID", "read__leads__2-second-page"),
    ("leads", "Leads", "LEAD_ID", "write__leads"),
]


@pytest.mark.parametrize(("type_name", "path", "id_field", "name"), RECORDS)
async def test_recorded_records_are_served_field_for_field(
    api: Api, type_name: str, path: str, id_field: str, name: str
) -> None:
    recorded = sample(name)
    records = recorded if isinstance(recorded, list) else [recorded]
    for record in records:
        stored = api.fake.store.insert(type_name, record)
        assert stored == record
    for record in records:
        reply = await api.get(f"/{path}/{record[id_field]}")
        assert reply.status == 200
        assert list(reply.body) == list(record)
        assert reply.body == record
        assert reply.headers["ETag"]
    listed = await api.get(f"/{path}")
    assert listed.body == sorted(records, key=lambda r: r[id_field])


async def test_recorded_pages_in_id_order(api: Api) -> None:
    pages = sample("read__leads__1-first-page") + sample("read__leads__2-second-page")
    api.fake.store.insert_many("leads", copy.deepcopy(pages))
    first = await api.get("/Leads", params={"top": "2"})
    second = await api.get("/Leads", params={"top": "2", "skip": "2"})
    last = await api.get("/Leads", params={"top": "2", "skip": "4"})
    assert first.body + second.body == sorted(pages, key=lambda r: r["LEAD_ID"])
    assert last.body == sample("read__leads__3-last-page") == []


async def test_recorded_contact_custom_fields_are_served_field_for_field(api: Api) -> None:
    fields = sample("read__contacts__custom-fields")
    api.fake.store.set_custom_fields("Contacts", copy.deepcopy(fields))
    served = (await api.get("/CustomFields/Contacts")).body
    assert served == fields
    assert [list(field) for field in served] == [list(field) for field in fields]


async def test_custom_object_is_served_like_the_recording(api: Api) -> None:
    definition = sample("read__custom-objects__fruit")
    fields = sample("read__fruits-custom-object__custom-fields")
    fruits = sample("read__fruits-custom-object__list")
    api.fake.store.define_custom_object(definition, fields)
    api.fake.store.insert_many("Fruit__c", copy.deepcopy(fruits))
    assert (await api.get("/CustomObjects")).body == [definition]
    assert (await api.get("/CustomObjects/Fruit__c")).body == definition
    assert (await api.get("/CustomFields/Fruit__c")).body == fields
    listed = await api.get("/Fruit__c")
    assert listed.status == 200
    assert listed.body == fruits
    assert [list(r) for r in listed.body] == [list(r) for r in fruits]
    one = await api.get(f"/Fruit__c/{fruits[0]['RECORD_ID']}")
    assert one.body == fruits[0]
    assert one.headers["ETag"]


async def test_custom_object_records_are_written_and_searched(api: Api) -> None:
    api.fake.store.define_custom_object(
        sample("read__custom-objects__fruit"), sample("read__fruits-custom-object__custom-fields")
    )
    created = await api.post(
        "/Fruit__c",
        {
            "RECORD_NAME": "Cherry",
            "CUSTOMFIELDS": [{"FIELD_NAME": "Weight__c", "FIELD_VALUE": 0.5}],
        },
    )
    assert created.status == 201, created.text
    record = created.body
    assert list(record) == list(sample("read__fruits-custom-object__list")[0])
    assert record["RECORD_ID"] > 54_000_000
    assert record["CUSTOMFIELDS"] == [
        {"FIELD_NAME": "Weight__c", "FIELD_VALUE": 0.5, "CUSTOM_FIELD_ID": "Weight__c"}
    ]
    assert created.headers["Location"].endswith(f"/Fruit__c/{record['RECORD_ID']}")
    assert (await api.post("/Fruit__c", {"CUSTOMFIELDS": []})).status == 400
    bad_field = await api.post(
        "/Fruit__c",
        {"RECORD_NAME": "x", "CUSTOMFIELDS": [{"FIELD_NAME": "Color", "FIELD_VALUE": "r"}]},
    )
    assert bad_field.status == 400
    assert "Color" in bad_field.message
    updated = await api.put(
        "/Fruit__c", {"RECORD_ID": record["RECORD_ID"], "RECORD_NAME": "Sour cherry"}
    )
    assert updated.status == 200
    assert updated.body["RECORD_NAME"] == "Sour cherry"
    found = await api.get(
        "/Fruit__c/Search", params={"field_name": "Weight__c", "field_value": "0.5"}
    )
    assert [r["RECORD_ID"] for r in found.body] == [record["RECORD_ID"]]
    assert (await api.delete(f"/Fruit__c/{record['RECORD_ID']}")).status == 202
    assert (await api.get(f"/Fruit__c/{record['RECORD_ID']}")).status == 404
    assert (await api.get("/Vegetable__c")).status == 404
    assert (await api.call("PATCH", "/Fruit__c")).status == 405
