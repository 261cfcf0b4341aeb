"""Writes: POST validation, partial PUT, sub-collection modes, ETags and If-Match, stamps."""

from __future__ import annotations

from typing import Any

import pytest
from fake_support import Api, StartFake, WallClock, api_for, sample

from insightly_async._facts.catalog import BY_NAME
from insightly_async.testing._schema import shape_of

pytest_plugins = ["fake_fixtures"]


async def _contact(api: Api, **fields: Any) -> dict[str, Any]:
    reply = await api.post("/Contacts", {"FIRST_NAME": "Ada", **fields})
    assert reply.status == 201, reply.text
    body: dict[str, Any] = reply.body
    return body


async def test_post_answers_201_with_the_full_record_etag_and_location(api: Api) -> None:
    reply = await api.post("/Contacts", {"FIRST_NAME": "Ada", "LAST_NAME": "Lovelace"})
    assert reply.status == 201
    record = reply.body
    assert list(record) == list(shape_of(BY_NAME["contacts"]).layout)
    assert list(record) == list(sample("write__contacts"))
    assert record["FIRST_NAME"] == "Ada"
    assert record["SALUTATION"] is None
    assert record["EMAIL_OPTED_OUT"] is False
    assert (record["TAGS"], record["LINKS"]) == ([], [])
    assert record["VISIBLE_TO"] == "EVERYONE"
    admin = api.fake.user(api.fake.api_key)["USER_ID"]
    assert record["OWNER_USER_ID"] == admin
    assert record["CREATED_USER_ID"] == admin
    assert record["DATE_CREATED_UTC"] == "2025-04-19 00:49:32"
    assert record["DATE_UPDATED_UTC"] == "2025-04-19 00:49:32"
    assert reply.headers["ETag"].startswith('"')
    assert reply.headers["Location"] == api.fake.url(f"/Contacts/{record['CONTACT_ID']}")
    assert api.fake.store.get("contacts", record["CONTACT_ID"]) == record


async def test_minimal_body_holds_the_required_fields_and_creates_what_it_points_at(
    api: Api,
) -> None:
    fake = api.fake
    assert fake.store.ids("opportunities") == []
    body = fake.minimal_body("opportunity_line_items")
    assert set(body) == set(BY_NAME["opportunity_line_items"].required)
    assert body["OPPORTUNITY_ID"] == fake.store.ids("opportunities")[0]
    assert body["PRICEBOOK_ENTRY_ID"] == fake.store.ids("price_book_entries")[0]
    reply = await api.post(f"/Opportunities/{body['OPPORTUNITY_ID']}/OpportunityLineItem", body)
    assert reply.status == 201, reply.text
    assert fake.minimal_body("opportunity_line_items") == body


