"""Sub-resources: links, tags, notes, follows, files, dates, activity, pipelines, children."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from fake_support import Api, WallClock

pytest_plugins = ["fake_fixtures"]


async def _make(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await api.post(path, body)
    assert reply.status == 201, reply.text
    record: dict[str, Any] = reply.body
    return record


async def _contact(api: Api) -> int:
    return int((await _make(api, "/Contacts", {"FIRST_NAME": "Ada"}))["CONTACT_ID"])


async def _organisation(api: Api) -> int:
    return int(
        (await _make(api, "/Organisations", {"ORGANISATION_NAME": "Acme"}))["ORGANISATION_ID"]
    )


async def _opportunity(api: Api) -> int:
    return int((await _make(api, "/Opportunities", {"OPPORTUNITY_NAME": "Deal"}))["OPPORTUNITY_ID"])


async def _stamps(api: Api, path: str) -> tuple[str, str]:
    reply = await api.get(path)
    return reply.headers["ETag"], reply.body["DATE_UPDATED_UTC"]


# --- links ----------------------------------------------------------------------------


async def test_links_are_added_shown_on_both_ends_updated_and_deleted(
    api: Api, wall: WallClock
) -> None:
    contact = await _contact(api)
    organisation = await _organisation(api)
    before = await _stamps(api, f"/Contacts/{contact}")
    wall.advance(10)
    added = await api.post(
        f"/Contacts/{contact}/Links",
        {"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": organisation, "ROLE": "CEO"},
    )
    assert added.status == 201
    link = added.body
    assert isinstance(link["LINK_ID"], int)
    assert (link["OBJECT_NAME"], link["OBJECT_ID"]) == ("Contact", contact)
    after = await _stamps(api, f"/Contacts/{contact}")
    assert after[0] != before[0]
    assert after[1] == "2025-04-19 00:49:42"
    assert (await api.get(f"/Contacts/{contact}/Links")).body == [link]
    reverse = (await api.get(f"/Organisations/{organisation}/Links")).body
    assert [
        (r["LINK_ID"], r["LINK_OBJECT_NAME"], r["LINK_OBJECT_ID"], r["ROLE"]) for r in reverse
    ] == [(link["LINK_ID"], "Contact", contact, "CEO")]
    changed = await api.put(
        f"/Contacts/{contact}/Links", {"LINK_ID": link["LINK_ID"], "ROLE": "CTO"}
    )
    assert changed.status == 200
    assert changed.body["ROLE"] == "CTO"
    assert (await api.get(f"/Organisations/{organisation}/Links")).body[0]["ROLE"] == "CTO"
    assert (await api.put(f"/Contacts/{contact}/Links", {"LINK_ID": 1, "ROLE": "x"})).status == 404
    assert (await api.delete(f"/Contacts/{contact}/Links/{link['LINK_ID']}")).status == 202
    assert (await api.get(f"/Contacts/{contact}/Links")).body == []
    assert (await api.get(f"/Organisations/{organisation}/Links")).body == []
    assert (await api.delete(f"/Contacts/{contact}/Links/{link['LINK_ID']}")).status == 404


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Organisations", "singular"),
        ("organisation", "LINK_OBJECT_NAME"),
        ("Widget", "LINK_OBJECT_NAME"),
    ],
)
async def test_link_object_names_must_be_singular(api: Api, name: str, expected: str) -> None:
    contact = await _contact(api)
    organisation = await _organisation(api)
    reply = await api.post(
        f"/Contacts/{contact}/Links", {"LINK_OBJECT_NAME": name, "LINK_OBJECT_ID": organisation}
    )
    assert reply.status == 400
    assert expected in reply.message


async def test_links_to_missing_records_answer_400(api: Api) -> None:
    contact = await _contact(api)
    reply = await api.post(
        f"/Contacts/{contact}/Links", {"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": 42}
    )
    assert reply.status == 400


async def test_tasks_have_no_link_update(api: Api) -> None:
    assert (await api.put("/Tasks/5/Links", {})).status == 405


async def test_deleting_a_record_removes_its_links_elsewhere(api: Api) -> None:
    contact = await _contact(api)
    organisation = await _organisation(api)
    await api.post(
        f"/Contacts/{contact}/Links",
        {"LINK_OBJECT_NAME": "Organisation", "LINK_OBJECT_ID": organisation},
    )
    assert (await api.delete(f"/Contacts/{contact}")).status == 202
    assert (await api.get(f"/Organisations/{organisation}/Links")).body == []


# --- tags -----------------------------------------------------------------------------


async def test_tags(api: Api) -> None:
    contact = await _contact(api)
    path = f"/Contacts/{contact}/Tags"
    assert (await api.get(path)).body == []
    added = await api.post(path, {"TAG_NAME": "vip"})
    assert added.status == 201
    assert added.body == {"TAG_NAME": "vip"}
    assert (await api.post(path, {"TAG_NAME": "VIP"})).status == 201
    await api.post(path, {"TAG_NAME": "lead"})
    assert (await api.get(path)).body == [{"TAG_NAME": "vip"}, {"TAG_NAME": "lead"}]
    replaced = await api.put(path, [{"TAG_NAME": "one"}, {"TAG_NAME": "two"}])
    assert replaced.status == 200
    assert replaced.body == [{"TAG_NAME": "one"}, {"TAG_NAME": "two"}]
    gone = await api.delete(path, {"TAG_NAME": "one"})
    assert gone.status == 202
    assert gone.text == ""
    assert (await api.get(path)).body == [{"TAG_NAME": "two"}]
    assert (await api.delete(path)).status == 400
    assert (await api.post(path, {"NAME": "x"})).status == 400
    found = await api.get("/Contacts/SearchByTag", params={"tagName": "TWO"})
    assert [r["CONTACT_ID"] for r in found.body] == [contact]


# --- notes ----------------------------------------------------------------------------


async def test_notes_are_created_through_their_parent(api: Api, wall: WallClock) -> None:
    contact = await _contact(api)
    assert (await api.post("/Notes", {"TITLE": "x"})).status == 405
    wall.advance(5)
    created = await api.post(f"/Contacts/{contact}/Notes", {"TITLE": "Call", "BODY": "<p>hi</p>"})
    assert created.status == 201
    note = created.body
    assert created.headers["ETag"]
    assert note["TITLE"] == "Call"
    assert [(link["LINK_OBJECT_NAME"], link["LINK_OBJECT_ID"]) for link in note["LINKS"]] == [
        ("Contact", contact)
    ]
    listed = await api.get(f"/Contacts/{contact}/Notes")
    assert [n["NOTE_ID"] for n in listed.body] == [note["NOTE_ID"]]
    parent = (await api.get(f"/Contacts/{contact}")).body
    assert parent["DATE_UPDATED_UTC"] == "2025-04-19 00:49:37"
    assert [link["LINK_OBJECT_ID"] for link in parent["LINKS"]] == [note["NOTE_ID"]]
    updated = await api.put(
        f"/Contacts/{contact}/Notes", {"NOTE_ID": note["NOTE_ID"], "TITLE": "Called"}
    )
    assert updated.status == 200
    assert updated.body["TITLE"] == "Called"
    assert updated.body["BODY"] == "<p>hi</p>"
    other = await _contact(api)
    elsewhere = await api.put(
        f"/Contacts/{other}/Notes", {"NOTE_ID": note["NOTE_ID"], "TITLE": "x"}
    )
    assert elsewhere.status == 404
    top = await api.put("/Notes", {"NOTE_ID": note["NOTE_ID"], "TITLE": "Top"})
    assert top.status == 200
    assert (await api.post(f"/Contacts/{contact}/Notes", {"BODY": "no title"})).status == 400


# --- follow ---------------------------------------------------------------------------


async def test_follow_is_per_user(api: Api) -> None:
    contact = await _contact(api)
    path = f"/Contacts/{contact}/Follow"
    assert (await api.get(path)).body == {"FOLLOWING": False}
    followed = await api.post(path)
    assert followed.status == 201
    assert followed.body == {"FOLLOWING": True}
    assert (await api.get(path)).body == {"FOLLOWING": True}
    assert (await api.get(path, key=api.fake.user_key)).body == {"FOLLOWING": False}
    follows = await api.get("/Follows")
    assert follows.body == [{"RECORD_TYPE": "contacts", "RECORD_ID": contact}]
    assert (await api.get("/Follows", params={"record_type": "leads"})).body == []
    assert (await api.get("/Follows", key=api.fake.user_key)).body == []
    assert (await api.delete(path)).status == 202
    assert (await api.get(path)).body == {"FOLLOWING": False}


# --- file attachments -----------------------------------------------------------------


async def test_file_attachments_keep_metadata(api: Api) -> None:
    contact = await _contact(api)
    form = aiohttp.FormData()
    form.add_field("file", b"hello world", filename="hello.txt", content_type="text/plain")
    form.add_field("file_name", "greeting.txt")
    uploaded = await api.call("POST", f"/Contacts/{contact}/FileAttachments", data=form)
    assert uploaded.status == 201, uploaded.text
    metadata = uploaded.body
    assert metadata["FILE_NAME"] == "greeting.txt"
    assert metadata["CONTENT_TYPE"] == "text/plain"
    assert metadata["FILE_SIZE"] == 11
    listed = await api.get(f"/Contacts/{contact}/FileAttachments")
    assert listed.body == [metadata]
    logged = api.fake.log.filter("POST", "/Contacts/*/FileAttachments")[0]
    assert logged.body == {"file": "<file hello.txt>", "file_name": "greeting.txt"}
    assert (await api.post(f"/Contacts/{contact}/FileAttachments", {"x": 1})).status == 400


# --- dates and email domains ----------------------------------------------------------


async def test_dates_and_email_domains(api: Api) -> None:
    organisation = await _organisation(api)
    dates = f"/Organisations/{organisation}/Dates"
    put = await api.put(
        dates, [{"OCCASION_NAME": "Founded", "OCCASION_DATE": "1999-01-01T00:00:00Z"}]
    )
    assert put.status == 200
    assert put.body[0]["OCCASION_DATE"] == "1999-01-01 00:00:00"
    assert isinstance(put.body[0]["DATE_ID"], int)
    assert (await api.get(dates)).body == put.body
    assert (await api.put(dates, [])).body == []
    domains = f"/Organisations/{organisation}/EmailDomains"
    first = await api.put(domains, [{"EMAIL_DOMAIN": "acme.com"}, {"EMAIL_DOMAIN": "acme.org"}])
    assert [d["EMAIL_DOMAIN"] for d in first.body] == ["acme.com", "acme.org"]
    second = await api.put(domains, [{"EMAIL_DOMAIN": "acme.net"}])
    assert [d["EMAIL_DOMAIN"] for d in second.body] == ["acme.net"]
    record = (await api.get(f"/Organisations/{organisation}")).body
    assert record["EMAILDOMAINS"] == second.body
    assert (await api.put(domains, [{"EMAIL_DOMAIN": ""}])).status == 400
    assert (await api.get(f"/Contacts/{await _contact(api)}/EmailDomains")).status == 404


# --- activity -------------------------------------------------------------------------


async def test_activity_lists_linked_records(api: Api, wall: WallClock) -> None:
    contact = await _contact(api)
    owner = api.fake.user(api.fake.api_key)["USER_ID"]
    tasks = []
    for title in ("a", "b", "c"):
        wall.advance(1)
        task = await _make(
            api,
            "/Tasks",
            {
                "TITLE": title,
                "COMPLETED": False,
                "OWNER_USER_ID": owner,
                "LINKS": [{"LINK_OBJECT_NAME": "Contact", "LINK_OBJECT_ID": contact}],
            },
        )
        tasks.append(task["TASK_ID"])
    await _make(api, "/Tasks", {"TITLE": "unlinked", "COMPLETED": False, "OWNER_USER_ID": owner})
    listed = await api.get(f"/Contacts/{contact}/Tasks", params={"count_total": "true"})
    assert [t["TASK_ID"] for t in listed.body] == tasks
    assert listed.headers["X-Total-Count"] == "3"
    paged = await api.get(
        f"/Contacts/{contact}/Tasks", params={"skip": "1", "top": "1", "brief": "true"}
    )
    assert [t["TASK_ID"] for t in paged.body] == tasks[1:2]
    assert "LINKS" not in paged.body[0]
    recent = await api.get(
        f"/Contacts/{contact}/Tasks", params={"updated_after_utc": "2025-04-19 00:49:34"}
    )
    assert [t["TASK_ID"] for t in recent.body] == tasks[2:]
    assert (await api.get(f"/Contacts/{contact}/Events")).body == []
    assert (await api.get(f"/Contacts/{contact}/Emails")).body == []


# --- comments -------------------------------------------------------------------------


async def test_comments(api: Api) -> None:
    owner = api.fake.user(api.fake.api_key)["USER_ID"]
    task = await _make(api, "/Tasks", {"TITLE": "t", "COMPLETED": False, "OWNER_USER_ID": owner})
    path = f"/Tasks/{task['TASK_ID']}/Comments"
    posted = await api.post(path, {"BODY": "first"})
    assert posted.status == 201
    assert [c["BODY"] for c in posted.body] == ["first"]
    await api.post(path, {"BODY": "second"})
    listed = await api.get(path)
    assert [c["BODY"] for c in listed.body] == ["first", "second"]
    assert all(c["OWNER_USER_ID"] == owner for c in listed.body)


# --- opportunities: state, pipeline, price book, line items ---------------------------


def _pipelines(api: Api) -> None:
    store = api.fake.store
    store.insert_many(
        "pipelines",
        [
            {
                "PIPELINE_ID": 90001,
                "PIPELINE_NAME": "Sales",
                "FOR_OPPORTUNITIES": True,
                "FOR_PROJECTS": False,
                "OWNER_USER_ID": None,
            },
            {
                "PIPELINE_ID": 90002,
                "PIPELINE_NAME": "Build",
                "FOR_OPPORTUNITIES": False,
                "FOR_PROJECTS": True,
                "OWNER_USER_ID": None,
            },
        ],
    )
    store.insert_many(
        "pipeline_stages",
        [
            {
                "STAGE_ID": 91002,
                "PIPELINE_ID": 90001,
                "STAGE_NAME": "Close",
                "STAGE_ORDER": 2,
                "ACTIVITYSET_ID": None,
                "OWNER_USER_ID": None,
            },
            {
                "STAGE_ID": 91001,
                "PIPELINE_ID": 90001,
                "STAGE_NAME": "Qualify",
                "STAGE_ORDER": 1,
                "ACTIVITYSET_ID": None,
                "OWNER_USER_ID": None,
            },
            {
                "STAGE_ID": 91003,
                "PIPELINE_ID": 90002,
                "STAGE_NAME": "Plan",
                "STAGE_ORDER": 1,
                "ACTIVITYSET_ID": None,
                "OWNER_USER_ID": None,
            },
        ],
    )


async def test_state_change_and_history(api: Api, wall: WallClock) -> None:
    api.fake.store.insert_many(
        "opportunity_state_reasons",
        [{"STATE_REASON_ID": 92001, "STATE_REASON": "Signed", "FOR_OPPORTUNITY_STATE": "Won"}],
    )
    opportunity = await _opportunity(api)
    etag = (await api.get(f"/Opportunities/{opportunity}")).headers["ETag"]
    wall.advance(30)
    changed = await api.put(
        f"/Opportunities/{opportunity}/StateChange",
        {"FOR_OPPORTUNITY_STATE": "won", "STATE_REASON_ID": 92001},
    )
    assert changed.status == 200
    assert changed.body == {
        "OPPORTUNITY_ID": opportunity,
        "DATE_CHANGED_UTC": "2025-04-19 00:50:02",
        "FOR_OPPORTUNITY_STATE": "WON",
        "STATE_REASON_ID": 92001,
        "STATE_REASON": "Signed",
    }
    record = await api.get(f"/Opportunities/{opportunity}")
    assert record.body["OPPORTUNITY_STATE"] == "WON"
    assert record.headers["ETag"] != etag
    history = (await api.get(f"/Opportunities/{opportunity}/StateHistory")).body
    assert [h["FOR_OPPORTUNITY_STATE"] for h in history] == ["OPEN", "WON"]
    assert history[-1] == changed.body
    bad = await api.put(
        f"/Opportunities/{opportunity}/StateChange", {"FOR_OPPORTUNITY_STATE": "Maybe"}
    )
    assert bad.status == 400
    unknown_reason = await api.put(
        f"/Opportunities/{opportunity}/StateChange",
        {"FOR_OPPORTUNITY_STATE": "LOST", "STATE_REASON_ID": 1},
    )
    assert unknown_reason.status == 400
    assert (await api.get("/Opportunities/1/StateHistory")).status == 404


async def test_pipeline_changes(api: Api) -> None:
    _pipelines(api)
    opportunity = await _opportunity(api)
    base = f"/Opportunities/{opportunity}"
    assert (await api.put(f"{base}/PipelineStage", {"STAGE_ID": 91001})).status == 400
    moved = await api.put(f"{base}/Pipeline", {"PIPELINE_ID": 90001})
    assert moved.status == 200
    assert moved.body == [
        {
            "PIPELINE_ID": 90001,
            "PIPELINE_STAGE_CHANGE": {"STAGE_ID": 91001, "ACTIVITYSET_ASSIGNMENT": None},
        }
    ]
    record = (await api.get(base)).body
    assert (record["PIPELINE_ID"], record["STAGE_ID"]) == (90001, 91001)
    staged = await api.put(f"{base}/PipelineStage", {"STAGE_ID": 91002})
    assert staged.status == 200
    assert (await api.get(base)).body["STAGE_ID"] == 91002
    wrong = await api.put(f"{base}/PipelineStage", {"STAGE_ID": 91003})
    assert wrong.status == 400
    assert "91003" in wrong.message
    explicit = await api.put(
        f"{base}/Pipeline", {"PIPELINE_ID": 90001, "PIPELINE_STAGE_CHANGE": {"STAGE_ID": 91002}}
    )
    assert explicit.status == 200
    assert (await api.put(f"{base}/Pipeline", {"PIPELINE_ID": 90002})).status == 400
    assert (await api.put(f"{base}/Pipeline", {"PIPELINE_ID": 1})).status == 400
    assert (await api.delete(f"{base}/Pipeline")).status == 202
    record = (await api.get(base)).body
    assert (record["PIPELINE_ID"], record["STAGE_ID"]) == (None, None)


async def test_lead_pipeline_is_kept_without_pipeline_fields(api: Api) -> None:
    _pipelines(api)
    source = api.fake.create("lead_sources", {"LEAD_SOURCE": "Web"})["LEAD_SOURCE_ID"]
    status = api.fake.create("lead_statuses", {"LEAD_STATUS": "Open"})["LEAD_STATUS_ID"]
    lead = await _make(
        api, "/Leads", {"LAST_NAME": "L", "LEAD_SOURCE_ID": source, "LEAD_STATUS_ID": status}
    )
    base = f"/Leads/{lead['LEAD_ID']}"
    assert (await api.put(f"{base}/Pipeline", {"PIPELINE_ID": 90001})).status == 200
    assert (await api.put(f"{base}/PipelineStage", {"STAGE_ID": 91002})).status == 200
    assert (await api.put(f"{base}/PipelineStage", {"STAGE_ID": 91003})).status == 400
    email = await api.get(f"{base}/LinkEmailAddress")
    assert email.body == {"EMAIL": lead["LINKED_EMAIL_ADDRESS"]}


async def test_price_book_and_line_items(api: Api) -> None:
    product = await _make(
        api, "/Product", {"PRODUCT_NAME": "Widget", "DEFAULT_PRICE": 9.5, "ACTIVE": True}
    )
    pricebook = await _make(api, "/Pricebook", {"NAME": "Standard", "ACTIVE": True})
    product_id, pricebook_id = product["PRODUCT_ID"], pricebook["PRICEBOOK_ID"]
    entries = await api.post(
        f"/Product/{product_id}/PricebookEntry", {"PRICEBOOK_ID": pricebook_id, "PRICE": 8.0}
    )
    assert entries.status == 201, entries.text
    [entry] = entries.body
    assert (entry["PRODUCT_ID"], entry["PRICEBOOK_ID"], entry["PRICE"]) == (
        product_id,
        pricebook_id,
        8.0,
    )
    assert (await api.get(f"/Pricebook/{pricebook_id}/PricebookEntry")).body == [entry]
    assert (await api.get(f"/PricebookEntry/{entry['PRICEBOOK_ENTRY_ID']}")).body == entry

    opportunity = await _opportunity(api)
    base = f"/Opportunities/{opportunity}"
    assert (await api.put(f"{base}/Pricebook", {"PRICEBOOK_ID": 1})).status == 400
    priced = await api.put(f"{base}/Pricebook", {"PRICEBOOK_ID": pricebook_id})
    assert priced.status == 200
    assert priced.body[0]["PRICEBOOK_ID"] == pricebook_id

    items_path = f"{base}/OpportunityLineItem"
    created = await api.post(
        items_path,
        {"PRICEBOOK_ENTRY_ID": entry["PRICEBOOK_ENTRY_ID"], "UNIT_PRICE": 8.0, "QUANTITY": 3},
    )
    assert created.status == 201, created.text
    [item] = created.body
    assert item["OPPORTUNITY_ID"] == opportunity
    missing = await api.post(items_path, {"PRICEBOOK_ENTRY_ID": entry["PRICEBOOK_ENTRY_ID"]})
    assert missing.status == 400
    changed = await api.put(
        items_path, {"OPPORTUNITY_ITEM_ID": item["OPPORTUNITY_ITEM_ID"], "QUANTITY": 4}
    )
    assert changed.status == 200
    assert changed.body[0]["QUANTITY"] == 4
    assert (await api.get(f"/OpportunityLineItem/{item['OPPORTUNITY_ITEM_ID']}")).body[
        "QUANTITY"
    ] == 4
    other = await _opportunity(api)
    assert (
        await api.delete(
            f"/Opportunities/{other}/OpportunityLineItem/{item['OPPORTUNITY_ITEM_ID']}"
        )
    ).status == 404
    assert (await api.delete(f"{items_path}/{item['OPPORTUNITY_ITEM_ID']}")).status == 202
    assert (await api.get(items_path)).body == []

    quote = await _make(api, "/Quotation", {"QUOTATION_NAME": "Q1", "OPPORTUNITY_ID": opportunity})
    quote_items = await api.post(
        f"/Quotation/{quote['QUOTE_ID']}/QuotationLineItem",
        {
            "PRICEBOOK_ENTRY_ID": entry["PRICEBOOK_ENTRY_ID"],
            "UNIT_PRICE": 8.0,
            "LIST_PRICE": 9.5,
            "QUANTITY": 1,
        },
    )
    assert quote_items.status == 201, quote_items.text
    assert quote_items.body[0]["QUOTE_ID"] == quote["QUOTE_ID"]


async def test_milestones_of_a_project(api: Api) -> None:
    project = await _make(api, "/Projects", {"PROJECT_NAME": "P", "STATUS": "NOT STARTED"})
    path = f"/Projects/{project['PROJECT_ID']}/Milestones"
    created = await api.post(
        path, {"TITLE": "M1", "COMPLETED": False, "DUE_DATE": "2025-05-01 00:00:00"}
    )
    assert created.status == 201, created.text
    [milestone] = created.body
    assert milestone["PROJECT_ID"] == project["PROJECT_ID"]
    updated = await api.put(path, {"MILESTONE_ID": milestone["MILESTONE_ID"], "COMPLETED": True})
    assert updated.body[0]["COMPLETED"] is True
    assert (await api.get(f"/Milestones/{milestone['MILESTONE_ID']}")).body["COMPLETED"] is True
    assert (await api.delete(f"{path}/{milestone['MILESTONE_ID']}")).status == 202
    assert (await api.get(path)).body == []


async def test_team_members_and_activity_sets(api: Api) -> None:
    team = await _make(api, "/Teams", {"TEAM_NAME": "Ops"})
    regular = api.fake.user(api.fake.user_key)["USER_ID"]
    member = await api.post(f"/Teams/{team['TEAM_ID']}/TeamMembers", {"MEMBER_USER_ID": regular})
    assert member.status == 201
    assert member.body["TEAM_ID"] == team["TEAM_ID"]
    listed = (await api.get(f"/Teams/{team['TEAM_ID']}")).body["TEAMMEMBERS"]
    assert listed == [member.body]
    assert (
        await api.post(f"/Teams/{team['TEAM_ID']}/TeamMembers", {"MEMBER_USER_ID": 1})
    ).status == 400

    api.fake.store.insert_many(
        "activity_sets",
        [
            {
                "ACTIVITYSET_ID": 93001,
                "NAME": "Onboard",
                "FOR_CONTACTS": True,
                "FOR_ORGANISATIONS": False,
                "FOR_OPPORTUNITIES": False,
                "FOR_PROJECTS": False,
                "FOR_LEADS": False,
                "OWNER_USER_ID": None,
                "ACTIVITIES": [],
            }
        ],
    )
    contact = await _contact(api)
    assigned = await api.post(
        f"/Contacts/{contact}/ActivitySetAssignment",
        {"ACTIVITYSET_ID": 93001, "START_DATE": "2025-05-01T00:00:00Z"},
    )
    assert assigned.status == 201
    assert assigned.body["START_DATE"] == "2025-05-01 00:00:00"
    missing = await api.post(f"/Contacts/{contact}/ActivitySetAssignment", {"ACTIVITYSET_ID": 1})
    assert missing.status == 400
