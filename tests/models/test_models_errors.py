"""What structure() and structure_many() refuse: ResponseValidationError, never a bare error.

Wrong shapes (a non-object where a record belongs, a list that is not a list, items that are
not objects), wrong types, and values nested deeper than Python's stack would allow.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from insightly_async import InsightlyError, MalformedResponseError, ValidationError
from insightly_async.models import (
    Contact,
    CustomObjectRecord,
    Lead,
    Opportunity,
    PipelineChange,
    ResponseValidationError,
    payload_from_changes,
    structure,
    structure_many,
    unstructure,
    validate,
)
from insightly_async.models._values import MAX_DEPTH


def nested(depth: int, leaf: Any = 1, key: str = "LINKS") -> Any:
    """``leaf`` inside ``depth`` dicts, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = {key: value}
    return value


def nested_list(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


# ---------------------------------------------------------------------------------------
# The error itself


def test_response_validation_error_is_a_malformed_response_and_a_value_error() -> None:
    assert issubclass(ResponseValidationError, MalformedResponseError)
    assert issubclass(ResponseValidationError, InsightlyError)
    assert issubclass(ResponseValidationError, ValueError)


def test_it_names_type_field_wire_name_and_value() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        structure(Contact, {"CONTACT_ID": 1, "CUSTOMFIELDS": [{}, {}, {"FIELD_NAME": 5}]})
    error = caught.value
    assert (error.model, error.field, error.wire) == (
        "Contact",
        "custom_fields[2].field_name",
        "CUSTOMFIELDS[2].FIELD_NAME",
    )
    assert error.value == "5"
    assert error.problem == "expected a string"
    assert error.index is None
    assert str(error) == (
        "Contact.custom_fields[2].field_name (CUSTOMFIELDS[2].FIELD_NAME): expected a string, got 5"
    )
    # Raised apart from any request: no status, method, URL or body.
    assert (error.status, error.method, error.url, error.text) == (None, None, None, "")


def test_it_can_carry_the_request_like_any_malformed_response() -> None:
    error = ResponseValidationError(
        "expected a string",
        model="Contact",
        field="first_name",
        wire="FIRST_NAME",
        value="5",
        status=200,
        method="GET",
        url="https://api.na1.insightly.com/v3.1/Contacts/1",
        text='{"FIRST_NAME": 5}',
    )
    assert str(error) == (
        "GET https://api.na1.insightly.com/v3.1/Contacts/1 -> 200: Contact.first_name "
        "(FIRST_NAME): expected a string, got 5: '{\"FIRST_NAME\": 5}'"
    )
    assert error.status == 200


def test_malformed_response_keeps_its_message_when_the_request_is_known() -> None:
    error = MalformedResponseError(
        "the body is not valid JSON", status=502, method="GET", url="http://h/x", text="<html>"
    )
    assert str(error) == "GET http://h/x -> 502: the body is not valid JSON: '<html>'"
    bare = MalformedResponseError("expected a JSON array")
    assert str(bare) == "expected a JSON array"
    assert (bare.status, bare.method, bare.url, bare.text) == (None, None, None, "")


def test_values_are_clipped_and_control_characters_escaped() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        structure(Contact, {"FIRST_NAME": ["\r\nX-Injected: 1\x1b[31m" + "x" * 500]})
    error = caught.value
    message = str(error)
    assert "\r" not in message
    assert "\n" not in message
    assert "\x1b" not in message
    assert "\\r\\nX-Injected" in message
    assert len(error.value) <= 80
    assert len(message) < 200


def test_an_unknown_key_with_control_characters_is_escaped_in_the_message() -> None:
    with pytest.raises(ResponseValidationError) as caught:
        structure(Contact, {"BAD\r\nKEY": nested(MAX_DEPTH + 1)})
    assert caught.value.wire == "BAD\r\nKEY"
    assert "\r" not in str(caught.value)
    assert "BAD\\r\\nKEY" in str(caught.value)


def test_validation_error_messages_escape_control_characters() -> None:
    with pytest.raises(ValidationError) as caught:
        payload_from_changes(Contact, {"last\r\nname": "x"})
    assert caught.value.field == "last\r\nname"
    assert "\n" not in str(caught.value)
    assert "last\\r\\nname" in str(caught.value)


def test_huge_integers_are_shown_without_converting_them_to_text() -> None:
    with pytest.raises(ResponseValidationError, match="an integer of 20001 bits"):
        structure(Contact, {"FIRST_NAME": 2**20000})


# ---------------------------------------------------------------------------------------
# Wrong shapes


@pytest.mark.parametrize("wire", [[], [1, 2], "text", 5, 1.5, True, None])
def test_a_record_must_be_an_object(wire: Any) -> None:
    with pytest.raises(ResponseValidationError, match="expected a JSON object") as caught:
        structure(Contact, wire)
    assert (caught.value.model, caught.value.field) == ("Contact", None)


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        ({"TAGS": {"TAG_NAME": "x"}}, "tags"),
        ({"TAGS": "x"}, "tags"),
        ({"CUSTOMFIELDS": {"Hobby__c": 1}}, "custom_fields"),
        ({"LINKS": 3}, "links"),
    ],
)
def test_a_list_must_be_a_list(wire: dict[str, Any], field: str) -> None:
    with pytest.raises(ResponseValidationError, match="expected a list") as caught:
        structure(Contact, wire)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("wire", "field", "wire_name"),
    [
        ({"TAGS": [{"TAG_NAME": "a"}, "b"]}, "tags[1]", "TAGS[1]"),
        ({"CUSTOMFIELDS": [None]}, "custom_fields[0]", "CUSTOMFIELDS[0]"),
        ({"LINKS": [{}, {}, [1]]}, "links[2]", "LINKS[2]"),
    ],
)
def test_items_must_be_objects(wire: dict[str, Any], field: str, wire_name: str) -> None:
    with pytest.raises(ResponseValidationError, match="expected a JSON object") as caught:
        structure(Contact, wire)
    assert (caught.value.field, caught.value.wire) == (field, wire_name)


