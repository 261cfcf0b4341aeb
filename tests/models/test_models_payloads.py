"""payload_from_changes() and validate(): user input becomes a wire dict, or a clear error."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from insightly_async import ValidationError
from insightly_async._facts.catalog import BY_NAME
from insightly_async.models import (
    Contact,
    CustomField,
    CustomFields,
    KnowledgeArticle,
    Lead,
    Note,
    Opportunity,
    OpportunityState,
    PriceBookEntry,
    Tag,
    Task,
    create_payload,
    payload_from_changes,
    validate,
    wire_name,
)

# ---------------------------------------------------------------------------------------
# payload_from_changes()


def test_attribute_and_wire_names() -> None:
    assert payload_from_changes(Contact, {"last_name": "Byron"}) == {"LAST_NAME": "Byron"}
    assert payload_from_changes(Contact, {"LAST_NAME": "Byron"}) == {"LAST_NAME": "Byron"}
    assert payload_from_changes(KnowledgeArticle, {"title": "T", "Body": "B"}) == {
        "Title": "T",
        "Body": "B",
    }


def test_none_clears_a_field() -> None:
    assert payload_from_changes(Contact, {"title": None}) == {"TITLE": None}


def test_values_are_converted() -> None:
    payload = payload_from_changes(
        Opportunity,
        {
            "forecast_close_date": datetime(2025, 5, 1, tzinfo=timezone.utc),
            "opportunity_state": OpportunityState.WON,
            "tags": [Tag("Big"), {"TAG_NAME": "Q2"}],
        },
    )
    assert payload == {
        "FORECAST_CLOSE_DATE": "2025-05-01 00:00:00",
        "OPPORTUNITY_STATE": "WON",
        "TAGS": [{"TAG_NAME": "Big"}, {"TAG_NAME": "Q2"}],
    }
    assert payload_from_changes(Opportunity, {"opportunity_state": "won"}) == {
        "OPPORTUNITY_STATE": "WON"
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"Hobby__c": "Chess", "Pet__c": None},
        {"custom_fields": {"Hobby__c": "Chess", "Pet__c": None}},
        {"CUSTOMFIELDS": {"Hobby__c": "Chess", "Pet__c": None}},
        {"custom_fields": CustomFields({"Hobby__c": "Chess", "Pet__c": None})},
        {"custom_fields": [CustomField("Hobby__c", "Chess")], "Pet__c": None},
    ],
)
def test_custom_fields(changes: dict[str, Any]) -> None:
    assert payload_from_changes(Contact, changes) == {
        "CUSTOMFIELDS": [
            {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Chess"},
            {"FIELD_NAME": "Pet__c", "FIELD_VALUE": None},
        ]
    }


def test_custom_field_given_twice() -> None:
    with pytest.raises(ValidationError) as caught:
        payload_from_changes(Contact, {"custom_fields": {"Hobby__c": 1}, "Hobby__c": 2})
    assert caught.value.field == "Hobby__c"


def test_unknown_name_is_refused_with_a_hint() -> None:
    with pytest.raises(ValidationError, match="did you mean 'last_name'") as caught:
        payload_from_changes(Contact, {"last_nam": "Byron"})
    assert caught.value.field == "last_nam"


def test_custom_field_names_need_a_type_with_custom_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        payload_from_changes(Note, {"Hobby__c": "Chess"})
    assert caught.value.field == "Hobby__c"


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("date_created_utc", "date_created_utc"),
        ("DATE_UPDATED_UTC", "date_updated_utc"),
        ("image_url", "image_url"),
    ],
)
def test_read_only_fields_are_refused(key: str, field: str) -> None:
    with pytest.raises(ValidationError, match="read-only") as caught:
        payload_from_changes(Contact, {key: None})
    assert caught.value.field == field


def test_the_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="record id") as caught:
        payload_from_changes(Contact, {"contact_id": 1})
    assert caught.value.field == "contact_id"


def test_create_only_fields_are_taken_when_creating_only() -> None:
    with pytest.raises(ValidationError, match="created only") as caught:
        payload_from_changes(PriceBookEntry, {"pricebook_id": 1})
    assert caught.value.field == "pricebook_id"
    values = {"pricebook_id": 1, "PRODUCT_ID": 2, "price": 9.5}
    payload = payload_from_changes(PriceBookEntry, values, creating=True)
    assert payload == {"PRICEBOOK_ID": 1, "PRODUCT_ID": 2, "PRICE": 9.5}
    validate(PriceBookEntry, payload, required=BY_NAME["price_book_entries"].required)
    with pytest.raises(ValidationError, match="read-only"):
        payload_from_changes(PriceBookEntry, {"date_created_utc": None}, creating=True)
    with pytest.raises(ValidationError, match="record id"):
        payload_from_changes(PriceBookEntry, {"pricebook_entry_id": 3}, creating=True)


def test_a_field_given_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="twice") as caught:
        payload_from_changes(Contact, {"last_name": "A", "LAST_NAME": "B"})
    assert caught.value.field == "last_name"


def test_keys_must_be_strings() -> None:
    with pytest.raises(ValidationError):
        payload_from_changes(Contact, {1: "x"})  # type: ignore[dict-item]


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValidationError, match="naive") as caught:
        payload_from_changes(Contact, {"date_of_birth": datetime(2000, 1, 1)})
    assert caught.value.field == "date_of_birth"


def test_wire_name() -> None:
    assert wire_name(Contact, "email_address") == "EMAIL_ADDRESS"
    assert wire_name(Contact, "EMAIL_ADDRESS") == "EMAIL_ADDRESS"
    assert wire_name(Contact, "Hobby__c") == "Hobby__c"
    with pytest.raises(ValidationError):
        wire_name(Contact, "nope")


# ---------------------------------------------------------------------------------------
# validate()


def test_a_good_create_payload_passes() -> None:
    contact = Contact(first_name="Ada", tags=[Tag("x")])
    contact.custom_fields = CustomFields({"Hobby__c": "Chess"})
    validate(Contact, create_payload(contact), required=BY_NAME["contacts"].required)


@pytest.mark.parametrize(
    ("payload", "state"),
    [({"LAST_NAME": "Sloan", "LEAD_SOURCE_ID": 1}, "missing"), ({"LAST_NAME": None}, "null")],
)
def test_required_fields(payload: dict[str, Any], state: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(Lead, payload, required=BY_NAME["leads"].required)
    error = caught.value
    assert error.field in ("last_name", "lead_status_id")
    assert state in str(error)
    assert "LAST_NAME" in str(error) or "LEAD_STATUS_ID" in str(error)


@pytest.mark.parametrize(
    ("model", "payload", "field", "wire"),
    [
        (Contact, {"OWNER_USER_ID": "5"}, "owner_user_id", "OWNER_USER_ID"),
        (Contact, {"OWNER_USER_ID": True}, "owner_user_id", "OWNER_USER_ID"),
        (Contact, {"OWNER_USER_ID": 1.5}, "owner_user_id", "OWNER_USER_ID"),
        (Contact, {"EMAIL_OPTED_OUT": 1}, "email_opted_out", "EMAIL_OPTED_OUT"),
        (Contact, {"FIRST_NAME": 5}, "first_name", "FIRST_NAME"),
        (Opportunity, {"BID_AMOUNT": True}, "bid_amount", "BID_AMOUNT"),
        (Opportunity, {"BID_AMOUNT": "1"}, "bid_amount", "BID_AMOUNT"),
        (Opportunity, {"BID_AMOUNT": float("nan")}, "bid_amount", "BID_AMOUNT"),
        (Contact, {"DATE_OF_BIRTH": "2025-01-01T00:00:00Z"}, "date_of_birth", "DATE_OF_BIRTH"),
        (Contact, {"DATE_OF_BIRTH": datetime.now(timezone.utc)}, "date_of_birth", "DATE_OF_BIRTH"),
        (Contact, {"TAGS": {"TAG_NAME": "x"}}, "tags", "TAGS"),
        (Task, {"COMPLETED": "yes"}, "completed", "COMPLETED"),
    ],
)
def test_types(model: type[Any], payload: dict[str, Any], field: str, wire: str) -> None:
    with pytest.raises(ValidationError, match="must be") as caught:
        validate(model, payload)
    assert caught.value.field == field
    assert wire in str(caught.value)


def test_numbers_accept_integers() -> None:
    validate(Opportunity, {"BID_AMOUNT": 1, "PROBABILITY": 50})


def test_impossible_date() -> None:
    with pytest.raises(ValidationError, match="not a real date") as caught:
        validate(Contact, {"DATE_OF_BIRTH": "2025-02-30 00:00:00"})
    assert caught.value.field == "date_of_birth"


def test_max_length() -> None:
    validate(Contact, {"SALUTATION": "x" * 50})
    with pytest.raises(ValidationError, match="at most 50") as caught:
        validate(Contact, {"SALUTATION": "x" * 51})
    assert caught.value.field == "salutation"
    assert "SALUTATION" in str(caught.value)


def test_max_length_in_sub_records() -> None:
    with pytest.raises(ValidationError, match="at most 255") as caught:
        validate(Contact, {"TAGS": [{"TAG_NAME": "ok"}, {"TAG_NAME": "x" * 256}]})
    assert caught.value.field == "tags[1].tag_name"


def test_sub_record_items_must_be_objects() -> None:
    with pytest.raises(ValidationError, match="objects") as caught:
        validate(Contact, {"TAGS": ["x"]})
    assert caught.value.field == "tags[0]"


@pytest.mark.parametrize("name", ["", "bad name", "1abc", None, "Hobby__c; DROP"])
def test_custom_field_names_must_be_well_formed(name: Any) -> None:
    payload = {"CUSTOMFIELDS": [{"FIELD_NAME": "Ok__c", "FIELD_VALUE": 1}, {"FIELD_NAME": name}]}
    with pytest.raises(ValidationError, match="custom field name") as caught:
        validate(Contact, payload)
    assert caught.value.field == "custom_fields[1].field_name"


def test_custom_field_values_must_be_json() -> None:
    payload = {"CUSTOMFIELDS": [{"FIELD_NAME": "Ok__c", "FIELD_VALUE": object()}]}
    with pytest.raises(ValidationError) as caught:
        validate(Contact, payload)
    assert caught.value.field == "custom_fields[0].field_value"


def test_legacy_custom_field_names_pass() -> None:
    validate(Contact, {"CUSTOMFIELDS": [{"FIELD_NAME": "CONTACT_FIELD_3", "FIELD_VALUE": "x"}]})


def test_unknown_keys_are_left_to_the_server() -> None:
    validate(Contact, {"FUTURE_FIELD": object()})
