"""Insightly's own v3.1 Swagger document against the emulator and the SDK.

For the record types in scope (DESIGN's resource list, custom objects, ``/CustomFields``,
``/Users``), every path and verb of the spec is routed by the emulator and is sent by a
method of the SDK, over a real socket, or is listed in ``LEFT_OUT`` with the reason.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import aiohttp
import pytest
from conformance_calls import CALLS, call_for
from conformance_support import (
    CUSTOM_OBJECT,
    SCOPE,
    Operation,
    World,
    load_operations,
    operations_in_scope,
)

from insightly_async import InsightlySession
from insightly_async._facts.catalog import (
    CATALOG,
    CHILD_ENTITIES,
    Op,
    RecordType,
    Sub,
    custom_object_type,
)
from insightly_async._facts.spec import load_spec
from insightly_async.testing import FakeInsightly

pytest_plugins = ["conformance_fixtures"]

# What the SDK does not offer, by sub-path segment after the record id (optionally with
# the one verb it concerns), and why. The emulator does not serve these either, except
# file uploads.
LEFT_OUT: dict[str, str] = {
    "Image": "record pictures are binary uploads/downloads, not JSON records",
    "ImageField": "image custom fields: binary, like Image",
    "POST FileAttachments": "multipart binary upload; the SDK lists attachment metadata",
    "MergeDocument": "renders a document template to a file; templates are out of scope",
    "Translations": "article and custom-object translations, not a record type",
    "StaticListMembership": "marketing static lists of prospects, not in DESIGN's list",
    "Merge": "merging tickets deletes one of them: an admin action in the web app",
    "QuotationDocument": "generated quote documents (binary files)",
    "Sync": "copies a quote's line items onto its opportunity, a web-app workflow",
    "Comment": "singular twin of /Notes/{id}/Comments; editing comments is /Comments",
}

OPERATIONS = operations_in_scope()


def left_out(op: Operation) -> str | None:
    """The reason ``op`` is left out, or ``None``."""
    if op.segment is None:
        return None
    return LEFT_OUT.get(f"{op.verb} {op.segment}") or LEFT_OUT.get(op.segment)


def test_the_spec_copy_is_the_shipped_spec() -> None:
    shipped = {
        path: sorted(verb.upper() for verb in item if verb != "parameters")
        for path, item in load_spec()["paths"].items()
    }
    assert load_operations() == shipped


def test_every_type_in_scope_is_in_the_spec() -> None:
    heads = {op.head for op in OPERATIONS}
    assert heads == set(SCOPE)
    for rtype in CATALOG:
        listed = Operation("GET", f"/{rtype.path}")
        assert listed in OPERATIONS, rtype.path
    assert len(OPERATIONS) > 400


_OP_TAILS: dict[Op, tuple[str, str]] = {
    Op.LIST: ("GET", ""),
    Op.GET: ("GET", "{}"),
    Op.CREATE: ("POST", ""),
    Op.UPDATE: ("PUT", ""),
    Op.DELETE: ("DELETE", "{}"),
    Op.SEARCH: ("GET", "Search"),
    Op.SEARCH_BY_TAG: ("GET", "SearchByTag"),
}


def _children(segment: str) -> list[tuple[str, str]]:
    return [(verb, f"{{}}/{segment}") for verb in ("GET", "POST", "PUT")] + [
        ("DELETE", f"{{}}/{segment}/{{}}")
    ]


_SUB_TAILS: dict[Sub, list[tuple[str, str]]] = {
    Sub.LINKS: [("GET", "{}/Links"), ("POST", "{}/Links"), ("DELETE", "{}/Links/{}")],
    Sub.LINKS_UPDATE: [("PUT", "{}/Links")],
    Sub.TAGS: [(verb, "{}/Tags") for verb in ("GET", "POST", "PUT", "DELETE")],
    Sub.NOTES: [(verb, "{}/Notes") for verb in ("GET", "POST", "PUT")],
    Sub.FOLLOW: [(verb, "{}/Follow") for verb in ("GET", "POST", "DELETE")],
    Sub.FILE_ATTACHMENTS: [("GET", "{}/FileAttachments")],
    Sub.DATES: [("GET", "{}/Dates"), ("PUT", "{}/Dates")],
    Sub.EMAIL_DOMAINS: [("GET", "{}/EmailDomains"), ("PUT", "{}/EmailDomains")],
    Sub.ACTIVITY: [("GET", f"{{}}/{segment}") for segment in ("Emails", "Events", "Tasks")],
    Sub.COMMENTS: [("GET", "{}/Comments"), ("POST", "{}/Comments")],
    Sub.STATE: [("PUT", "{}/StateChange"), ("GET", "{}/StateHistory")],
    Sub.PIPELINE: [("PUT", "{}/Pipeline"), ("DELETE", "{}/Pipeline"), ("PUT", "{}/PipelineStage")],
    Sub.PRICEBOOK: [("PUT", "{}/Pricebook")],
    Sub.TEAM_MEMBERS: [("POST", "{}/TeamMembers"), ("DELETE", "{}/TeamMembers/{}")],
    Sub.LINK_EMAIL_ADDRESS: [("GET", "{}/LinkEmailAddress")],
    Sub.ACTIVITY_SET_ASSIGNMENT: [("POST", "{}/ActivitySetAssignment")],
    **{sub: _children(segment) for sub, (segment, _) in CHILD_ENTITIES.items() if sub != Sub.NOTES},
}


@pytest.mark.parametrize(
    "rtype", [*CATALOG, custom_object_type(CUSTOM_OBJECT)], ids=lambda rtype: rtype.name
)
def test_every_operation_of_the_catalog_is_in_the_spec(rtype: RecordType) -> None:
    head = "{objectName}" if rtype.custom_object else rtype.path
    in_spec = {(op.verb, op.tail) for op in OPERATIONS if op.head == head}
    wanted = [_OP_TAILS[op] for op in rtype.ops]
    if rtype.delete_by_query:
        wanted = [("DELETE", "") if item == ("DELETE", "{}") else item for item in wanted]
    for sub in rtype.subs:
        wanted += _SUB_TAILS[sub]
    assert sorted(set(wanted) - in_spec) == []


@pytest.mark.parametrize("key", sorted(LEFT_OUT))
def test_each_left_out_entry_names_operations_of_the_spec(key: str) -> None:
    matched = [op for op in OPERATIONS if left_out(op) == LEFT_OUT[key]]
    assert matched, f"{key!r} matches no operation in scope: drop it from LEFT_OUT"
    for op in matched:
        assert call_for(op.verb, op.tail, op.head) is None, f"{op} has an SDK call: not left out"


def test_every_sdk_call_is_for_an_operation_of_the_spec() -> None:
    used = {(op.verb, op.tail) for op in OPERATIONS} | {
        (op.verb, op.tail, op.head) for op in OPERATIONS
    }
    assert set(CALLS) - used == set()


def _concrete(path: str) -> str:
    """A spec path with its parameters filled in (ids that exist nowhere)."""
    path = path.replace("/CustomFields/{objectName}", "/CustomFields/Contacts")
    path = path.replace("{objectName}", CUSTOM_OBJECT).replace("{customObjectName}", CUSTOM_OBJECT)
    return re.sub(r"\{[^}]*\}", "7", path)


async def test_every_operation_in_scope_is_routed_by_the_emulator(fake: FakeInsightly) -> None:
    token = base64.b64encode(f"{fake.api_key}:".encode()).decode()
    unrouted: list[str] = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Basic {token}"}) as http:
        for op in OPERATIONS:
            body: Any = {} if op.verb in ("POST", "PUT") else None
            async with http.request(op.verb, fake.url(_concrete(op.path)), json=body) as reply:
                text = await reply.text()
            unknown = reply.status == 404 and "No HTTP resource was found" in text
            if (reply.status == 405 or unknown) and left_out(op) is None:
                unrouted.append(f"{op} -> {reply.status}")
    assert unrouted == []


@pytest.mark.parametrize("head", SCOPE)
async def test_every_operation_in_scope_is_sent_by_an_sdk_method(
    fake: FakeInsightly, crm: InsightlySession, head: str
) -> None:
    world = World(fake, crm, head)
    problems: list[str] = []
    for op in (op for op in OPERATIONS if op.head == head and left_out(op) is None):
        sdk_call = call_for(op.verb, op.tail, op.head)
        if sdk_call is None:
            problems.append(f"{op}: no SDK call (add one, or a reason to LEFT_OUT)")
            continue
        start = len(fake.log)
        try:
            await sdk_call(world)
        except Exception as error:  # noqa: BLE001 - reported with the operation
            problems.append(f"{op}: {type(error).__name__}: {error}")
            continue
        sent = [e for e in fake.log.entries[start:] if op.matches(e.method, e.path)]
        if not sent:
            problems.append(f"{op}: the SDK call did not send it")
        elif not all(e.status is not None and 200 <= e.status < 300 for e in sent):
            problems.append(f"{op}: answered {[e.status for e in sent]}")
    assert problems == []
