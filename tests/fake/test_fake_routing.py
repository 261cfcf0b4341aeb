"""Routing: the catalog's paths and verbs, 404/405 and id checks, and a CRUD loop over it."""

from __future__ import annotations

from typing import Any

import pytest
from fake_support import Api

from insightly_async._facts.catalog import CATALOG, CHILD_ENTITIES, Op, RecordType, Sub
from insightly_async.testing import FakeInsightly
from insightly_async.testing._schema import shape_of

pytest_plugins = ["fake_fixtures"]

PLURALS = [
    "Products",
    "Pricebooks",
    "PricebookEntries",
    "Quotations",
    "Quotes",
    "QuotationLineItems",
    "OpportunityLineItems",
    "Tickets",
    "Prospects",
    "KnowledgeArticles",
]


@pytest.mark.parametrize("plural", PLURALS)
async def test_plural_forms_of_singular_collections_answer_405(api: Api, plural: str) -> None:
    for method in ("GET", "POST", "PUT"):
        reply = await api.call(method, f"/{plural}")
        assert reply.status == 405, (method, plural)
        assert "Allow" in reply.headers
        assert "does not support http method" in reply.message
    assert (await api.get(f"/{plural}/5")).status == 405


async def test_singular_collections_work(api: Api) -> None:
    for path in ("/Product", "/Pricebook", "/PricebookEntry", "/Quotation", "/Ticket"):
        reply = await api.get(path)
        assert reply.status == 200, path
        assert isinstance(reply.body, list)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/Contacts", "GET,POST,PUT"),
        ("POST", "/Contacts/5", "DELETE,GET"),
        ("PUT", "/Contacts/Search", "GET"),
        ("POST", "/Notes", "GET,PUT"),
        ("POST", "/Pipelines", "GET"),
        ("DELETE", "/Pricebook/5", "GET"),
        ("GET", "/Opportunities/5/StateChange", "PUT"),
    ],
)
async def test_wrong_method_answers_405_with_allow(
    api: Api, method: str, path: str, allow: str
) -> None:
    reply = await api.call(method, path)
    assert reply.status == 405
    assert reply.headers["Allow"] == allow
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    ["/Nope", "/Contacts/5/Nope", "/Leads/5/Links", "/Tasks/5/Tags", "/Events/5/Notes", "/v3.0/x"],
)
async def test_unknown_paths_answer_404(api: Api, path: str) -> None:
    reply = await api.get(path)
    assert reply.status == 404
    assert isinstance(reply.body, dict)
    assert "Message" in reply.body


@pytest.mark.parametrize("bad", ["abc", "1.5", "-3", "99999999999999999999"])
async def test_non_integer_ids_answer_400(api: Api, bad: str) -> None:
    assert (await api.get(f"/Contacts/{bad}")).status == 400
    assert (await api.delete(f"/Contacts/{bad}")).status == 400
    assert (await api.get(f"/Contacts/{bad}/Links")).status == 400


async def test_metadata_endpoints(api: Api) -> None:
    instance = await api.get("/Instance")
    assert instance.status == 200
    assert set(instance.body) == {
        "INSTANCE_NAME",
        "INSTANCE_SUBDOMAIN",
        "PLAN_NAME",
        "NEW_USER_EXPERIENCE_ENABLED",
    }
    fields = await api.get("/CustomFields/Contacts")
    assert fields.status == 200
    assert fields.body == api.fake.store.custom_fields("Contacts")
    assert (await api.get("/CustomFields/NoSuchObject")).status == 404
    assert (await api.get("/CustomObjects")).body == []
    assert (await api.get("/CustomObjects/Fruit__c")).status == 404
    assert (await api.get("/Fruit__c")).status == 404


async def test_custom_fields_search_needs_field_name(api: Api) -> None:
    name = api.fake.store.custom_fields("Contacts")[0]["FIELD_NAME"]
    found = await api.get("/CustomFields/Contacts/Search", params={"fieldName": name.upper()})
    assert [field["FIELD_NAME"] for field in found.body] == [name]
    assert (await api.get("/CustomFields/Contacts/Search")).status == 400


