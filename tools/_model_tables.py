"""The tables of the models generator: which sub-records to generate, and the few
corrections the Swagger document needs for the models, each with its reason.

Record types are not listed here: every type of the catalog gets its model, with the fields
the facts' field tables give it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "DEFINITION_CLASSES",
    "GLUED_NAMES",
    "OVERRIDES",
    "RECORD_DOCS",
    "STATE_FIELDS",
    "SUBRECORDS",
]

# Shared definitions and the classes that model them. `CustomField` is written by hand in
# `_base` (the spec types FIELD_VALUE as an object and omits CUSTOM_FIELD_ID), and
# `TeamMember` is the record type of the same shape.
DEFINITION_CLASSES: Mapping[str, str] = {
    "APICustomField": "CustomField",
    "APITag": "Tag",
    "APILinkDto": "Link",
    "APIDate": "RecordDate",
    "APIEmailDomain": "EmailDomain",
    "APITeamMember": "TeamMember",
    "APIActivity": "Activity",
    "APIActivityAssignment": "ActivityAssignment",
    "APIActivitySetAssignment": "ActivitySetAssignment",
    "APIPipelineStageChange": "PipelineStageChange",
    "APIPipelineChange": "PipelineChange",
    "APIOpportunityState": "OpportunityStateChange",
    "APIPricebookChange": "PriceBookChange",
    "APIFollow": "Follow",
    "APIUserFollow": "FollowedRecord",
    "APIFileAttachment": "FileAttachment",
    "APICustomFieldOption": "CustomFieldOption",
    "APICustomFieldOptionsFilter": "CustomFieldOptionsFilter",
    "APICustomFieldDependency": "CustomFieldDependency",
    "APICustomFieldMetadata": "CustomFieldDefinition",
    "APICustomObject": "CustomObject",
}

# The sub-records to generate, dependencies first: (class, source, docstring). The source is
# a definition name, or a path to an inline schema of the spec.
SUBRECORDS: Sequence[tuple[str, str | tuple[str, ...], str]] = (
    ("Tag", "APITag", "A tag on a record (an item of ``TAGS``)."),
    (
        "Link",
        "APILinkDto",
        "A link from one record to another (an item of ``LINKS``, or of ``/{Type}/{id}/Links``).",
    ),
    (
        "RecordDate",
        "APIDate",
        "A date to remember on a contact or an organisation (an item of ``DATES``).",
    ),
    ("EmailDomain", "APIEmailDomain", "An email domain of an organisation (``EMAILDOMAINS``)."),
    ("Activity", "APIActivity", "One activity of an activity set (an item of ``ACTIVITIES``)."),
    (
        "ActivityAssignment",
        "APIActivityAssignment",
        "Who does one activity when an activity set is assigned.",
    ),
    (
        "ActivitySetAssignment",
        "APIActivitySetAssignment",
        "An activity set to start when a pipeline stage is reached.",
    ),
    (
        "PipelineStageChange",
        "APIPipelineStageChange",
        "The body of ``PUT /{Type}/{id}/PipelineStage``: move to another stage.",
    ),
    (
        "PipelineChange",
        "APIPipelineChange",
        "The body of ``PUT /{Type}/{id}/Pipeline``: put the record on a pipeline.",
    ),
    (
        "OpportunityStateChange",
        "APIOpportunityState",
        (
            "A change of an opportunity's state: the body of "
            "``PUT /Opportunities/{id}/StateChange`` and an item of ``StateHistory``."
        ),
    ),
    (
        "PriceBookChange",
        "APIPricebookChange",
        "The body of ``PUT /Opportunities/{id}/Pricebook``.",
    ),
    ("Follow", "APIFollow", "Whether the calling user follows a record (``/{Type}/{id}/Follow``)."),
    ("FollowedRecord", "APIUserFollow", "A record the calling user follows (``/Follows``)."),
    (
        "FileAttachment",
        "APIFileAttachment",
        "The metadata of a file attached to a record (``/{Type}/{id}/FileAttachments``).",
    ),
    (
        "Comment",
        ("paths", "/Comments", "put", "responses", "201", "schema"),
        "A comment on a note, task or email (``/{Type}/{id}/Comments``, ``/Comments``).",
    ),
    (
        "CustomFieldOption",
        "APICustomFieldOption",
        "One option of a drop-down or multi-select custom field.",
    ),
    (
        "CustomFieldOptionsFilter",
        "APICustomFieldOptionsFilter",
        "The options a dependent custom field offers for one value of its controlling field.",
    ),
    (
        "CustomFieldDependency",
        "APICustomFieldDependency",
        "How a custom field's options depend on another field.",
    ),
    (
        "CustomFieldDefinition",
        "APICustomFieldMetadata",
        "The definition of a custom field (``/CustomFields/{objectName}``).",
    ),
    ("CustomObject", "APICustomObject", "The definition of a custom object (``/CustomObjects``)."),
)

# Docstrings of record models that the catalog's paths do not describe well.
RECORD_DOCS: Mapping[str, str] = {
    "CustomObjectRecord": (
        "A record of a custom object (``/{objectName}``, e.g. ``/Fruit__c``; id "
        "``RECORD_ID``). The object's own fields are its custom fields."
    ),
}

# Corrections of single properties: (class, wire) -> replaced keys.
OVERRIDES: Mapping[tuple[str, str], dict[str, Any]] = {
    # A comment is posted with its body, which the spec marks read-only.
    ("Comment", "BODY"): {"readOnly": False},
}

# Fields whose value is an opportunity state.
STATE_FIELDS = frozenset({"OPPORTUNITY_STATE", "FOR_OPPORTUNITY_STATE"})

# Wire names that glue words together; all others split on `_` or on case changes.
GLUED_NAMES: Mapping[str, str] = {
    "CUSTOMFIELDS": "custom_fields",
    "EMAILDOMAINS": "email_domains",
    "TEAMMEMBERS": "team_members",
}
