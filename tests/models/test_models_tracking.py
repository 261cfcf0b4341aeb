"""What was read, what changed, and what goes out: None versus absent, changes(), payloads."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from insightly_async import ValidationError
from insightly_async.models import (
    Contact,
    CustomField,
    CustomFields,
    KnowledgeArticle,
    Link,
    Opportunity,
    OpportunityState,
    PriceBookEntry,
    RecordDate,
    Tag,
    changes,
    create_payload,
    mark_clean,
    structure,
    unstructure,
)

SAMPLES = Path(__file__).parents[1] / "samples"


def _contact_wire() -> dict[str, Any]:
    wire: dict[str, Any] = json.loads(
        (SAMPLES / "read__contacts__list.json").read_text(encoding="utf-8")
    )[0]
    return wire


@pytest.fixture
def wire() -> dict[str, Any]:
    return _contact_wire()


@pytest.fixture
def contact(wire: dict[str, Any]) -> Contact:
    return structure(Contact, wire, etag='W/"1"')


# ---------------------------------------------------------------------------------------
# The basics of a model


def test_structured_record_attributes(contact: Contact) -> None:
    assert contact.id == contact.contact_id == 366638973
    assert contact.first_name == "Pamela"
    assert contact.visible_to == "EVERYONE"
    assert contact.image_url is None
    assert contact.date_created_utc == datetime(2025, 4, 19, 0, 49, 32, tzinfo=timezone.utc)
    assert contact.custom_fields is not None
    assert contact.custom_fields.get("Hobby__c") == "Skiing"
    assert contact.tags == []
    assert contact.etag == 'W/"1"'


def test_models_are_mutable_keyword_only_and_slotted() -> None:
    contact = Contact(first_name="Ada")
    contact.last_name = "Lovelace"
    assert contact.last_name == "Lovelace"
    assert not hasattr(contact, "__dict__")
    with pytest.raises(TypeError):
        Contact("Ada")  # type: ignore[call-arg, arg-type]
    with pytest.raises(AttributeError):
        contact.no_such_field = 1  # type: ignore[attr-defined]
    # Sub-records take positional arguments in wire order.
    assert Tag("x").tag_name == "x"
    assert CustomField("Hobby__c", "Chess").field_value == "Chess"


def test_etag_is_not_part_of_equality(wire: dict[str, Any]) -> None:
    a = structure(Contact, wire, etag="1")
    b = structure(Contact, wire, etag="2")
    assert a == b
    b.last_name = "Other"
    assert a != b


def test_built_and_read_records_compare_by_value() -> None:
    built = Contact(contact_id=1, first_name="Ada", tags=[Tag("x")])
    read = structure(Contact, {"CONTACT_ID": 1, "FIRST_NAME": "Ada", "TAGS": [{"TAG_NAME": "x"}]})
    assert built == read


def test_id_of_types_without_an_id() -> None:
    from insightly_async.models import Country, CustomObjectRecord

    assert Country(country_name="France").id is None
    assert structure(CustomObjectRecord, {"RECORD_ID": 5, "RECORD_NAME": "Apple"}).id == 5


def test_repr_is_short_for_big_records() -> None:
    article = KnowledgeArticle(
        article_id=1,
        title="Big",
        body="<p>" + "x" * 100_000 + "</p>",
        tags=[Tag(str(i)) for i in range(500)],
    )
    text = repr(article)
    assert len(text) < 400
    assert text.startswith("KnowledgeArticle(article_id=1, title='Big', body='<p>xxx")
    assert "..." in text


def test_repr_shows_set_fields_only() -> None:
    contact = Contact(first_name="Ada", custom_fields=CustomFields({"Pet__c": "Cat"}))
    assert (
        repr(contact) == "Contact(first_name='Ada', custom_fields=CustomFields({'Pet__c': 'Cat'}))"
    )


# ---------------------------------------------------------------------------------------
# None versus absent


def test_omitted_fields_are_not_sent_given_none_is() -> None:
    contact = Contact(first_name="Ada", title=None)
    assert unstructure(contact) == {"FIRST_NAME": "Ada", "TITLE": None}
    assert create_payload(contact) == {"FIRST_NAME": "Ada", "TITLE": None}
    assert changes(contact) == {"FIRST_NAME": "Ada", "TITLE": None}


def test_fields_set_after_construction_are_sent() -> None:
    contact = Contact(first_name="Ada")
    contact.last_name = "Lovelace"
    contact.tags = [Tag("Maths")]
    assert create_payload(contact) == {
        "FIRST_NAME": "Ada",
        "LAST_NAME": "Lovelace",
        "TAGS": [{"TAG_NAME": "Maths"}],
    }


def test_brief_record_does_not_send_the_collections_it_was_not_given(
    wire: dict[str, Any],
) -> None:
    brief = {k: v for k, v in wire.items() if k not in ("CUSTOMFIELDS", "TAGS", "DATES", "LINKS")}
    contact = structure(Contact, brief)
    assert contact.custom_fields is None
    contact.last_name = "Lovelace"
    assert changes(contact) == {"LAST_NAME": "Lovelace"}
    assert "CUSTOMFIELDS" not in unstructure(contact)
    assert "CUSTOMFIELDS" not in create_payload(contact)
    contact.custom_fields = CustomFields({"Hobby__c": "Chess"})
    assert changes(contact)["CUSTOMFIELDS"] == [{"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Chess"}]


def test_null_read_stays_null_and_clearing_is_sent(contact: Contact) -> None:
    assert contact.title is None
    assert unstructure(contact)["TITLE"] is None
    contact.email_address = None
    assert changes(contact) == {"EMAIL_ADDRESS": None}


# ---------------------------------------------------------------------------------------
# changes()


def test_no_change_gives_an_empty_dict(contact: Contact) -> None:
    assert changes(contact) == {}


def test_scalar_edit(contact: Contact) -> None:
    contact.last_name = "Lovelace"
    contact.owner_user_id = 7
    contact.email_opted_out = True
    assert changes(contact) == {
        "LAST_NAME": "Lovelace",
        "OWNER_USER_ID": 7,
        "EMAIL_OPTED_OUT": True,
    }


def test_setting_the_value_read_is_no_change(contact: Contact) -> None:
    contact.last_name = "Hu" + "ber"
    contact.date_created_utc = datetime(2025, 4, 19, 2, 49, 32, tzinfo=timezone(timedelta(hours=2)))
    contact.tags = []
    assert changes(contact) == {}


def test_false_is_not_zero() -> None:
    contact = structure(Contact, {"CONTACT_ID": 1, "EMAIL_OPTED_OUT": False})
    contact.email_opted_out = 0  # type: ignore[assignment]
    assert changes(contact) == {"EMAIL_OPTED_OUT": 0}


def test_in_place_list_mutation_is_detected(contact: Contact) -> None:
    assert contact.tags is not None
    contact.tags.append(Tag("VIP"))
    assert changes(contact) == {"TAGS": [{"TAG_NAME": "VIP"}]}


def test_sub_record_edit_sends_the_whole_collection() -> None:
    wire: dict[str, Any] = {
        "CONTACT_ID": 1,
        "LINKS": [
            {"LINK_ID": 1, "LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": 9, "ROLE": None},
            {"LINK_ID": 2, "LINK_OBJECT_NAME": "Contact", "LINK_OBJECT_ID": 8, "ROLE": "Friend"},
        ],
    }
    contact = structure(Contact, wire)
    assert contact.links is not None
    contact.links[0].role = "Boss"
    assert changes(contact) == {"LINKS": [{**wire["LINKS"][0], "ROLE": "Boss"}, wire["LINKS"][1]]}


def test_custom_field_set_sends_the_collection_as_read_plus_the_change(
    contact: Contact, wire: dict[str, Any]
) -> None:
    assert contact.custom_fields is not None
    contact.custom_fields.set("Hobby__c", "Chess")
    contact.custom_fields.set("Pet__c", "Cat")
    expected = copy.deepcopy(wire["CUSTOMFIELDS"])
    expected[0]["FIELD_VALUE"] = "Chess"
    expected.append({"FIELD_NAME": "Pet__c", "FIELD_VALUE": "Cat"})
    assert changes(contact) == {"CUSTOMFIELDS": expected}
    # The other fields go back exactly as read, CUSTOM_FIELD_ID included.
    assert changes(contact)["CUSTOMFIELDS"][1] == wire["CUSTOMFIELDS"][1]


def test_extra_key_edits(wire: dict[str, Any]) -> None:
    contact = structure(Contact, {**wire, "FUTURE": 1, "NESTED": {"a": [1]}})
    assert changes(contact) == {}
    contact.extra["FUTURE"] = 2
    contact.extra["NESTED"]["a"].append(2)
    contact.extra["NEW"] = "x"
    assert changes(contact) == {"FUTURE": 2, "NESTED": {"a": [1, 2]}, "NEW": "x"}


def test_read_only_fields_and_the_id_are_never_in_changes(contact: Contact) -> None:
    contact.contact_id = 1
    contact.date_created_utc = datetime(2020, 1, 1, tzinfo=timezone.utc)
    contact.created_user_id = 5
    contact.image_url = "http://x"
    assert changes(contact) == {}


def test_datetime_edit_goes_out_in_the_wire_layout(contact: Contact) -> None:
    contact.date_of_birth = datetime(1815, 12, 10, 12, tzinfo=timezone(timedelta(hours=-5)))
    assert changes(contact) == {"DATE_OF_BIRTH": "1815-12-10 17:00:00"}


def test_mark_clean_resets_the_baseline(contact: Contact) -> None:
    contact.last_name = "Lovelace"
    assert contact.tags is not None
    contact.tags.append(Tag("x"))
    mark_clean(contact)
    assert changes(contact) == {}
    assert unstructure(contact)["LAST_NAME"] == "Lovelace"
    contact.tags.append(Tag("y"))
    assert changes(contact) == {"TAGS": [{"TAG_NAME": "x"}, {"TAG_NAME": "y"}]}


def test_copy_keeps_what_was_read(contact: Contact) -> None:
    twin = copy.copy(contact)
    twin.last_name = "Lovelace"
    assert changes(twin) == {"LAST_NAME": "Lovelace"}
    deep = copy.deepcopy(contact)
    assert deep.custom_fields is not None
    deep.custom_fields.set("Hobby__c", "Chess")
    assert "CUSTOMFIELDS" in changes(deep)
    assert changes(contact) == {}


def test_opportunity_state_changes_go_out_upper_case() -> None:
    opp = structure(Opportunity, {"OPPORTUNITY_ID": 1, "OPPORTUNITY_STATE": "Won"})
    assert opp.opportunity_state is OpportunityState.WON
    assert unstructure(opp) == {"OPPORTUNITY_ID": 1, "OPPORTUNITY_STATE": "Won"}
    assert changes(opp) == {}
    opp.opportunity_state = "lost"
    assert changes(opp) == {"OPPORTUNITY_STATE": "LOST"}
    opp.opportunity_state = OpportunityState.ABANDONED
    assert changes(opp) == {"OPPORTUNITY_STATE": "ABANDONED"}


def test_unknown_opportunity_state_is_kept_as_read() -> None:
    opp = structure(Opportunity, {"OPPORTUNITY_STATE": "Pending"})
    assert opp.opportunity_state == "Pending"
    assert not isinstance(opp.opportunity_state, OpportunityState)
    assert unstructure(opp) == {"OPPORTUNITY_STATE": "Pending"}


# ---------------------------------------------------------------------------------------
# create_payload()


def test_create_payload_drops_read_only_fields_and_keeps_extra(wire: dict[str, Any]) -> None:
    contact = structure(Contact, {**wire, "FUTURE": 1})
    payload = create_payload(contact)
    for read_only in (
        "CONTACT_ID",
        "IMAGE_URL",
        "DATE_CREATED_UTC",
        "DATE_UPDATED_UTC",
        "LAST_ACTIVITY_DATE_UTC",
        "NEXT_ACTIVITY_DATE_UTC",
        "CREATED_USER_ID",
    ):
        assert read_only not in payload
    assert payload["FIRST_NAME"] == "Pamela"
    assert payload["FUTURE"] == 1
    assert payload["CUSTOMFIELDS"] == wire["CUSTOMFIELDS"]


def test_create_only_fields_are_sent_on_create_and_never_changed() -> None:
    entry = PriceBookEntry(pricebook_id=1, product_id=2, price=9.5)
    assert create_payload(entry) == {"PRICEBOOK_ID": 1, "PRODUCT_ID": 2, "PRICE": 9.5}
    read = structure(PriceBookEntry, {"PRICEBOOK_ENTRY_ID": 3, "PRICEBOOK_ID": 1, "PRICE": 9.5})
    read.pricebook_id = 4
    read.price = 10
    assert changes(read) == {"PRICE": 10}


# ---------------------------------------------------------------------------------------
# Naive datetimes are refused


def test_naive_datetime_is_refused_naming_the_field() -> None:
    contact = Contact(first_name="Ada", date_of_birth=datetime(1815, 12, 10))
    with pytest.raises(ValidationError, match="naive") as caught:
        create_payload(contact)
    assert caught.value.field == "date_of_birth"


def test_naive_datetime_in_a_sub_record_names_the_path() -> None:
    contact = Contact(first_name="Ada", dates=[RecordDate(occasion_date=datetime(2020, 1, 1))])
    with pytest.raises(ValidationError) as caught:
        changes(contact)
    assert caught.value.field == "dates[0].occasion_date"


def test_naive_datetime_in_a_custom_field_value_is_refused() -> None:
    contact = Contact(custom_fields=CustomFields({"Met__c": datetime(2020, 1, 1)}))
    with pytest.raises(ValidationError):
        unstructure(contact)
    contact.custom_fields = CustomFields({"Met__c": datetime(2020, 1, 1, tzinfo=timezone.utc)})
    assert unstructure(contact)["CUSTOMFIELDS"] == [
        {"FIELD_NAME": "Met__c", "FIELD_VALUE": "2020-01-01 00:00:00"}
    ]


def test_link_model_in_a_plain_dict_list_is_written() -> None:
    contact = Contact(links=[Link(link_object_name="Organisation", link_object_id=5)])
    assert create_payload(contact) == {
        "LINKS": [{"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": 5}]
    }
