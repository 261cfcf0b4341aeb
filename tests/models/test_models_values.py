"""Dates, opportunity states, custom fields by name, and what structure() refuses."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from insightly_async import ValidationError
from insightly_async._exceptions import ResponseValidationError
from insightly_async.models import (
    Contact,
    CustomField,
    CustomFields,
    Opportunity,
    OpportunityState,
    OpportunityStateChange,
    Tag,
    changes,
    converter,
    format_datetime,
    make_converter,
    parse_datetime,
    structure,
    unstructure,
)

UTC = timezone.utc

# ---------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-19 00:49:32", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
        ("2025-04-19T00:49:32", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
        ("2019-06-25T17:18:46.877", datetime(2019, 6, 25, 17, 18, 46, 877000, tzinfo=UTC)),
        ("2019-06-25T17:18:46.8", datetime(2019, 6, 25, 17, 18, 46, 800000, tzinfo=UTC)),
        ("2019-06-25T17:18:46.1234567", datetime(2019, 6, 25, 17, 18, 46, 123456, tzinfo=UTC)),
        ("2018-04-09T16:58:14Z", datetime(2018, 4, 9, 16, 58, 14, tzinfo=UTC)),
        ("2018-04-09T16:58:14.5z", datetime(2018, 4, 9, 16, 58, 14, 500000, tzinfo=UTC)),
        ("2018-04-09T18:58:14+02:00", datetime(2018, 4, 9, 16, 58, 14, tzinfo=UTC)),
        ("2018-04-09T18:58:14+0200", datetime(2018, 4, 9, 16, 58, 14, tzinfo=UTC)),
        ("2018-04-09T11:58:14-05:00", datetime(2018, 4, 9, 16, 58, 14, tzinfo=UTC)),
        ("2018-04-09 16:58", datetime(2018, 4, 9, 16, 58, tzinfo=UTC)),
        ("2016-03-31", datetime(2016, 3, 31, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2025-13-01 00:00:00", "2025-04-19 25:00:00"])
def test_parse_datetime_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_datetime(text)


def test_format_datetime() -> None:
    assert format_datetime(datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)) == "2025-04-19 00:49:32"
    # Converted to UTC; fractions dropped.
    paris = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2025, 4, 19, 2, 0, 0, 999999, tzinfo=paris)) == (
        "2025-04-19 00:00:00"
    )
    assert format_datetime(datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC)) == "0005-01-02 03:04:05"
    assert format_datetime(date(2025, 4, 19)) == "2025-04-19 00:00:00"


def test_format_datetime_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationError, match="naive") as caught:
        format_datetime(datetime(2025, 4, 19), "due_date")
    assert caught.value.field == "due_date"


def test_dates_in_records() -> None:
    contact = structure(Contact, {"DATE_OF_BIRTH": "1990-01-01 00:00:00"})
    assert contact.date_of_birth == datetime(1990, 1, 1, tzinfo=UTC)
    contact.date_of_birth = datetime(1990, 1, 2, tzinfo=UTC)
    assert unstructure(contact) == {"DATE_OF_BIRTH": "1990-01-02 00:00:00"}


def test_converter_hooks_for_plain_values() -> None:
    assert converter.structure("2025-04-19 00:49:32", datetime) == datetime(
        2025, 4, 19, 0, 49, 32, tzinfo=UTC
    )
    assert converter.unstructure(datetime(2025, 4, 19, tzinfo=UTC)) == "2025-04-19 00:00:00"
    assert converter.structure("won", OpportunityState) is OpportunityState.WON
    assert converter.unstructure(OpportunityState.LOST) == "LOST"


def test_make_converter_builds_an_independent_converter() -> None:
    other = make_converter()
    assert other is not converter
    wire = {"CONTACT_ID": 1, "TAGS": [{"TAG_NAME": "x"}]}
    assert other.structure(wire, Contact) == structure(Contact, wire)
    assert other.unstructure(other.structure(wire, Contact)) == wire


# ---------------------------------------------------------------------------------------
# OpportunityState


@pytest.mark.parametrize("text", ["WON", "won", "Won", " won "])
def test_opportunity_state_is_case_insensitive(text: str) -> None:
    assert OpportunityState(text) is OpportunityState.WON
    assert OpportunityState.parse(text) is OpportunityState.WON


def test_opportunity_state_values() -> None:
    assert [s.value for s in OpportunityState] == ["OPEN", "WON", "LOST", "ABANDONED", "SUSPENDED"]
    assert str(OpportunityState.SUSPENDED) == "SUSPENDED"
    assert f"{OpportunityState.OPEN}" == "OPEN"
    assert OpportunityState.WON == "WON"
    assert json.dumps(OpportunityState.WON) == '"WON"'


def test_opportunity_state_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="Pending"):
        OpportunityState.parse("Pending")


def test_state_change_payload() -> None:
    change = OpportunityStateChange(for_opportunity_state="won", state_reason="Signed")
    assert unstructure(change) == {"FOR_OPPORTUNITY_STATE": "WON", "STATE_REASON": "Signed"}
    history = structure(
        OpportunityStateChange,
        {
            "OPPORTUNITY_ID": 7,
            "DATE_CHANGED_UTC": "2025-04-19 00:00:00",
            "FOR_OPPORTUNITY_STATE": "Open",
        },
    )
    assert history.for_opportunity_state is OpportunityState.OPEN


# ---------------------------------------------------------------------------------------
# Custom fields by name


def test_custom_fields_by_name() -> None:
    fields = CustomFields([CustomField("Hobby__c", "Skiing"), CustomField("Weight__c", 12)])
    assert fields["Hobby__c"] == "Skiing"
    assert fields.get("Nope__c") is None
    assert fields.get("Nope__c", "-") == "-"
    assert "Weight__c" in fields
    assert "Nope__c" not in fields
    with pytest.raises(KeyError):
        fields["Nope__c"]
    item = fields.field("Weight__c")
    assert item is not None
    assert item.field_value == 12
    assert list(fields) == ["Hobby__c", "Weight__c"]
    assert len(fields) == 2
    assert dict(fields) == {"Hobby__c": "Skiing", "Weight__c": 12}
    assert fields == {"Hobby__c": "Skiing", "Weight__c": 12}
    assert fields == CustomFields({"Hobby__c": "Skiing", "Weight__c": 12})
    assert fields != CustomFields([CustomField("Hobby__c", "Skiing", "Hobby__c")])


def test_custom_fields_set_keeps_order_and_appends() -> None:
    fields = CustomFields({"A__c": 1, "B__c": 2})
    fields["A__c"] = 10
    fields.set("C__c", 3)
    fields.update({"B__c": 20, "D__c": 4})
    assert list(fields.items()) == [("A__c", 10), ("B__c", 20), ("C__c", 3), ("D__c", 4)]
    assert [item.field_name for item in fields.fields] == ["A__c", "B__c", "C__c", "D__c"]
    del fields["C__c"]
    assert list(fields) == ["A__c", "B__c", "D__c"]
    with pytest.raises(KeyError):
        del fields["C__c"]
    assert repr(fields) == "CustomFields({'A__c': 10, 'B__c': 20, 'D__c': 4})"


def test_custom_fields_edits_show_in_changes() -> None:
    wire: dict[str, Any] = {
        "CONTACT_ID": 1,
        "CUSTOMFIELDS": [
            {"FIELD_NAME": "A__c", "FIELD_VALUE": 1, "CUSTOM_FIELD_ID": "A__c"},
            {"FIELD_NAME": "B__c", "FIELD_VALUE": 2, "CUSTOM_FIELD_ID": "B__c"},
        ],
    }
    contact = structure(Contact, wire)
    assert contact.custom_fields is not None
    del contact.custom_fields["A__c"]
    assert changes(contact) == {"CUSTOMFIELDS": [wire["CUSTOMFIELDS"][1]]}
    contact.custom_fields.fields.insert(0, CustomField("Z__c", None))
    assert changes(contact)["CUSTOMFIELDS"][0] == {"FIELD_NAME": "Z__c", "FIELD_VALUE": None}


def test_custom_fields_of_a_read_record() -> None:
    wire = {
        "CONTACT_ID": 1,
        "CUSTOMFIELDS": [
            {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing", "CUSTOM_FIELD_ID": "Hobby__c"}
        ],
    }
    contact = structure(Contact, wire)
    assert isinstance(contact.custom_fields, CustomFields)
    assert contact.custom_fields.get("Hobby__c") == "Skiing"
    assert contact.custom_fields.fields[0].custom_field_id == "Hobby__c"


# ---------------------------------------------------------------------------------------
# What structure() refuses


@pytest.mark.parametrize(
    ("wire", "match", "field"),
    [
        (
            {"CONTACT_ID": "abc"},
            r"Contact.contact_id \(CONTACT_ID\): expected an integer",
            "contact_id",
        ),
        ({"CONTACT_ID": True}, "expected an integer", "contact_id"),
        ({"CONTACT_ID": 1.5}, "expected an integer", "contact_id"),
        ({"FIRST_NAME": 5}, "expected a string", "first_name"),
        ({"EMAIL_OPTED_OUT": "no"}, "expected true or false", "email_opted_out"),
        ({"DATE_OF_BIRTH": "soon"}, "expected a date-time", "date_of_birth"),
        ({"CUSTOMFIELDS": {"Hobby__c": 1}}, "expected a list", "custom_fields"),
        ({"TAGS": ["x"]}, r"Contact.tags\[0\] \(TAGS\[0\]\): expected a JSON object", "tags[0]"),
    ],
)
def test_structure_refuses_values_of_the_wrong_type(
    wire: dict[str, object], match: str, field: str
) -> None:
    with pytest.raises(ResponseValidationError, match=match) as caught:
        structure(Contact, wire)
    assert caught.value.model == "Contact"
    assert caught.value.field == field
    # Also a ValueError, as structure() raised before ResponseValidationError existed.
    assert isinstance(caught.value, ValueError)


def test_structure_refuses_what_is_not_an_object() -> None:
    with pytest.raises(ResponseValidationError, match="expected a JSON object") as caught:
        structure(Contact, [1, 2])  # type: ignore[arg-type]
    assert caught.value.field is None


def test_structure_refuses_classes_that_are_not_models() -> None:
    with pytest.raises(TypeError):
        structure(dict, {})  # type: ignore[type-var]


def test_numbers_accept_integers_and_bools_are_not_numbers() -> None:
    assert structure(Opportunity, {"BID_AMOUNT": 3}).bid_amount == 3
    assert structure(Opportunity, {"BID_AMOUNT": 3.25}).bid_amount == 3.25
    with pytest.raises(ResponseValidationError, match="expected a number"):
        structure(Opportunity, {"BID_AMOUNT": False})


def test_sub_records_keep_unknown_keys() -> None:
    contact = structure(Contact, {"TAGS": [{"TAG_NAME": "x", "TAG_COLOUR": "red"}]})
    assert contact.tags == [Tag("x", extra={"TAG_COLOUR": "red"})]
    assert unstructure(contact) == {"TAGS": [{"TAG_NAME": "x", "TAG_COLOUR": "red"}]}
