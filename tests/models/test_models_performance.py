"""A page of 500 full contacts structures (a smoke test: the timing is measured separately)."""

from __future__ import annotations

import json
from typing import Any

from insightly_async.models import Contact, model_fields, structure_many, unstructure


def _full_contact(index: int) -> dict[str, Any]:
    # Every field of a contact holds a value, as in a fully filled-in account.
    record: dict[str, Any] = {}
    for f in model_fields(Contact):
        if f.kind == "str":
            record[f.wire] = f"{f.name} {index}"[: f.max_length or None]
        elif f.kind == "int":
            record[f.wire] = 366638973 + index
        elif f.kind == "bool":
            record[f.wire] = False
        elif f.kind == "datetime":
            record[f.wire] = "2025-04-19 00:49:32"
    record["CUSTOMFIELDS"] = [
        {"FIELD_NAME": f"Field{n}__c", "FIELD_VALUE": n, "CUSTOM_FIELD_ID": f"Field{n}__c"}
        for n in range(5)
    ]
    record["TAGS"] = [{"TAG_NAME": "Paris"}, {"TAG_NAME": "VIP"}]
    record["DATES"] = []
    record["LINKS"] = [
        {
            "LINK_ID": index,
            "OBJECT_NAME": "Contact",
            "OBJECT_ID": 1,
            "LINK_OBJECT_NAME": "Organisation",
            "LINK_OBJECT_ID": 2,
        }
    ]
    return record


def contact_page(size: int = 500) -> list[dict[str, Any]]:
    """A decoded page of ``size`` full contacts, as the API would send it."""
    page: list[dict[str, Any]] = json.loads(json.dumps([_full_contact(i) for i in range(size)]))
    return page


def test_a_page_of_500_full_contacts_structures() -> None:
    page = contact_page()
    assert len(page[0]) == len(model_fields(Contact)) == 43
    contacts = structure_many(Contact, page)
    assert len(contacts) == 500
    assert contacts[-1].contact_id == 366638973 + 499
    assert contacts[0].custom_fields is not None
    assert contacts[0].custom_fields.get("Field4__c") == 4
    assert unstructure(contacts[123]) == page[123]
