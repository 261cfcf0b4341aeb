"""Lists: bare arrays in ascending id order, skip/top, brief, count_total."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from fake_support import Api, sample

from insightly_async.testing import FakeInsightly

pytest_plugins = ["fake_fixtures"]


def _contacts(fake: FakeInsightly, count: int, start: int = 500_000_000) -> list[int]:
    template = sample("read__contacts__list")[0]
    records = []
    for index in range(count):
        record = copy.deepcopy(template)
        record["CONTACT_ID"] = start + 7 * index
        record["FIRST_NAME"] = f"First{index}"
        records.append(record)
    return fake.store.insert_many("contacts", records)


async def test_default_page_is_100_in_ascending_id_order(api: Api) -> None:
    ids = _contacts(api.fake, 250)
    reply = await api.get("/Contacts")
    assert reply.status == 200
    assert [r["CONTACT_ID"] for r in reply.body] == sorted(ids)[:100]
    assert "X-Total-Count" not in reply.headers


async def test_inserting_out_of_order_still_lists_ascending(api: Api) -> None:
    ids = _contacts(api.fake, 5, start=900_000_000) + _contacts(api.fake, 5, start=100_000_000)
    reply = await api.get("/Contacts")
    assert [r["CONTACT_ID"] for r in reply.body] == sorted(ids)


async def test_skip_and_top(api: Api) -> None:
    ids = sorted(_contacts(api.fake, 30))
    reply = await api.get("/Contacts", params={"skip": "10", "top": "5"})
    assert [r["CONTACT_ID"] for r in reply.body] == ids[10:15]
    beyond = await api.get("/Contacts", params={"skip": "30"})
    assert beyond.body == []


async def test_top_is_silently_clamped_to_500(api: Api) -> None:
    _contacts(api.fake, 650)
    reply = await api.get("/Contacts", params={"top": "12000"})
    assert len(reply.body) == 500


@pytest.mark.parametrize(
    "params",
    [
        {"top": "-1"},
        {"skip": "-5"},
        {"top": "ten"},
        {"skip": "1.5"},
        {"top": ""},
        {"count_total": "yes"},
        {"brief": "1"},
    ],
)
async def test_bad_paging_parameters_answer_400(api: Api, params: dict[str, str]) -> None:
    reply = await api.get("/Contacts", params=params)
    assert reply.status == 400
    assert next(iter(params)) in reply.message


async def test_count_total_counts_everything_matching(api: Api) -> None:
    _contacts(api.fake, 42)
    reply = await api.get("/Contacts", params={"count_total": "true", "top": "5"})
    assert reply.headers["X-Total-Count"] == "42"
    assert len(reply.body) == 5
    assert isinstance(reply.body, list)
    upper = await api.get("/Contacts", params={"count_total": "True", "top": "1"})
    assert upper.headers["X-Total-Count"] == "42"


async def test_brief_drops_list_valued_sub_collections(api: Api) -> None:
    _contacts(api.fake, 2)
    full = await api.get("/Contacts")
    brief = await api.get("/Contacts", params={"brief": "true"})
    for whole, short in zip(full.body, brief.body, strict=True):
        lists = {key for key, value in whole.items() if isinstance(value, list)}
        assert lists == {"CUSTOMFIELDS", "TAGS", "DATES", "LINKS"}
        assert set(short) == set(whole) - lists
        assert list(short) == [key for key in whole if key not in lists]


async def test_brief_is_ignored_where_the_type_has_no_brief(api: Api) -> None:
    teams_like = await api.get("/Users", params={"brief": "true"})
    assert teams_like.status == 200
    assert teams_like.body == api.fake.users


async def test_unpaged_types_ignore_paging(api: Api) -> None:
    countries = api.fake.store.records("countries")
    assert len(countries) >= 2
    reply = await api.get("/Countries", params={"top": "1", "skip": "1", "count_total": "true"})
    assert reply.body == countries
    assert "X-Total-Count" not in reply.headers


async def test_a_500_record_page_of_100000_is_fast(api: Api) -> None:
    template = sample("read__contacts__list")[0]
    records: list[dict[str, Any]] = []
    for index in range(100_000):
        record = dict(template)
        record["CONTACT_ID"] = 400_000_000 + index
        records.append(record)
    started = time.perf_counter()
    api.fake.store.insert_many("contacts", records)
    assert time.perf_counter() - started < 2.0
    timings = []
    for skip in (0, 50_000, 99_500):
        started = time.perf_counter()
        reply = await api.get("/Contacts", params={"skip": str(skip), "top": "500"})
        timings.append(time.perf_counter() - started)
        assert [r["CONTACT_ID"] for r in reply.body] == list(
            range(400_000_000 + skip, 400_000_000 + skip + 500)
        )
    # A few milliseconds on a developer machine; the bound leaves room for slow CI.
    assert min(timings) < 0.1, timings
