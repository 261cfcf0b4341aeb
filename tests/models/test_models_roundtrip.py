"""Real responses go through the models and back unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from insightly_async.models import (
    Contact,
    CustomFieldDefinition,
    CustomObject,
    CustomObjectRecord,
    Lead,
    Model,
    Organisation,
    changes,
    converter,
    structure,
    structure_many,
    unstructure,
)

SAMPLES = Path(__file__).parents[1] / "samples"

# Every sample file and the model its records are.
SAMPLE_MODELS: dict[str, type[Model]] = {
    "read__contacts__custom-fields.json": CustomFieldDefinition,
    "read__contacts__list.json": Contact,
    "read__custom-objects__fruit.json": CustomObject,
    "read__fruits-custom-object__custom-fields.json": CustomFieldDefinition,
    "read__fruits-custom-object__list.json": CustomObjectRecord,
    "read__leads__1-first-page.json": Lead,
    "read__leads__2-second-page.json": Lead,
    "read__leads__3-last-page.json": Lead,
    "write__contacts.json": Contact,
    "write__leads.json": Lead,
}

# Sub-collections that `brief=true` leaves out.
BRIEF_DROPS = ("CUSTOMFIELDS", "TAGS", "LINKS", "DATES", "EMAILDOMAINS")


def _records(name: str) -> list[dict[str, Any]]:
    data = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def test_every_sample_file_is_covered() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.json")) == sorted(SAMPLE_MODELS)


@pytest.mark.parametrize("name", sorted(SAMPLE_MODELS))
def test_sample_round_trip_is_exact(name: str) -> None:
    model_cls = SAMPLE_MODELS[name]
    for wire in _records(name):
        model = structure(model_cls, wire)
        back = unstructure(model)
        assert back == wire
        assert list(back) == list(wire)
        # Same JSON text: same key order everywhere, ints stay ints, bools stay bools.
        assert json.dumps(back) == json.dumps(wire)
        assert model.extra == {}, "the models know every field of the real responses"
        assert changes(model) == {}


@pytest.mark.parametrize("name", sorted(SAMPLE_MODELS))
def test_sample_round_trip_through_the_converter(name: str) -> None:
    model_cls = SAMPLE_MODELS[name]
    wires = _records(name)
    models = converter.structure(wires, list[model_cls])  # type: ignore[valid-type]
    assert [converter.unstructure(m) for m in models] == wires
    assert models == structure_many(model_cls, wires)


@pytest.mark.parametrize(
    "name", [n for n, m in SAMPLE_MODELS.items() if m in (Contact, Lead, CustomObjectRecord)]
)
def test_brief_records_round_trip_without_the_missing_collections(name: str) -> None:
    model_cls = SAMPLE_MODELS[name]
    for full in _records(name):
        brief = {k: v for k, v in full.items() if k not in BRIEF_DROPS}
        model = structure(model_cls, brief)
        assert json.dumps(unstructure(model)) == json.dumps(brief)
        assert changes(model) == {}
        assert "CUSTOMFIELDS" not in unstructure(model)


def test_webhook_dates_and_legacy_custom_fields_round_trip() -> None:
    # A workflow webhook's organisation: ISO dates with fractions, old-style field names.
    wire = {
        "ORGANISATION_ID": 137789275,
        "ORGANISATION_NAME": "Evan's Auto Care",
        "DATE_CREATED_UTC": "2019-06-25T17:18:46.877",
        "CUSTOMFIELDS": [
            {"FIELD_NAME": "Industry__c", "FIELD_VALUE": "Auto Repair Mechanic"},
            {"FIELD_NAME": "ORGANISATION_FIELD_5", "FIELD_VALUE": False},
        ],
        "TAGS": [],
        "DATES": [],
        "EMAILDOMAINS": [],
    }
    org = structure(Organisation, wire)
    assert org.date_created_utc is not None
    assert org.date_created_utc.isoformat() == "2019-06-25T17:18:46.877000+00:00"
    assert org.custom_fields is not None
    assert org.custom_fields.get("ORGANISATION_FIELD_5") is False
    assert json.dumps(unstructure(org)) == json.dumps(wire)
    assert changes(org) == {}


def test_numbers_round_trip_as_they_came() -> None:
    from insightly_async.models import Opportunity

    wire = {"OPPORTUNITY_ID": 1, "BID_AMOUNT": 1, "PROBABILITY": 12.0, "BID_DURATION": None}
    opp = structure(Opportunity, wire)
    assert opp.bid_amount == 1
    assert opp.probability == 12
    assert isinstance(opp.probability, int)
    assert json.dumps(unstructure(opp)) == json.dumps(wire)
    assert changes(opp) == {}
    opp.probability = 13
    assert changes(opp) == {"PROBABILITY": 13}


def test_unknown_keys_are_kept_in_order() -> None:
    wire = {"CONTACT_ID": 1, "ETag": "abc", "FIRST_NAME": "Ada", "FUTURE": {"a": [1]}}
    contact = structure(Contact, wire)
    assert contact.extra == {"ETag": "abc", "FUTURE": {"a": [1]}}
    assert list(unstructure(contact)) == list(wire)
    assert unstructure(contact) == wire


def test_unstructure_output_does_not_share_mutable_values_with_the_record() -> None:
    wire = {"CONTACT_ID": 1, "TAGS": [{"TAG_NAME": "x"}], "FUTURE": [1]}
    contact = structure(Contact, wire)
    out = unstructure(contact)
    out["TAGS"].append({"TAG_NAME": "y"})
    out["FUTURE"].append(2)
    assert changes(contact) == {}
    assert unstructure(contact) == wire
