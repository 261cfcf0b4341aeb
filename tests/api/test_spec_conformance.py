"""Insightly's own v3.1 Swagger document against the emulator's routes and the SDK's methods.

Every path and verb of the record types in scope must be routed by the emulator and have
a method in the SDK, or be listed in LEFT_OUT with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from insightly_async import InsightlySession
from insightly_async._catalog import CATALOG
from insightly_async._spec import load_spec
from insightly_async.testing import FakeInsightly

# Sub-path segment -> why the SDK (and so the emulator) leaves it out.
LEFT_OUT: dict[str, str] = {
    "Image": "binary image upload/download, not JSON records",
    "ImageField": "binary image fields, not JSON records",
    "MergeDocument": "renders a document template; DocumentTemplates are out of scope",
    "Translations": "knowledge-article translations; not a record type in DESIGN's list",
    "StaticListMembership": "marketing static lists, not in DESIGN's resource list",
    "Merge": "merging tickets destroys one of them; an admin action, not a client call",
    "QuotationDocument": "binary quote documents",
    "Sync": "quote-to-opportunity sync, a UI workflow",
    "Comment": "the singular /Notes/{id}/Comment endpoints (note comments) come later",
}

# Sub-path segment -> the resource attribute that serves it.
SUB_ATTRIBUTE = {
    "ActivitySetAssignment": "assign_activity_set",
    "Comments": "comments",
    "Dates": "dates",
    "EmailDomains": "email_domains",
    "Emails": "activity",
    "Events": "activity",
    "Tasks": "activity",
    "FileAttachments": "file_attachments",
    "Follow": "follow",
    "LinkEmailAddress": "linked_email_address",
    "Links": "links",
    "Milestones": "milestones",
    "Notes": "notes",
    "OpportunityLineItem": "line_items",
    "QuotationLineItem": "line_items",
    "Pipeline": "set_pipeline",
    "PipelineStage": "set_stage",
    "Pricebook": "set_price_book",
    "PricebookEntry": "price_book_entries",
    "StateChange": "set_state",
    "StateHistory": "state_history",
    "TeamMembers": "members",
    "Tags": "tags",
    "Search": "search",
}

TOP_LEVEL = {
    ("GET", 1): "list",
    ("POST", 1): "create",
    ("PUT", 1): "update",
    ("DELETE", 1): "delete",
    ("GET", 2): "get",
    ("DELETE", 2): "delete",
}
PATHS = {rtype.path: rtype for rtype in CATALOG}
META = {"CustomFields": "custom_fields", "CustomObjects": "custom_objects", "Users": "users"}


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def spec_operations() -> Iterator[tuple[str, str]]:
    for path, item in load_spec()["paths"].items():
        head = path.split("/")[1]
        if head not in PATHS and head not in META and head != "{objectName}":
            continue
        for verb in item:
            if verb.upper() in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                yield verb.upper(), path


def left_out(path: str) -> str | None:
    parts = path.split("/")
    return LEFT_OUT.get(parts[3]) if len(parts) > 3 else None


OPERATIONS = sorted(spec_operations())


def test_the_spec_has_the_operations_in_scope() -> None:
    assert len(OPERATIONS) > 400
    heads = {path.split("/")[1] for _, path in OPERATIONS}
    assert {"Contacts", "Product", "Quotation", "Ticket", "{objectName}"} <= heads


def test_every_operation_in_scope_is_routed_by_the_emulator() -> None:
    fake = FakeInsightly()
    routes = {
        (route.method, _normal(route.resource.canonical).removeprefix("/v3.1"))
        for route in fake.app.router.routes()
        if route.resource is not None
    }
    missing = [
        (verb, path)
        for verb, path in OPERATIONS
        if left_out(path) is None and (verb, _normal(path)) not in routes
    ]
    assert missing == []


def test_left_out_operations_are_not_half_routed() -> None:
    fake = FakeInsightly()
    routes = {_normal(r.resource.canonical) for r in fake.app.router.routes() if r.resource}
    for verb, path in OPERATIONS:
        if left_out(path) is not None:
            assert "/v3.1" + _normal(path) not in routes, (verb, path)


def _resource(crm: InsightlySession, head: str) -> Any:
    if head == "{objectName}":
        return crm.custom_object("Fruit__c")
    if head in META:
        return getattr(crm, META[head])
    return getattr(crm, PATHS[head].name)


def _method_for(verb: str, path: str) -> str:
    parts = path.split("/")[1:]
    if len(parts) == 2 and parts[1] == "Search":
        return "search"
    if len(parts) == 2 and parts[1] == "SearchByTag":
        return "search_by_tag"
    if parts[0] == "Users" and len(parts) == 2 and parts[1] == "Me":
        return "me"
    if parts[0] == "CustomFields":
        return "get" if parts[-1] == "Search" else "list"  # /CustomFields/{objectName}[/Search]
    if len(parts) <= 2:
        return TOP_LEVEL[(verb, len(parts))]
    return SUB_ATTRIBUTE[parts[2]]


def test_every_operation_in_scope_has_an_sdk_method() -> None:
    crm = InsightlySession(api_key="conformance", base_url="http://127.0.0.1:9/v3.1")
    missing = []
    for verb, path in OPERATIONS:
        if left_out(path) is not None:
            continue
        resource = _resource(crm, path.split("/")[1])
        try:
            name = _method_for(verb, path)
        except KeyError:
            missing.append((verb, path, "?"))
            continue
        if not callable(getattr(resource, name, None)) and getattr(resource, name, None) is None:
            missing.append((verb, path, name))
    assert missing == []


@pytest.mark.parametrize("segment", sorted(LEFT_OUT))
def test_each_left_out_entry_is_in_the_spec(segment: str) -> None:
    assert any(left_out(path) == LEFT_OUT[segment] for _, path in OPERATIONS), segment
