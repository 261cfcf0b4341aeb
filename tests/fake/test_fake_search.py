"""/Search: exact match on one field (custom fields too), updated_after_utc, and errors."""

from __future__ import annotations

import copy

import aiohttp
import pytest
from fake_support import Api, StartFake, WallClock, api_for, sample

pytest_plugins = ["fake_fixtures"]


def _seed(api: Api) -> list[int]:
    records = []
    for index, (name, email, hobby, updated) in enumerate(
        [
            ("Pamela", "pamela@mail.com", "Skiing", "2025-04-19 00:49:32"),
            ("pamela", "other@mail.com", "skiing", "2025-04-19 00:49:33"),
            ("Ravi", "ravi@mail.com", "Chess", "2025-04-20 10:00:00"),
        ]
    ):
        record = copy.deepcopy(sample("read__contacts__list")[0])
        record["CONTACT_ID"] = 366_638_973 + index
        record["FIRST_NAME"] = name
        record["EMAIL_ADDRESS"] = email
        record["DATE_UPDATED_UTC"] = updated
        record["CUSTOMFIELDS"][0]["FIELD_VALUE"] = hobby
        records.append(record)
    api.fake.store.set_custom_fields("Contacts", sample("read__contacts__custom-fields"))
    return api.fake.store.insert_many("contacts", records)


async def _ids(api: Api, params: dict[str, str], path: str = "/Contacts/Search") -> list[int]:
    reply = await api.get(path, params=params)
    assert reply.status == 200, reply.text
    return [record["CONTACT_ID"] for record in reply.body]


async def test_exact_match_on_a_top_level_field_ignores_case(api: Api) -> None:
    ids = _seed(api)
    assert await _ids(api, {"field_name": "FIRST_NAME", "field_value": "PAMELA"}) == ids[:2]
    assert await _ids(api, {"field_name": "FIRST_NAME", "field_value": "Pam"}) == []
    assert await _ids(api, {"field_name": "EMAIL_ADDRESS", "field_value": "ravi@mail.com"}) == [
        ids[2]
    ]


async def test_match_on_numbers_booleans_and_dates(api: Api) -> None:
    ids = _seed(api)
    assert await _ids(api, {"field_name": "CONTACT_ID", "field_value": str(ids[1])}) == [ids[1]]
    assert await _ids(api, {"field_name": "EMAIL_OPTED_OUT", "field_value": "false"}) == ids
    by_date = {"field_name": "DATE_UPDATED_UTC", "field_value": "2025-04-20T10:00:00Z"}
    assert await _ids(api, by_date) == [ids[2]]


async def test_match_on_a_custom_field(api: Api) -> None:
    ids = _seed(api)
    assert await _ids(api, {"field_name": "Hobby__c", "field_value": "skiing"}) == ids[:2]
    assert await _ids(api, {"field_name": "Hobby__c", "field_value": "Chess"}) == [ids[2]]
    both = await _ids(api, {"field_name": "Interests__c", "field_value": "Music;Sports;Travel"})
    assert both == ids


@pytest.mark.parametrize(
    "params",
    [{"field_name": "FIRST_NAME"}, {"field_value": "Pamela"}],
    ids=["name-only", "value-only"],
)
async def test_half_a_field_pair_answers_400(api: Api, params: dict[str, str]) -> None:
    reply = await api.get("/Contacts/Search", params=params)
    assert reply.status == 400
    assert "field_name" in reply.message


@pytest.mark.parametrize("name", ["NOPE", "first_name", "TAGS", "Unknown__c"])
async def test_unknown_or_list_fields_answer_400(api: Api, name: str) -> None:
    reply = await api.get("/Contacts/Search", params={"field_name": name, "field_value": "x"})
    assert reply.status == 400
    assert name in reply.message


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("2025-04-19T00:49:32Z", [1, 2]),
        ("2025-04-19T00:49:31Z", [0, 1, 2]),
        ("2025-04-19 00:49:32", [1, 2]),
        ("2025-04-19T00:49:32.999Z", [1, 2]),
        ("2025-04-19T00:49:33Z", [2]),
        ("2025-04-20T10:00:00Z", []),
    ],
)
async def test_updated_after_utc_is_strictly_after(
    api: Api, bound: str, expected: list[int]
) -> None:
    ids = _seed(api)
    assert await _ids(api, {"updated_after_utc": bound}) == [ids[i] for i in expected]