def test_a_nested_record_must_be_an_object() -> None:
    with pytest.raises(ResponseValidationError, match="expected a JSON object") as caught:
        structure(PipelineChange, {"PIPELINE_STAGE_CHANGE": [1]})
    assert caught.value.field == "pipeline_stage_change"
    with pytest.raises(ResponseValidationError) as caught:
        structure(PipelineChange, {"PIPELINE_STAGE_CHANGE": {"ACTIVITYSET_ASSIGNMENT": 1}})
    assert caught.value.field == "pipeline_stage_change.activityset_assignment"
    assert caught.value.wire == "PIPELINE_STAGE_CHANGE.ACTIVITYSET_ASSIGNMENT"


def test_an_opportunity_state_must_be_a_string() -> None:
    with pytest.raises(ResponseValidationError, match="expected a string"):
        structure(Opportunity, {"OPPORTUNITY_STATE": ["WON"]})
    # A state this version does not know stays a plain string.
    assert structure(Opportunity, {"OPPORTUNITY_STATE": "PENDING"}).opportunity_state == "PENDING"


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2025-02-30 00:00:00"]
)
def test_dates_out_of_range_or_impossible(text: str) -> None:
    with pytest.raises(ResponseValidationError, match="expected a date-time"):
        structure(Contact, {"DATE_OF_BIRTH": text})


@pytest.mark.parametrize("wires", [{"CONTACT_ID": 1}, "[]", b"[]", 5, None, 2.5])
def test_a_page_must_be_a_list(wires: Any) -> None:
    with pytest.raises(ResponseValidationError, match="expected a list of objects") as caught:
        structure_many(Contact, wires)
    assert caught.value.index is None