# --- a create/read/update/search/delete loop over the whole catalog -------------------


def _text_field(rtype: RecordType) -> str | None:
    shape = shape_of(rtype)
    for name in shape.layout:
        field = shape.fields[name]
        if (
            name in shape.writable
            and field.kind == "string"
            and field.max_length >= 8
            and name != "VISIBLE_TO"
            and not name.endswith("STATE")
        ):
            return name
    return None


WRITABLE_TYPES = [t for t in CATALOG if t.has(Op.CREATE)]


@pytest.mark.parametrize("rtype", WRITABLE_TYPES, ids=lambda t: t.name)
async def test_crud_loop_over_the_catalog(api: Api, rtype: RecordType) -> None:
    fake = api.fake
    path = f"/{rtype.path}"
    assert rtype.id_field is not None
    created = await api.post(path, fake.minimal_body(rtype.name))
    assert created.status == 201, created.text
    record_id = created.body[rtype.id_field]
    assert isinstance(record_id, int)
    assert record_id > 1_000_000
    assert list(created.body) == list(shape_of(rtype).layout)
    if rtype.has(Op.GET):
        got = await api.get(f"{path}/{record_id}")
        assert got.status == 200
        assert got.body == created.body
        assert got.headers["ETag"] == created.headers["ETag"]
    if rtype.has(Op.LIST):
        listed = await api.get(path, params={"top": "500"})
        assert record_id in [item[rtype.id_field] for item in listed.body]
    if rtype.has(Op.UPDATE):
        field = _text_field(rtype)
        change: dict[str, Any] = {rtype.id_field: record_id}
        if field is not None:
            change[field] = "Changed"
        updated = await api.put(path, change)
        assert updated.status == 200, updated.text
        if field is not None:
            assert updated.body[field] == "Changed"
    if rtype.has(Op.SEARCH):
        found = await api.get(
            f"{path}/Search", params={"field_name": rtype.id_field, "field_value": str(record_id)}
        )
        assert found.status == 200, found.text
        assert [item[rtype.id_field] for item in found.body] == [record_id]
    if rtype.has(Op.DELETE):
        if rtype.delete_by_query:
            deleted = await api.delete(path, params={"id": str(record_id)})
        else:
            deleted = await api.delete(f"{path}/{record_id}")
        assert deleted.status == 202
        assert deleted.text == ""
        assert fake.store.get(rtype.name, record_id) is None
        if rtype.has(Op.GET):
            assert (await api.get(f"{path}/{record_id}")).status == 404


@pytest.mark.parametrize("rtype", [t for t in CATALOG if t.read_only], ids=lambda t: t.name)
async def test_read_only_types_list_and_get(api: Api, rtype: RecordType) -> None:
    listed = await api.get(f"/{rtype.path}")
    assert listed.status == 200
    assert isinstance(listed.body, list)
    assert (await api.post(f"/{rtype.path}", {})).status in (404, 405)
    if rtype.has(Op.GET) and listed.body:
        assert rtype.id_field is not None
        first = listed.body[0]
        got = await api.get(f"/{rtype.path}/{first[rtype.id_field]}")
        assert got.status == 200
        assert got.body == first


def test_every_catalog_path_is_routed(fake: FakeInsightly) -> None:
    routes = {
        (route.method, route.resource.canonical)
        for route in fake.app.router.routes()
        if route.resource is not None
    }
    one = "/v3.1/{path}/{{id}}"
    for rtype in CATALOG:
        base = f"/v3.1/{rtype.path}"
        expected = set()
        if rtype.has(Op.LIST):
            expected.add(("GET", base))
        if rtype.has(Op.SEARCH):
            expected.add(("GET", f"{base}/Search"))
        if rtype.has(Op.GET):
            expected.add(("GET", one.format(path=rtype.path)))
        for sub, (segment, _child) in CHILD_ENTITIES.items():
            if sub in rtype.subs:
                expected.add(("GET", f"{one.format(path=rtype.path)}/{segment}"))
        if Sub.TAGS in rtype.subs:
            expected.add(("DELETE", f"{one.format(path=rtype.path)}/Tags"))
        assert expected <= routes, (rtype.name, expected - routes)