@pytest.mark.parametrize(
    "bound",
    [
        "2025-04-19",
        "2025-04-19T00:49:32",
        "19/04/2025 00:49:32",
        "2025-04-19 00:49:32Z",
        "2025-04-19T00:49:32+00:00",
        "2025-04-19T02:49:32+02:00",
        "2025-13-01T00:00:00Z",
        "yesterday",
        "",
    ],
)
async def test_bad_updated_after_utc_answers_400(api: Api, bound: str) -> None:
    _seed(api)
    reply = await api.get("/Contacts/Search", params={"updated_after_utc": bound})
    assert reply.status == 400
    assert "updated_after_utc" in reply.message


async def test_field_and_date_filters_combine(api: Api) -> None:
    ids = _seed(api)
    params = {
        "field_name": "FIRST_NAME",
        "field_value": "pamela",
        "updated_after_utc": "2025-04-19T00:49:32Z",
    }
    assert await _ids(api, params) == [ids[1]]


async def test_users_search_takes_only_one_filter(api: Api) -> None:
    user = api.fake.user(api.fake.user_key)
    one = await api.get(
        "/Users/Search", params={"field_name": "USER_ID", "field_value": str(user["USER_ID"])}
    )
    assert [u["USER_ID"] for u in one.body] == [user["USER_ID"]]
    both = await api.get(
        "/Users/Search",
        params={
            "field_name": "USER_ID",
            "field_value": str(user["USER_ID"]),
            "updated_after_utc": "2000-01-01T00:00:00Z",
        },
    )
    assert both.status == 400


async def test_search_pages_and_counts(api: Api) -> None:
    ids = _seed(api)
    reply = await api.get(
        "/Contacts/Search",
        params={
            "field_name": "EMAIL_OPTED_OUT",
            "field_value": "false",
            "skip": "1",
            "top": "1",
            "count_total": "true",
            "brief": "true",
        },
    )
    assert [r["CONTACT_ID"] for r in reply.body] == [ids[1]]
    assert reply.headers["X-Total-Count"] == "3"
    assert "CUSTOMFIELDS" not in reply.body[0]


async def test_records_written_now_are_found_after_the_previous_second(
    api: Api, wall: WallClock
) -> None:
    before = wall.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    wall.advance(1)
    created = await api.post("/Contacts", {"FIRST_NAME": "New"})
    found = await _ids(api, {"updated_after_utc": before})
    assert found == [created.body["CONTACT_ID"]]
    same_second = wall.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await _ids(api, {"updated_after_utc": same_second}) == []


async def test_search_by_tag(api: Api) -> None:
    leads = sample("read__leads__1-first-page") + sample("read__leads__2-second-page")
    api.fake.store.insert_many("leads", copy.deepcopy(leads))
    reply = await api.get("/Leads/SearchByTag", params={"tagName": "paris"})
    assert [r["LEAD_ID"] for r in reply.body] == [78563840]
    assert (await api.get("/Leads/SearchByTag")).status == 400
    tags = await api.get("/Tags", params={"record_type": "leads"})
    assert [t["TAG_NAME"] for t in tags.body] == sorted(
        {tag["TAG_NAME"] for lead in leads for tag in lead["TAGS"]}, key=str.casefold
    )
    assert (await api.get("/Tags")).status == 400
    assert (await api.get("/Tags", params={"record_type": "widgets"})).status == 400


@pytest.mark.parametrize("mode", ["reject", "ignore", "apply"])
async def test_filters_on_a_plain_list(
    start_fake: StartFake, session: aiohttp.ClientSession, mode: str
) -> None:
    api = api_for(await start_fake(list_filters=mode), session)
    ids = _seed(api)
    reply = await api.get("/Contacts", params={"updated_after_utc": "2025-04-19T00:49:32Z"})
    if mode == "reject":
        assert reply.status == 400
        assert "/Contacts/Search" in reply.message
    elif mode == "ignore":
        assert [r["CONTACT_ID"] for r in reply.body] == ids
    else:
        assert [r["CONTACT_ID"] for r in reply.body] == ids[1:]