async def test_ids_ascend_with_every_create(api: Api) -> None:
    ids = [(await _contact(api))["CONTACT_ID"] for _ in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5


async def test_lead_layout_matches_the_recording(api: Api) -> None:
    lead = sample("write__leads")
    body = {k: lead[k] for k in ("FIRST_NAME", "LAST_NAME", "LEAD_SOURCE_ID", "LEAD_STATUS_ID")}
    api.fake.store.insert_many(
        "lead_sources",
        [
            {
                "LEAD_SOURCE_ID": 3794750,
                "LEAD_SOURCE": "Web",
                "DEFAULT_VALUE": False,
                "FIELD_ORDER": 9,
            }
        ],
    )
    api.fake.store.insert_many(
        "lead_statuses",
        [
            {
                "LEAD_STATUS_ID": 3724795,
                "LEAD_STATUS": "Open",
                "DEFAULT_STATUS": False,
                "STATUS_TYPE": 1,
                "FIELD_ORDER": 9,
            }
        ],
    )
    reply = await api.post("/Leads", body)
    assert reply.status == 201, reply.text
    assert list(reply.body) == list(lead)
    assert reply.body["LINKED_EMAIL_ADDRESS"].endswith("@mailbox.insight.ly")
    assert str(reply.body["LEAD_ID"]) in reply.body["LINKED_EMAIL_ADDRESS"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/Contacts", {"LAST_NAME": "x"}, "FIRST_NAME"),
        ("/Contacts", {"FIRST_NAME": None}, "FIRST_NAME"),
        ("/Organisations", {}, "ORGANISATION_NAME"),
        ("/Projects", {"PROJECT_NAME": "p"}, "STATUS"),
        ("/Leads", {"LAST_NAME": "x"}, "LEAD_SOURCE_ID"),
    ],
)
async def test_required_fields_answer_400_naming_the_field(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    reply = await api.post(path, body)
    assert reply.status == 400
    assert field in reply.message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"FIRST_NAME": 5}, "FIRST_NAME"),
        ({"SALUTATION": "x" * 51}, "SALUTATION"),
        ({"EMAIL_OPTED_OUT": "false"}, "EMAIL_OPTED_OUT"),
        ({"ORGANISATION_ID": "12"}, "ORGANISATION_ID"),
        ({"ORGANISATION_ID": True}, "ORGANISATION_ID"),
        ({"OWNER_USER_ID": 2**31}, "OWNER_USER_ID"),
        ({"DATE_OF_BIRTH": "19/04/1990"}, "DATE_OF_BIRTH"),
        ({"DATE_OF_BIRTH": "1990-04-19"}, "DATE_OF_BIRTH"),
        ({"VISIBLE_TO": "NOBODY"}, "VISIBLE_TO"),
        ({"VISIBLE_TO": "TEAM"}, "VISIBLE_TEAM_ID"),
        ({"TAGS": {"TAG_NAME": "x"}}, "TAGS"),
        ({"TAGS": [{"NAME": "x"}]}, "TAG_NAME"),
        ({"CUSTOMFIELDS": [{"FIELD_NAME": "Undefined__c", "FIELD_VALUE": 1}]}, "Undefined__c"),
        ({"ORGANISATION_ID": 12345}, "ORGANISATION_ID"),
        ({"OWNER_USER_ID": 12345}, "OWNER_USER_ID"),
    ],
)
async def test_values_are_checked_against_the_schema(
    api: Api, body: dict[str, Any], field: str
) -> None:
    reply = await api.post("/Contacts", {"FIRST_NAME": "Ada", **body})
    assert reply.status == 400, reply.text
    assert field in reply.message


async def test_bodies_must_be_json_objects(api: Api) -> None:
    for raw in ("[]", '"x"', "not json", ""):
        reply = await api.call(
            "POST", "/Contacts", data=raw, headers={"Content-Type": "application/json"}
        )
        assert reply.status == 400, raw


async def test_nan_and_infinity_are_not_json(api: Api) -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        raw = '{"FIRST_NAME": "Ada", "BACKGROUND": ' + constant + "}"
        reply = await api.call(
            "POST", "/Contacts", data=raw, headers={"Content-Type": "application/json"}
        )
        assert reply.status == 400, constant
        assert f"{constant} is not a JSON number" in reply.message


async def test_read_only_and_unknown_keys_are_ignored(api: Api) -> None:
    reply = await api.post(
        "/Contacts",
        {
            "FIRST_NAME": "Ada",
            "CONTACT_ID": 1,
            "IMAGE_URL": "http://x",
            "DATE_CREATED_UTC": "2000-01-01 00:00:00",
            "CREATED_USER_ID": 1,
            "LAST_ACTIVITY_DATE_UTC": "2000-01-01 00:00:00",
            "NOT_A_FIELD": "x",
            "first_name": "lower",
        },
    )
    assert reply.status == 201
    record = reply.body
    assert record["CONTACT_ID"] != 1
    assert record["IMAGE_URL"] is None
    assert record["DATE_CREATED_UTC"] == "2025-04-19 00:49:32"
    assert record["CREATED_USER_ID"] != 1
    assert record["LAST_ACTIVITY_DATE_UTC"] is None
    assert "NOT_A_FIELD" not in record
    assert "first_name" not in record


async def test_dates_are_stored_in_the_api_format(api: Api) -> None:
    for given in (
        "1990-04-19 08:30:00",
        "1990-04-19T08:30:00",
        "1990-04-19T08:30:00.123Z",
        "1990-04-19T10:30:00+02:00",
    ):
        record = await _contact(api, DATE_OF_BIRTH=given)
        assert record["DATE_OF_BIRTH"] == "1990-04-19 08:30:00", given


