"""Per-user visibility: administrators see everything, others what is shared with them."""

from __future__ import annotations

from typing import Any

from fake_support import Api

pytest_plugins = ["fake_fixtures"]


async def _records(api: Api) -> tuple[dict[str, int], int]:
    fake = api.fake
    admin = fake.user(fake.api_key)["USER_ID"]
    regular = fake.user(fake.user_key)["USER_ID"]
    team_in = fake.create("teams", {"TEAM_NAME": "Mine"})["TEAM_ID"]
    team_out = fake.create("teams", {"TEAM_NAME": "Theirs"})["TEAM_ID"]
    member = await api.post(f"/Teams/{team_in}/TeamMembers", {"MEMBER_USER_ID": regular})
    assert member.status == 201, member.text

    def contact(name: str, **fields: Any) -> int:
        return int(fake.create("contacts", {"FIRST_NAME": name, **fields})["CONTACT_ID"])

    contacts = {
        "everyone": contact("everyone", VISIBLE_TO="EVERYONE"),
        "admin_private": contact("admin_private", VISIBLE_TO="OWNER", OWNER_USER_ID=admin),
        "own_private": contact("own_private", VISIBLE_TO="OWNER", OWNER_USER_ID=regular),
        "my_team": contact("my_team", VISIBLE_TO="TEAM", VISIBLE_TEAM_ID=team_in),
        "other_team": contact("other_team", VISIBLE_TO="TEAM", VISIBLE_TEAM_ID=team_out),
    }
    return contacts, team_in


async def test_lists_searches_and_counts_leave_out_hidden_records(api: Api) -> None:
    ids, _ = await _records(api)
    visible = sorted(ids[name] for name in ("everyone", "own_private", "my_team"))
    for path, params in (
        ("/Contacts", {"count_total": "true"}),
        ("/Contacts/Search", {"count_total": "true"}),
        (
            "/Contacts/Search",
            {"field_name": "EMAIL_OPTED_OUT", "field_value": "false", "count_total": "true"},
        ),
    ):
        mine = await api.get(path, params=params, key=api.fake.user_key)
        assert [r["CONTACT_ID"] for r in mine.body] == visible, path
        assert mine.headers["X-Total-Count"] == "3"
        everything = await api.get(path, params=params)
        assert [r["CONTACT_ID"] for r in everything.body] == sorted(ids.values())
        assert everything.headers["X-Total-Count"] == "5"


async def test_hidden_records_answer_404(api: Api) -> None:
    ids, _ = await _records(api)
    user = api.fake.user_key
    for name in ("admin_private", "other_team"):
        record_id = ids[name]
        assert (await api.get(f"/Contacts/{record_id}", key=user)).status == 404
        assert (
            await api.put("/Contacts", {"CONTACT_ID": record_id, "TITLE": "x"}, key=user)
        ).status == 404
        assert (await api.delete(f"/Contacts/{record_id}", key=user)).status == 404
        assert (await api.get(f"/Contacts/{record_id}/Tags", key=user)).status == 404
        assert (await api.get(f"/Contacts/{record_id}")).status == 200
    for name in ("everyone", "own_private", "my_team"):
        assert (await api.get(f"/Contacts/{ids[name]}", key=user)).status == 200


async def test_leaving_the_team_hides_its_records(api: Api) -> None:
    ids, team_in = await _records(api)
    regular = api.fake.user(api.fake.user_key)["USER_ID"]
    member = next(
        m
        for m in api.fake.store.records("team_members")
        if m["MEMBER_USER_ID"] == regular and m["TEAM_ID"] == team_in
    )
    gone = await api.delete(f"/Teams/{member['TEAM_ID']}/TeamMembers/{member['PERMISSION_ID']}")
    assert gone.status == 202
    assert (await api.get(f"/Contacts/{ids['my_team']}", key=api.fake.user_key)).status == 404
    team = await api.get(f"/Teams/{member['TEAM_ID']}")
    assert team.body["TEAMMEMBERS"] == []


async def test_types_without_owners_are_visible_to_all(api: Api) -> None:
    task = api.fake.create(
        "tasks",
        {
            "TITLE": "t",
            "COMPLETED": False,
            "OWNER_USER_ID": api.fake.user(api.fake.api_key)["USER_ID"],
        },
    )
    reply = await api.get(f"/Tasks/{task['TASK_ID']}", key=api.fake.user_key)
    assert reply.status == 200