def test_a_page_names_the_record_that_does_not_fit() -> None:
    page: list[Any] = [{"CONTACT_ID": 1}, {"CONTACT_ID": 2}, {"CONTACT_ID": "3"}]
    with pytest.raises(ResponseValidationError, match=r"^item 2: Contact.contact_id") as caught:
        structure_many(Contact, page)
    assert (caught.value.index, caught.value.field) == (2, "contact_id")
    with pytest.raises(ResponseValidationError) as caught:
        structure_many(Contact, [{}, 7])  # type: ignore[list-item]
    assert (caught.value.index, caught.value.field) == (1, None)


def test_a_page_may_be_any_iterable_of_objects() -> None:
    def records() -> Iterator[dict[str, Any]]:
        yield {"CONTACT_ID": 1}
        yield {"CONTACT_ID": 2}

    assert [c.contact_id for c in structure_many(Contact, records())] == [1, 2]
    assert [c.contact_id for c in structure_many(Contact, ({"CONTACT_ID": 3},))] == [3]
    with pytest.raises(ResponseValidationError) as caught:
        structure_many(Contact, iter([{"CONTACT_ID": 1}, "x"]))  # type: ignore[arg-type]
    assert caught.value.index == 1


# ---------------------------------------------------------------------------------------
# Deep nesting


@pytest.mark.parametrize("depth", [MAX_DEPTH + 2, 900, 5_000, sys.getrecursionlimit() * 3])
def test_a_links_item_nested_deep_is_refused(depth: int) -> None:
    with pytest.raises(ResponseValidationError, match="nested at most 64 levels deep") as caught:
        structure(Lead, {"LEAD_ID": 1, "LINKS": [nested(depth)]})
    assert caught.value.field == "links[0].extra['LINKS']"
    assert caught.value.wire == "LINKS[0].LINKS"


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        ({"CUSTOMFIELDS": [{"FIELD_VALUE": nested(900)}]}, "custom_fields[0].field_value"),
        ({"CUSTOMFIELDS": [{"FIELD_VALUE": nested_list(900)}]}, "custom_fields[0].field_value"),
        ({"FUTURE": nested_list(5_000)}, "extra['FUTURE']"),
        ({"FUTURE": nested(900)}, "extra['FUTURE']"),
    ],
)
def test_deep_values_anywhere_are_refused(wire: dict[str, Any], field: str) -> None:
    with pytest.raises(ResponseValidationError, match="levels deep") as caught:
        structure(CustomObjectRecord, wire)
    assert caught.value.field == field


def test_deep_records_in_a_page() -> None:
    page: list[dict[str, Any]] = [{"LEAD_ID": 1}, {"LEAD_ID": 2, "LINKS": [nested(900)]}]
    with pytest.raises(ResponseValidationError) as caught:
        structure_many(Lead, page)
    assert caught.value.index == 1


def test_values_as_deep_as_allowed_round_trip() -> None:
    wire = {"CONTACT_ID": 1, "FUTURE": nested(MAX_DEPTH), "CUSTOMFIELDS": [{"FIELD_VALUE": 1}]}
    wire["CUSTOMFIELDS"][0]["FIELD_VALUE"] = nested_list(MAX_DEPTH)
    contact = structure(Contact, wire)
    assert unstructure(contact) == wire
    with pytest.raises(ResponseValidationError):
        structure(Contact, {"FUTURE": nested(MAX_DEPTH + 1)})


def test_deep_values_given_by_the_caller_are_refused_before_sending() -> None:
    with pytest.raises(ValidationError, match="levels deep"):
        payload_from_changes(Contact, {"Hobby__c": nested_list(5_000)})
    contact = structure(Contact, {"CONTACT_ID": 1})
    contact.extra["FUTURE"] = nested(5_000)
    with pytest.raises(ValidationError, match="levels deep"):
        unstructure(contact)
    with pytest.raises(ValidationError, match="at most 64 levels deep"):
        validate(Contact, {"CUSTOMFIELDS": [{"FIELD_NAME": "A__c", "FIELD_VALUE": nested(900)}]})
