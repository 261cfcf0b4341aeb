"""Sub-records are built on first use, after being checked with the record.

A stream of contacts rarely looks at their custom fields and tags, so structure() checks
them and leaves building them to the first access: what does not fit is still refused by
structure() itself (see test_models_errors), and a record read behaves in every way as if
they had been built with it.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from insightly_async.models import (
    Contact,
    CustomFields,
    Lead,
    PipelineChange,
    RecordDate,
    Tag,
    changes,
    create_payload,
    make_converter,
    mark_clean,
    structure,
    structure_many,
    unstructure,
)
from insightly_async.models._base import UNREAD, peek


def wire() -> dict[str, Any]:
    return {
        "CONTACT_ID": 7,
        "FIRST_NAME": "Ada",
        "CUSTOMFIELDS": [
            {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing", "CUSTOM_FIELD_ID": "Hobby__c"},
            {"FIELD_NAME": "Age__c", "FIELD_VALUE": 36, "CUSTOM_FIELD_ID": "Age__c"},
        ],
        "TAGS": [{"TAG_NAME": "VIP"}],
        "LINKS": [],
        "DATES": None,
    }


LAZY = ("custom_fields", "tags", "links")


def test_sub_records_that_fit_are_built_on_first_use_once() -> None:
    contact = structure(Contact, wire())
    assert [peek(contact, name) for name in LAZY] == [UNREAD] * 3
    assert peek(contact, "extra") is UNREAD  # no unknown key: made empty when used
    assert peek(contact, "dates") is None
    tags = contact.tags
    assert tags == [Tag("VIP")]
    assert contact.tags is tags
    assert peek(contact, "tags") is tags
    assert isinstance(contact.custom_fields, CustomFields)
    assert contact.custom_fields["Age__c"] == 36
    assert contact.links == []
    assert contact.extra == {}


def test_a_record_read_is_equal_to_one_whose_sub_records_were_used() -> None:
    used = structure(Contact, wire())
    _ = used.tags, used.custom_fields, used.links, used.extra
    assert structure(Contact, wire()) == used
    assert repr(structure(Contact, wire())) == repr(used)
    assert structure(Contact, wire()) != structure(Contact, {**wire(), "TAGS": []})


def test_writing_a_record_back_does_not_build_its_sub_records() -> None:
    sent = wire()
    contact = structure(Contact, sent)
    assert unstructure(contact) == sent
    assert changes(contact) == {}
    assert create_payload(contact) == {k: v for k, v in sent.items() if k != "CONTACT_ID"}
    assert [peek(contact, name) for name in LAZY] == [UNREAD] * 3
    # What was written is a copy: editing it leaves the record as read.
    unstructure(contact)["TAGS"].append({"TAG_NAME": "x"})
    assert contact.tags == [Tag("VIP")]
    assert changes(contact) == {}


def test_changes_to_a_sub_record_built_late_are_seen() -> None:
    contact = structure(Contact, wire())
    contact.first_name = "Ada B."
    assert changes(contact) == {"FIRST_NAME": "Ada B."}
    assert contact.custom_fields is not None
    contact.custom_fields["Hobby__c"] = "Chess"
    expected = wire()["CUSTOMFIELDS"]
    expected[0]["FIELD_VALUE"] = "Chess"
    assert changes(contact) == {"FIRST_NAME": "Ada B.", "CUSTOMFIELDS": expected}
    contact.tags = []  # replaced without being used
    assert changes(contact)["TAGS"] == []
    contact.extra["FUTURE"] = 1
    assert changes(contact)["FUTURE"] == 1


def test_mark_clean_keeps_sub_records_not_built_yet() -> None:
    contact = structure(Contact, wire())
    contact.first_name = "Grace"
    mark_clean(contact)
    assert changes(contact) == {}
    assert contact.tags == [Tag("VIP")]
    assert contact.tags is not None
    contact.tags.append(Tag("new"))
    assert changes(contact) == {"TAGS": [{"TAG_NAME": "VIP"}, {"TAG_NAME": "new"}]}


@pytest.mark.parametrize(
    "duplicate",
    [copy.copy, copy.deepcopy, lambda contact: pickle.loads(pickle.dumps(contact))],  # noqa: S301
    ids=["copy", "deepcopy", "pickle"],
)
def test_copies_and_pickles_are_whole(duplicate: Any) -> None:
    contact = structure(Contact, wire())
    twin = duplicate(contact)
    assert twin == contact
    assert changes(twin) == {}
    assert twin.custom_fields is not None
    twin.custom_fields["Hobby__c"] = "Chess"
    assert "CUSTOMFIELDS" in changes(twin)


def test_values_that_need_converting_or_copying_are_read_with_the_record() -> None:
    read = structure(
        Contact,
        {
            "DATES": [{"OCCASION_DATE": "2020-01-02 03:04:05"}],  # a date to parse
            "CUSTOMFIELDS": [{"FIELD_NAME": "List__c", "FIELD_VALUE": [1, 2]}],  # to copy
            "TAGS": [{"TAG_NAME": "a", "FUTURE": {"nested": 1}}],  # an unknown key to copy
            "LINKS": [{"LINK_ID": 1, "FUTURE": "scalar"}],  # fits: built later
        },
    )
    assert isinstance(peek(read, "dates")[0], RecordDate)
    assert isinstance(peek(read, "custom_fields"), CustomFields)
    assert peek(read, "tags")[0].extra == {"FUTURE": {"nested": 1}}
    assert peek(read, "links") is UNREAD
    assert read.links is not None
    assert read.links[0].extra == {"FUTURE": "scalar"}


def test_nested_sub_records_are_built_on_first_use_too() -> None:
    sent = {"PIPELINE_ID": 1, "PIPELINE_STAGE_CHANGE": {"STAGE_ID": 2}}
    change = structure(PipelineChange, sent)
    assert peek(change, "pipeline_stage_change") is UNREAD
    assert change.pipeline_stage_change is not None
    assert change.pipeline_stage_change.stage_id == 2
    assert unstructure(change) == sent


def test_a_page_of_records_reads_and_refuses_as_ever() -> None:
    leads = structure_many(Lead, [{"LEAD_ID": 1, "TAGS": [{"TAG_NAME": "a"}]}, {"LEAD_ID": 2}])
    assert peek(leads[0], "tags") is UNREAD
    assert leads[0].tags == [Tag("a")]


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    contact = structure(Contact, wire())
    with pytest.raises(AttributeError, match="'Contact' object has no attribute 'nope'") as info:
        _ = contact.nope  # type: ignore[attr-defined]
    assert info.value.name == "nope"
    assert not hasattr(contact, "nope")
    assert not hasattr(Contact(first_name="Ada"), "nope")
    assert getattr(contact, "first_nam", None) is None


def test_a_converter_with_a_hook_of_its_own_reads_its_sub_records_with_the_record() -> None:
    conv = make_converter()
    conv.register_structure_hook(Tag, lambda value, _: Tag(tag_name=value["TAG_NAME"].upper()))
    contact = conv.structure(wire(), Contact)
    assert peek(contact, "tags") == [Tag("VIP")]
    contact = conv.structure({"TAGS": [{"TAG_NAME": "vip"}]}, Contact)
    assert peek(contact, "tags") == [Tag("VIP")]