async def test_opportunity_state_is_stored_upper_case(api: Api) -> None:
    reply = await api.post(
        "/Opportunities", {"OPPORTUNITY_NAME": "Deal", "OPPORTUNITY_STATE": "won"}
    )
    assert reply.body["OPPORTUNITY_STATE"] == "WON"
    default = await api.post("/Opportunities", {"OPPORTUNITY_NAME": "Deal"})
    assert default.body["OPPORTUNITY_STATE"] == "OPEN"
    bad = await api.post(
        "/Opportunities", {"OPPORTUNITY_NAME": "Deal", "OPPORTUNITY_STATE": "Maybe"}
    )
    assert bad.status == 400
    assert "OPPORTUNITY_STATE" in bad.message


async def test_owner_defaults_to_the_caller_but_may_be_given(api: Api) -> None:
    regular = api.fake.user(api.fake.user_key)["USER_ID"]
    mine = await api.post("/Contacts", {"FIRST_NAME": "R"}, key=api.fake.user_key)
    assert mine.body["OWNER_USER_ID"] == regular
    given = await _contact(api, OWNER_USER_ID=regular)
    assert given["OWNER_USER_ID"] == regular
    assert given["CREATED_USER_ID"] == api.fake.user(api.fake.api_key)["USER_ID"]


