"""Authentication: HTTP Basic with the API key as user, and who may list users."""

from __future__ import annotations

import base64

import pytest
from fake_support import Api, basic

from insightly_async.testing import FakeInsightly

pytest_plugins = ["fake_fixtures"]

DENIED = "Authorization has been denied for this request."


@pytest.mark.parametrize("colon", [True, False], ids=["key-colon", "key-only"])
async def test_both_base64_forms_are_accepted(api: Api, colon: bool) -> None:
    reply = await api.get("/Users/Me", auth=basic(api.fake.api_key, colon=colon))
    assert reply.status == 200
    assert reply.body["ADMINISTRATOR"] is True


@pytest.mark.parametrize(
    "auth",
    [
        "",
        "Basic ",
        "Basic not-base64!!",
        "Bearer {key}",
        "Basic {b64_with_password}",
        "Basic {b64_wrong}",
        "Digest {b64_key}",
    ],
)
async def test_anything_else_is_denied(api: Api, auth: str) -> None:
    key = api.fake.api_key
    value = auth.format(
        key=key,
        b64_key=base64.b64encode(key.encode()).decode(),
        b64_with_password=base64.b64encode(f"{key}:secret".encode()).decode(),
        b64_wrong=base64.b64encode(b"not-a-key:").decode(),
    )
    reply = await api.get("/Contacts", auth=value)
    assert reply.status == 401
    assert reply.message == DENIED
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "X-RateLimit-Remaining" not in reply.headers


async def test_missing_header_is_denied(api: Api) -> None:
    async with api.session.get(api.fake.url("/Contacts")) as response:
        assert response.status == 401
        assert (await response.json())["Message"] == DENIED


async def test_disabled_user_is_always_denied(api: Api) -> None:
    for path in ("/Users/Me", "/Contacts", "/Instance"):
        reply = await api.get(path, key=api.fake.disabled_key)
        assert reply.status == 401, path


async def test_unauthenticated_requests_do_not_reveal_routes(api: Api) -> None:
    reply = await api.get("/NoSuchThing", auth="Basic eA==")
    assert reply.status == 401


async def test_account_has_admin_regular_and_disabled_users(fake: FakeInsightly) -> None:
    users = {user["USER_ID"]: user for user in fake.users}
    admin = fake.user(fake.api_key)
    regular = fake.user(fake.user_key)
    disabled = fake.user(fake.disabled_key)
    assert admin["ADMINISTRATOR"] is True
    assert regular["ADMINISTRATOR"] is False
    assert regular["ACTIVE"] is True
    assert disabled["ACTIVE"] is False
    assert {admin["USER_ID"], regular["USER_ID"], disabled["USER_ID"]} <= set(users)
    assert len({fake.api_key, fake.user_key, fake.disabled_key}) == 3


def test_keys_are_reproducible_from_the_seed() -> None:
    first, second, other = FakeInsightly(seed=3), FakeInsightly(seed=3), FakeInsightly(seed=4)
    assert first.api_key == second.api_key
    assert first.api_key != other.api_key


async def test_users_me_answers_the_caller(api: Api) -> None:
    me = await api.get("/Users/Me", key=api.fake.user_key)
    assert me.status == 200
    assert me.body["USER_ID"] == api.fake.user(api.fake.user_key)["USER_ID"]
    assert me.headers["ETag"]


async def test_listing_users_needs_an_administrator(api: Api) -> None:
    assert (await api.get("/Users")).status == 200
    assert (await api.get("/Users/Search")).status == 200
    for path in ("/Users", "/Users/Search"):
        reply = await api.get(path, key=api.fake.user_key)
        assert reply.status == 403, path
        assert "administrator" in reply.message
    regular = api.fake.user(api.fake.user_key)
    one = await api.get(f"/Users/{regular['USER_ID']}", key=api.fake.user_key)
    assert one.status == 200
    assert one.body == regular


async def test_added_user_gets_a_working_key(api: Api) -> None:
    key = api.fake.add_user(
        {"USER_ID": None, "FIRST_NAME": "Nia", "ADMINISTRATOR": False, "ACTIVE": True}
    )
    me = await api.get("/Users/Me", key=key)
    assert me.status == 200
    assert me.body["FIRST_NAME"] == "Nia"
    assert api.fake.key_for(me.body["USER_ID"]) == key
