"""The custom fields each object has: what ``GET /CustomFields/{object}`` returns.

One field per FIELD_TYPE for every object; the contacts' are the recorded account's own
(``tests/samples``), option ids included. Records' ``CUSTOMFIELDS`` follow these.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

from insightly_async._facts.catalog import BY_NAME

__all__ = ["FieldSpec", "definitions", "text_words"]

Record = dict[str, Any]

# One custom field: name, label, FIELD_TYPE, and its options (DROPDOWN, MULTISELECT, in the
# order they were created) or the words its values are drawn from (TEXT).
FieldSpec = tuple[str, str, str, tuple[str, ...]]

# The contact fields are the recorded account's own (tests/samples), option ids included.
_CUSTOM_FIELDS: Final[Mapping[str, tuple[FieldSpec, ...]]] = {
    "Contacts": (
        (
            "Hobby__c",
            "Hobby",
            "TEXT",
            ("Skiing", "Reading", "Cycling", "Chess", "Photography", "Gardening", "Running"),
        ),
        (
            "Interests__c",
            "Interests",
            "MULTISELECT",
            ("Technology", "Sports", "Art", "Travel", "Music", "Food"),
        ),
        ("Newsletter_Subscription__c", "Newsletter Subscription", "BIT", ()),
        (
            "Preferred_Contact_Method__c",
            "Preferred Contact Method",
            "DROPDOWN",
            ("Email", "Phone", "SMS", "WhatsApp"),
        ),
        ("Date1__c", "Date1", "DATE", ()),
        ("Date2__c", "Date2", "DATETIME", ()),
        ("MultiText1__c", "MultiText1", "MULTILINETEXT", ()),
        ("Number1__c", "Number1", "NUMERIC", ()),
        ("Percent1__c", "Percent1", "PERCENT", ()),
        ("AutoNumber1__c", "AutoNumber1", "AUTONUMBER", ()),
    ),
    "Organisations": (
        ("Account_Region__c", "Account Region", "TEXT", ("North America", "EMEA", "APAC", "LATAM")),
        (
            "Services_Used__c",
            "Services Used",
            "MULTISELECT",
            ("Consulting", "Support", "Training", "Hosting", "Licensing"),
        ),
        ("Key_Account__c", "Key Account", "BIT", ()),
        ("Tier__c", "Tier", "DROPDOWN", ("Gold", "Silver", "Bronze")),
        ("Customer_Since__c", "Customer Since", "DATE", ()),
        ("Last_Review__c", "Last Review", "DATETIME", ()),
        ("Account_Notes__c", "Account Notes", "MULTILINETEXT", ()),
        ("Annual_Revenue__c", "Annual Revenue", "NUMERIC", ()),
        ("Discount_Rate__c", "Discount Rate", "PERCENT", ()),
        ("Account_Number__c", "Account Number", "AUTONUMBER", ()),
    ),
    "Leads": (
        (
            "Campaign__c",
            "Campaign",
            "TEXT",
            ("Spring Webinar", "Trade Show", "Newsletter", "Partner Referral", "Google Ads"),
        ),
        (
            "Products_Of_Interest__c",
            "Products of Interest",
            "MULTISELECT",
            ("CRM", "Analytics", "Support", "Training"),
        ),
        ("Requested_Demo__c", "Requested Demo", "BIT", ()),
        (
            "Timeframe__c",
            "Timeframe",
            "DROPDOWN",
            ("Immediately", "This quarter", "Next quarter", "This year"),
        ),
        ("First_Contacted__c", "First Contacted", "DATE", ()),
        ("Last_Touch__c", "Last Touch", "DATETIME", ()),
        ("Qualification_Notes__c", "Qualification Notes", "MULTILINETEXT", ()),
        ("Budget__c", "Budget", "NUMERIC", ()),
        ("Fit_Score__c", "Fit Score", "PERCENT", ()),
        ("Lead_Number__c", "Lead Number", "AUTONUMBER", ()),
    ),
    "Opportunities": (
        (
            "Competitor__c",
            "Competitor",
            "TEXT",
            ("Acme CRM", "Salesforce", "HubSpot", "Zoho", "Pipedrive", "None"),
        ),
        (
            "Modules__c",
            "Modules",
            "MULTISELECT",
            ("Sales", "Marketing", "Service", "Projects", "Reporting"),
        ),
        ("Budget_Confirmed__c", "Budget Confirmed", "BIT", ()),
        (
            "Deal_Type__c",
            "Deal Type",
            "DROPDOWN",
            ("New Business", "Upsell", "Renewal", "Cross-sell"),
        ),
        ("Contract_Start__c", "Contract Start", "DATE", ()),
        ("Last_Contact__c", "Last Contact", "DATETIME", ()),
        ("Next_Steps__c", "Next Steps", "MULTILINETEXT", ()),
        ("Seats__c", "Seats", "NUMERIC", ()),
        ("Discount__c", "Discount", "PERCENT", ()),
        ("Deal_Number__c", "Deal Number", "AUTONUMBER", ()),
    ),
    "Projects": (
        (
            "Client_Reference__c",
            "Client Reference",
            "TEXT",
            ("PO-2231", "PO-4410", "SOW-17", "SOW-22", "Internal"),
        ),
        (
            "Workstreams__c",
            "Workstreams",
            "MULTISELECT",
            ("Design", "Development", "Testing", "Training", "Rollout"),
        ),
        ("Billable__c", "Billable", "BIT", ()),
        ("Health__c", "Health", "DROPDOWN", ("On Track", "At Risk", "Off Track")),
        ("Target_Date__c", "Target Date", "DATE", ()),
        ("Last_Status_Update__c", "Last Status Update", "DATETIME", ()),
        ("Scope__c", "Scope", "MULTILINETEXT", ()),
        ("Budget_Hours__c", "Budget Hours", "NUMERIC", ()),
        ("Percent_Complete__c", "Percent Complete", "PERCENT", ()),
        ("Project_Number__c", "Project Number", "AUTONUMBER", ()),
    ),
}

# Every other object gets this set.
_GENERIC_FIELDS: Final[tuple[FieldSpec, ...]] = (
    ("Reference__c", "Reference", "TEXT", ("A-100", "B-220", "C-310", "D-405", "E-512")),
    ("Labels__c", "Labels", "MULTISELECT", ("Urgent", "Internal", "External", "Review")),
    ("Flagged__c", "Flagged", "BIT", ()),
    ("Priority_Level__c", "Priority Level", "DROPDOWN", ("Low", "Medium", "High")),
    ("Review_Date__c", "Review Date", "DATE", ()),
    ("Last_Synced__c", "Last Synced", "DATETIME", ()),
    ("Comments__c", "Comments", "MULTILINETEXT", ()),
    ("Score__c", "Score", "NUMERIC", ()),
    ("Completion__c", "Completion", "PERCENT", ()),
    ("Sequence_Number__c", "Sequence Number", "AUTONUMBER", ()),
)

# FIELD_FOR of the catalog's custom-field objects: the singular object name in upper case,
# as recorded for contacts ("CONTACT") and custom objects ("FRUIT__C").
_FIELD_FOR: Final[Mapping[str, str]] = {
    rtype.custom_fields: rtype.object_name.upper()
    for rtype in BY_NAME.values()
    if rtype.custom_fields
}


def _field_for(object_name: str) -> str:
    return _FIELD_FOR.get(object_name, object_name.upper())


def _field_definition(order: int, field_for: str, spec: FieldSpec) -> Record:
    name, label, field_type, values = spec
    options: list[Record] = []
    if field_type in ("DROPDOWN", "MULTISELECT"):
        # Listed alphabetically, with ids in creation order, as the recording shows.
        options = [
            {"OPTION_ID": index + 1, "OPTION_VALUE": value, "OPTION_DEFAULT": False}
            for index, value in sorted(enumerate(values), key=lambda pair: pair[1])
        ]
    return {
        "FIELD_NAME": name,
        "FIELD_ORDER": order,
        "FIELD_FOR": field_for,
        "FIELD_LABEL": label,
        "FIELD_TYPE": field_type,
        "FIELD_HELP_TEXT": None,
        "DEFAULT_VALUE": "False" if field_type == "BIT" else None,
        "EDITABLE": field_type != "AUTONUMBER",
        "VISIBLE": True,
        "CUSTOM_FIELD_OPTIONS": options,
        "DEPENDENCY": None,
        "JOIN_OBJECT": None,
    }


@functools.cache
def definitions(object_name: str) -> tuple[Record, ...]:
    """The custom field definitions of ``object_name``, one per FIELD_TYPE (cached)."""
    specs = _CUSTOM_FIELDS.get(object_name, _GENERIC_FIELDS)
    field_for = _field_for(object_name)
    return tuple(
        _field_definition(order, field_for, spec) for order, spec in enumerate(specs, start=1)
    )


@functools.cache
def text_words(object_name: str) -> Mapping[str, tuple[str, ...]]:
    """The words the TEXT fields of ``object_name`` draw their values from, by field."""
    specs = _CUSTOM_FIELDS.get(object_name, _GENERIC_FIELDS)
    return {name: values for name, _label, kind, values in specs if kind == "TEXT"}