async def test_custom_fields_are_written_and_checked(api: Api) -> None:
    api.fake.store.set_custom_fields("Contacts", sample("read__contacts__custom-fields"))
    record = await _contact(
        api,
        CUSTOMFIELDS=[
            {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing"},
            {"FIELD_NAME": "Interests__c", "FIELD_VALUE": "Music;Travel"},
            {"FIELD_NAME": "Newsletter_Subscription__c", "FIELD_VALUE": True},
        ],
    )
    assert record["CUSTOMFIELDS"] == [
        {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing", "CUSTOM_FIELD_ID": "Hobby__c"},
        {
            "FIELD_NAME": "Interests__c",
            "FIELD_VALUE": "Music;Travel",
            "CUSTOM_FIELD_ID": "Interests__c",
        },
        {
            "FIELD_NAME": "Newsletter_Subscription__c",
            "FIELD_VALUE": True,
            "CUSTOM_FIELD_ID": "Newsletter_Subscription__c",
        },
    ]
    for name, value in (
        ("Newsletter_Subscription__c", "yes"),
        ("Interests__c", "Music;Knitting"),
        ("Hobby__c", 3),
    ):
        bad = {"FIELD_NAME": name, "FIELD_VALUE": value}
        reply = await api.post("/Contacts", {"FIRST_NAME": "x", "CUSTOMFIELDS": [bad]})
        assert reply.status == 400, bad
        assert name in reply.message


# --- PUT ------------------------------------------------------------------------------


async def test_put_is_partial_and_null_clears(api: Api, wall: WallClock) -> None:
    record = await _contact(api, LAST_NAME="Lovelace", TITLE="Countess", BACKGROUND="b")
    wall.advance(65)
    reply = await api.put(
        "/Contacts", {"CONTACT_ID": record["CONTACT_ID"], "TITLE": None, "BACKGROUND": "new"}
    )
    assert reply.status == 200
    updated = reply.body
    assert updated["LAST_NAME"] == "Lovelace"
    assert updated["FIRST_NAME"] == "Ada"
    assert updated["TITLE"] is None
    assert updated["BACKGROUND"] == "new"
    assert updated["DATE_CREATED_UTC"] == "2025-04-19 00:49:32"
    assert updated["DATE_UPDATED_UTC"] == "2025-04-19 00:50:37"
    assert list(updated) == list(record)


async def test_put_checks_like_post(api: Api) -> None:
    record = await _contact(api)
    record_id = record["CONTACT_ID"]
    assert (await api.put("/Contacts", {"CONTACT_ID": record_id, "FIRST_NAME": None})).status == 400
    assert (
        await api.put("/Contacts", {"CONTACT_ID": record_id, "SALUTATION": "x" * 60})
    ).status == 400
    assert (await api.put("/Contacts", {"FIRST_NAME": "x"})).status == 400
    assert (await api.put("/Contacts", {"CONTACT_ID": "5"})).status == 400
    assert (await api.put("/Contacts", {"CONTACT_ID": 123})).status == 404
    assert (await api.put("/Contacts", [record])).status == 400


async def test_put_answers_the_configured_status(start_fake: StartFake, api: Api) -> None:
    other = await start_fake(put_status=201)
    created = await api.post("/Contacts", {"FIRST_NAME": "x"})
    assert (await api.put("/Contacts", {"CONTACT_ID": created.body["CONTACT_ID"]})).status == 200
    second = api_for(other, api.session)
    made = await second.post("/Contacts", {"FIRST_NAME": "x"})
    assert (await second.put("/Contacts", {"CONTACT_ID": made.body["CONTACT_ID"]})).status == 201


async def test_sub_collections_in_put_replace_by_default(api: Api) -> None:
    api.fake.store.set_custom_fields("Contacts", sample("read__contacts__custom-fields"))
    record = await _contact(
        api,
        TAGS=[{"TAG_NAME": "a"}, {"TAG_NAME": "b"}],
        CUSTOMFIELDS=[
            {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing"},
            {"FIELD_NAME": "Newsletter_Subscription__c", "FIELD_VALUE": True},
        ],
        DATES=[{"OCCASION_NAME": "Birthday", "OCCASION_DATE": "1990-04-19 00:00:00"}],
    )
    reply = await api.put(
        "/Contacts",
        {
            "CONTACT_ID": record["CONTACT_ID"],
            "TAGS": [{"TAG_NAME": "c"}],
            "CUSTOMFIELDS": [{"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Chess"}],
        },
    )
    updated = reply.body
    assert updated["TAGS"] == [{"TAG_NAME": "c"}]
    assert updated["CUSTOMFIELDS"] == [
        {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Chess", "CUSTOM_FIELD_ID": "Hobby__c"}
    ]
    assert updated["DATES"] == record["DATES"]
    assert record["DATES"][0]["DATE_ID"] is not None


async def test_sub_collections_in_put_merge_when_configured(
    start_fake: StartFake, api: Api
) -> None:
    merging = api_for(await start_fake(subcollection_put="merge"), api.session)
    merging.fake.store.set_custom_fields("Contacts", sample("read__contacts__custom-fields"))
    created = await merging.post(
        "/Contacts",
        {
            "FIRST_NAME": "Ada",
            "TAGS": [{"TAG_NAME": "a"}],
            "CUSTOMFIELDS": [
                {"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Skiing"},
                {"FIELD_NAME": "Newsletter_Subscription__c", "FIELD_VALUE": True},
            ],
            "DATES": [{"OCCASION_NAME": "Birthday", "OCCASION_DATE": "1990-04-19 00:00:00"}],
        },
    )
    record = created.body
    date_id = record["DATES"][0]["DATE_ID"]
    reply = await merging.put(
        "/Contacts",
        {
            "CONTACT_ID": record["CONTACT_ID"],
            "TAGS": [{"TAG_NAME": "b"}, {"TAG_NAME": "A"}],
            "CUSTOMFIELDS": [{"FIELD_NAME": "Hobby__c", "FIELD_VALUE": "Chess"}],
            "DATES": [
                {
                    "DATE_ID": date_id,
                    "OCCASION_NAME": "Birthday!",
                    "OCCASION_DATE": "1990-04-19 00:00:00",
                },
                {"OCCASION_NAME": "Wedding", "OCCASION_DATE": "2015-06-01 00:00:00"},
            ],
        },
    )
    updated = reply.body
    assert updated["TAGS"] == [{"TAG_NAME": "a"}, {"TAG_NAME": "b"}]
    assert [(f["FIELD_NAME"], f["FIELD_VALUE"]) for f in updated["CUSTOMFIELDS"]] == [
        ("Hobby__c", "Chess"),
        ("Newsletter_Subscription__c", True),
    ]
    assert [(d["DATE_ID"] == date_id, d["OCCASION_NAME"]) for d in updated["DATES"]] == [
        (True, "Birthday!"),
        (False, "Wedding"),
    ]


# --- ETags ----------------------------------------------------------------------------


async def test_etag_changes_on_every_write(api: Api) -> None:
    record = await _contact(api)
    record_id = record["CONTACT_ID"]
    seen = [(await api.get(f"/Contacts/{record_id}")).headers["ETag"]]
    assert (await api.get(f"/Contacts/{record_id}")).headers["ETag"] == seen[0]
    writes = [
        api.put("/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "x"}),
        api.post(f"/Contacts/{record_id}/Tags", {"TAG_NAME": "t"}),
        api.post(f"/Contacts/{record_id}/Notes", {"TITLE": "n"}),
        api.delete(f"/Contacts/{record_id}/Tags", {"TAG_NAME": "t"}),
    ]
    for write in writes:
        assert (await write).status in (200, 201, 202)
        seen.append((await api.get(f"/Contacts/{record_id}")).headers["ETag"])
    assert len(set(seen)) == len(seen)
    api.fake.edit("contacts", record_id, {"TITLE": "Dr"})
    assert (await api.get(f"/Contacts/{record_id}")).headers["ETag"] not in seen


@pytest.mark.parametrize("status", [400, 412])
async def test_if_match(start_fake: StartFake, api: Api, status: int) -> None:
    client = api_for(await start_fake(etag_mismatch_status=status), api.session)
    created = await client.post("/Contacts", {"FIRST_NAME": "Ada"})
    record_id = created.body["CONTACT_ID"]
    etag = created.headers["ETag"]
    ok = await client.put(
        "/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "1"}, headers={"If-Match": etag}
    )
    assert ok.status == 200
    assert ok.headers["ETag"] != etag
    stale = await client.put(
        "/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "2"}, headers={"If-Match": etag}
    )
    assert stale.status == status
    assert stale.message == f"If-Match header value '{etag}' is not valid."
    assert client.fake.store.get("contacts", record_id)["LAST_NAME"] == "1"  # type: ignore[index]
    star = await client.put(
        "/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "3"}, headers={"If-Match": "*"}
    )
    assert star.status == 200
    bogus = await client.put(
        "/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "4"}, headers={"If-Match": "nope"}
    )
    assert bogus.status == status


async def test_date_updated_utc_follows_the_injected_clock(api: Api, wall: WallClock) -> None:
    record = await _contact(api)
    wall.advance(3600.7)
    await api.post(f"/Contacts/{record['CONTACT_ID']}/Tags", {"TAG_NAME": "t"})
    stored = api.fake.store.get("contacts", record["CONTACT_ID"])
    assert stored is not None
    assert stored["DATE_UPDATED_UTC"] == "2025-04-19 01:49:32"
    assert stored["DATE_CREATED_UTC"] == "2025-04-19 00:49:32"
    wall.advance(60)
    edited = api.fake.edit("contacts", record["CONTACT_ID"], {"TITLE": "Dr"})
    assert edited["DATE_UPDATED_UTC"] == "2025-04-19 01:50:32"


async def test_delete_answers_202_then_404(api: Api) -> None:
    record = await _contact(api)
    path = f"/Contacts/{record['CONTACT_ID']}"
    assert (await api.delete(path)).status == 202
    assert (await api.delete(path)).status == 404
    assert (await api.get(path)).status == 404


async def test_a_rejected_write_changes_nothing(api: Api) -> None:
    bad_links = [{"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": 1}]
    refused = await api.post("/Contacts", {"FIRST_NAME": "Ada", "LINKS": bad_links})
    assert refused.status == 400
    assert api.fake.store.count("contacts") == 0
    record = await _contact(api, TAGS=[{"TAG_NAME": "keep"}])
    etag = (await api.get(f"/Contacts/{record['CONTACT_ID']}")).headers["ETag"]
    refused = await api.put(
        "/Contacts",
        {"CONTACT_ID": record["CONTACT_ID"], "LAST_NAME": "Changed", "TAGS": [{"TAG_NAME": ""}]},
    )
    assert refused.status == 400
    after = await api.get(f"/Contacts/{record['CONTACT_ID']}")
    assert after.body == record
    assert after.headers["ETag"] == etag
