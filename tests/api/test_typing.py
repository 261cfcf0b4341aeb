"""Pins the static types of the main calls; checked by ``mypy --strict`` (make test).

At run time the test only checks that the calls exist; what matters is that mypy accepts
every ``assert_type`` below, so a change to a public signature fails the type check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insightly_async import (
    Contact,
    InsightlySession,
    Opportunity,
    OpportunityStateChange,
    Page,
    Paginator,
    Quote,
    User,
)
from insightly_async.models import CustomFieldDefinition, CustomObjectRecord

if TYPE_CHECKING:
    from typing_extensions import assert_type


async def _typed_calls(crm: InsightlySession) -> None:  # pragma: no cover - never awaited
    assert_type(crm.contacts.list(), Paginator[Contact])
    assert_type(crm.contacts.list(raw=True), Paginator[dict[str, Any]])
    assert_type(crm.contacts.search("email_address", "a@b.c"), Paginator[Contact])
    assert_type(await crm.contacts.get(1), Contact)
    assert_type(await crm.contacts.create(Contact(first_name="Ada")), Contact)
    assert_type(await crm.contacts.update(1, {"last_name": "Byron"}), Contact)
    assert_type(await crm.contacts.modify(1, lambda c: None), Contact)
    assert_type(await crm.contacts.delete(1), None)
    assert_type(await crm.quotes.get(1), Quote)
    assert_type(await crm.users.me(), User)
    assert_type(await crm.opportunities.set_state(7, "WON"), OpportunityStateChange)
    assert_type(await crm.opportunities.get(7), Opportunity)
    assert_type(await crm.custom_fields.list("Contacts"), list[CustomFieldDefinition])
    assert_type(await crm.custom_object("Fruit__c").get(1), CustomObjectRecord)
    assert_type(await crm.contacts.tags.list(1), list[str])
    async for page in crm.contacts.list().pages():
        assert_type(page, Page[Contact])
    async for contact in crm.contacts.list():
        assert_type(contact, Contact)


def test_the_typed_calls_exist() -> None:
    crm = InsightlySession(api_key="k", base_url="http://127.0.0.1:1/v3.1")
    assert callable(crm.contacts.list)
    assert callable(crm.opportunities.set_state)
    assert callable(_typed_calls)
