"""Every record type through the SDK against the emulator: create, get, list, update,
search, delete where the type has them; the read-only ones list and get."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from insightly_async import InsightlySession, NotFoundError
from insightly_async._facts.catalog import CATALOG, Op, RecordType
from insightly_async.models import MODELS, structure
from insightly_async.testing import FakeInsightly
from insightly_async.testing._schema import shape_of


@pytest.fixture
async def fake() -> AsyncIterator[FakeInsightly]:
    async with FakeInsightly(seed=21, rate_limit=None) as emulator:
        emulator.seed(3)
        yield emulator


@pytest.fixture
async def crm(fake: FakeInsightly) -> AsyncIterator[InsightlySession]:
    async with InsightlySession(api_key=fake.api_key, base_url=fake.base_url, rate=1000) as s:
        yield s


def text_field(rtype: RecordType) -> str | None:
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


WRITABLE = [t for t in CATALOG if t.has(Op.CREATE)]
READ_ONLY = [t for t in CATALOG if t.read_only]


@pytest.mark.parametrize("rtype", WRITABLE, ids=lambda t: t.name)
async def test_crud_through_the_sdk(
    fake: FakeInsightly, crm: InsightlySession, rtype: RecordType
) -> None:
    resource = getattr(crm, rtype.name)
    model = MODELS[rtype.model]
    assert rtype.id_field is not None
    created = await resource.create(structure(model, fake.minimal_body(rtype.name)))
    assert isinstance(created, model)
    record_id = created.id
    assert isinstance(record_id, int)
    assert fake.store.get(rtype.name, record_id) is not None
    if rtype.has(Op.GET):
        fetched = await resource.get(record_id)
        assert fetched.id == record_id
        assert fetched.etag
    if rtype.has(Op.LIST):
        ids = [item.id async for item in resource.list()]
        assert record_id in ids
    if rtype.has(Op.UPDATE):
        field = text_field(rtype)
        if field is not None:
            updated = await resource.update(record_id, {field: "Changed"})
            assert fake.store.table(rtype.name)[record_id][field] == "Changed"
            assert updated.id == record_id
    if rtype.has(Op.SEARCH):
        found = [
            item.id
            async for item in resource.search(field_name=rtype.id_field, field_value=record_id)
        ]
        assert found == [record_id]
    if rtype.has(Op.DELETE):
        await resource.delete(record_id)
        assert fake.store.get(rtype.name, record_id) is None
        if rtype.has(Op.GET):
            with pytest.raises(NotFoundError):
                await resource.get(record_id)


@pytest.mark.parametrize("rtype", READ_ONLY, ids=lambda t: t.name)
async def test_read_only_types_list_and_get(
    fake: FakeInsightly, crm: InsightlySession, rtype: RecordType
) -> None:
    resource = getattr(crm, rtype.name)
    assert not hasattr(resource, "create")
    records = await resource.list().to_list()
    assert len(records) == fake.store.count(rtype.name)
    assert all(isinstance(record, MODELS[rtype.model]) for record in records)
    if rtype.has(Op.GET) and records:
        first = records[0]
        assert (await resource.get(first.id)).id == first.id
