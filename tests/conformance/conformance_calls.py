"""One SDK call per kind of spec operation, keyed by verb and the path after the collection.

Each call is a user's own use of the SDK against a :class:`World` (``await
crm.contacts.links.add(...)``); the conformance test runs it and then looks in the
emulator's request log for the spec operation it must have sent. A call sets up what it
needs itself, so that the calls can run in any order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from conformance_support import CUSTOM_OBJECT, World

from insightly_async import Link
from insightly_async._facts.catalog import BY_NAME, CHILD_ENTITIES, Sub
from insightly_async.models import EmailDomain, RecordDate

Call = Callable[[World], Awaitable[object]]

# (verb, tail) or (verb, tail, head) -> the call; the head-specific entry wins.
CALLS: dict[tuple[str, ...], Call] = {}

_LONG_AGO = datetime(2000, 1, 1, tzinfo=timezone.utc)


def call(verb: str, tail: str, head: str | None = None) -> Callable[[Call], Call]:
    def register(fn: Call) -> Call:
        key = (verb, tail) if head is None else (verb, tail, head)
        assert key not in CALLS, key
        CALLS[key] = fn
        return fn

    return register


def call_for(verb: str, tail: str, head: str) -> Call | None:
    return CALLS.get((verb, tail, head)) or CALLS.get((verb, tail))


async def _drain(paginator: Any) -> list[Any]:
    return [item async for item in paginator]


# --- the collection ---------------------------------------------------------------------


@call("GET", "")
async def _list(w: World) -> object:
    return await _drain(w.resource.list(page_size=1))


@call("POST", "")
async def _create(w: World) -> object:
    if w.head == "{objectName}":
        return await w.resource.create({"record_name": "Cherry"})
    return await w.resource.create(w.body(w.record_type.name))


@call("PUT", "")
async def _update(w: World) -> object:
    rtype = w.record_type
    record_id = w.new()
    field = rtype.required[0]
    return await w.resource.update(record_id, {field: w.stored(rtype.name, record_id)[field]})


@call("DELETE", "")  # lead sources and statuses: DELETE /{Type}?id=
@call("DELETE", "{}")
async def _delete(w: World) -> object:
    return await w.resource.delete(w.new())


@call("GET", "{}")
async def _get(w: World) -> object:
    return await w.resource.get(w.new())


@call("GET", "Search")
async def _search(w: World) -> object:
    return await _drain(w.resource.search(updated_after=_LONG_AGO))


@call("GET", "SearchByTag")
async def _search_by_tag(w: World) -> object:
    w.fake.edit(w.record_type.name, w.new(), {"TAGS": [{"TAG_NAME": "conformance"}]})
    found = await _drain(w.resource.search_by_tag("conformance"))
    assert found
    return found


@call("GET", "Me")
async def _me(w: World) -> object:
    return await w.crm.users.me()


# --- metadata ---------------------------------------------------------------------------


@call("GET", "{}", "CustomFields")
async def _custom_fields(w: World) -> object:
    fields = await w.crm.custom_fields.list("Contacts")
    assert fields
    return fields


@call("GET", "{}/Search", "CustomFields")
async def _custom_field(w: World) -> object:
    name = w.fake.store.custom_fields("Contacts")[0]["FIELD_NAME"]
    found = await w.crm.custom_fields.get("Contacts", name)
    assert found is not None
    return found


@call("GET", "", "CustomObjects")
async def _custom_objects(w: World) -> object:
    return await w.crm.custom_objects.list()


@call("GET", "{}", "CustomObjects")
async def _custom_object(w: World) -> object:
    return await w.crm.custom_objects.get(CUSTOM_OBJECT)


# --- links, tags, follow, notes, comments, files ----------------------------------------


async def _linked(w: World) -> tuple[int, Link]:
    record_id = w.new()
    link = await w.resource.links.add(
        record_id, Link(link_object_name="Organisation", link_object_id=w.new("organisations"))
    )
    return record_id, link


@call("GET", "{}/Links")
async def _links(w: World) -> object:
    record_id, link = await _linked(w)
    assert link in await w.resource.links.list(record_id)
    return link


@call("POST", "{}/Links")
async def _link_add(w: World) -> object:
    return await _linked(w)


@call("PUT", "{}/Links")
async def _link_update(w: World) -> object:
    record_id, link = await _linked(w)
    link.details = "conformance"
    return await w.resource.links.update(record_id, link)


@call("DELETE", "{}/Links/{}")
async def _link_delete(w: World) -> object:
    record_id, link = await _linked(w)
    assert link.link_id is not None
    return await w.resource.links.delete(record_id, link.link_id)


@call("GET", "{}/Tags")
async def _tags(w: World) -> object:
    return await w.resource.tags.list(w.new())


@call("POST", "{}/Tags")
async def _tag_add(w: World) -> object:
    return await w.resource.tags.add(w.new(), "conformance")


@call("PUT", "{}/Tags")
async def _tags_replace(w: World) -> object:
    return await w.resource.tags.replace(w.new(), ["a", "b"])


@call("DELETE", "{}/Tags")
async def _tag_remove(w: World) -> object:
    record_id = w.new()
    w.fake.edit(w.record_type.name, record_id, {"TAGS": [{"TAG_NAME": "old"}]})
    return await w.resource.tags.remove(record_id, "old")


@call("GET", "{}/Follow")
async def _is_following(w: World) -> object:
    return await w.resource.is_following(w.new())


@call("POST", "{}/Follow")
async def _follow(w: World) -> object:
    return await w.resource.follow(w.new())


@call("DELETE", "{}/Follow")
async def _unfollow(w: World) -> object:
    record_id = w.new()
    await w.resource.follow(record_id)
    return await w.resource.unfollow(record_id)


@call("GET", "{}/Notes")
async def _notes(w: World) -> object:
    return await _drain(w.resource.notes.list(w.new()))


@call("POST", "{}/Notes")
async def _note_create(w: World) -> object:
    return await w.resource.notes.create(w.new(), {"title": "Called", "body": "About the deal"})


@call("PUT", "{}/Notes")
async def _note_update(w: World) -> object:
    record_id = w.new()
    note = await w.resource.notes.create(record_id, {"title": "Called"})
    note.body = "Again"
    return await w.resource.notes.update(record_id, note)


@call("GET", "{}/Comments")
async def _comments(w: World) -> object:
    return await w.resource.comments.list(w.new())


@call("POST", "{}/Comments")
async def _comment_add(w: World) -> object:
    return await w.resource.comments.add(w.new(), "Looks good")


@call("GET", "{}/FileAttachments")
async def _files(w: World) -> object:
    return await _drain(w.resource.file_attachments.list(w.new()))


# --- activity, dates, email domains, activity sets, linked email address ----------------


@call("GET", "{}/Emails")
async def _emails(w: World) -> object:
    return await _drain(w.resource.activity.emails(w.new()))


@call("GET", "{}/Events")
async def _events(w: World) -> object:
    return await _drain(w.resource.activity.events(w.new()))


@call("GET", "{}/Tasks")
async def _tasks(w: World) -> object:
    return await _drain(w.resource.activity.tasks(w.new()))


@call("GET", "{}/Dates")
async def _dates(w: World) -> object:
    return await w.resource.dates.list(w.new())


@call("PUT", "{}/Dates")
async def _dates_replace(w: World) -> object:
    birthday = RecordDate(
        occasion_name="Birthday", occasion_date=datetime(1990, 5, 1, tzinfo=timezone.utc)
    )
    return await w.resource.dates.replace(w.new(), [birthday])


@call("GET", "{}/EmailDomains")
async def _domains(w: World) -> object:
    return await w.resource.email_domains.list(w.new())


@call("PUT", "{}/EmailDomains")
async def _domains_replace(w: World) -> object:
    return await w.resource.email_domains.replace(w.new(), [EmailDomain(email_domain="ex.org")])


@call("POST", "{}/ActivitySetAssignment")
async def _activity_set(w: World) -> object:
    set_id = w.fake.store.ids("activity_sets")[0]
    return await w.resource.assign_activity_set(w.new(), {"activityset_id": set_id})


@call("GET", "{}/LinkEmailAddress")
async def _link_email(w: World) -> object:
    address = await w.resource.linked_email_address(w.new())
    assert address
    return address


# --- opportunity state, pipelines, price book -------------------------------------------


@call("PUT", "{}/StateChange")
async def _set_state(w: World) -> object:
    return await w.resource.set_state(w.new(), "won", reason="Signed")


@call("GET", "{}/StateHistory")
async def _state_history(w: World) -> object:
    history = await w.resource.state_history(w.new())
    assert history
    return history


def _pipeline_for(w: World) -> tuple[int, list[int]]:
    """A pipeline the head's records may join, and its stages."""
    flag = {"opportunities": "FOR_OPPORTUNITIES", "projects": "FOR_PROJECTS"}.get(
        w.record_type.name
    )
    pipeline = w.first("pipelines", **({flag: True} if flag else {}))
    stages = [
        stage["STAGE_ID"]
        for stage in w.fake.store.records("pipeline_stages")
        if stage["PIPELINE_ID"] == pipeline["PIPELINE_ID"]
    ]
    return pipeline["PIPELINE_ID"], stages


@call("PUT", "{}/Pipeline")
async def _set_pipeline(w: World) -> object:
    pipeline_id, _ = _pipeline_for(w)
    return await w.resource.set_pipeline(w.new(), pipeline_id)


@call("PUT", "{}/PipelineStage")
async def _set_stage(w: World) -> object:
    pipeline_id, stages = _pipeline_for(w)
    record_id = w.new()
    await w.resource.set_pipeline(record_id, pipeline_id, stage_id=stages[0])
    return await w.resource.set_stage(record_id, stages[-1])


@call("DELETE", "{}/Pipeline")
async def _clear_pipeline(w: World) -> object:
    pipeline_id, _ = _pipeline_for(w)
    record_id = w.new()
    await w.resource.set_pipeline(record_id, pipeline_id)
    return await w.resource.clear_pipeline(record_id)


@call("PUT", "{}/Pricebook")
async def _set_price_book(w: World) -> object:
    return await w.resource.set_price_book(w.new(), w.new("price_books"))


# --- children written through their parent ---------------------------------------------

_CHILD_ATTRIBUTES = {
    "OpportunityLineItem": "line_items",
    "QuotationLineItem": "line_items",
    "PricebookEntry": "price_book_entries",
    "Milestones": "milestones",
}
_CHILD_TYPES = {segment: BY_NAME[child] for segment, child in CHILD_ENTITIES.values()}
_CHILD_SUBS = {segment: sub for sub, (segment, _) in CHILD_ENTITIES.items() if sub != Sub.NOTES}


def _children(w: World, segment: str) -> Any:
    return getattr(w.resource, _CHILD_ATTRIBUTES[segment])


async def _child(w: World, segment: str) -> tuple[int, Any]:
    """A new parent of the head's type and a child created through it."""
    parent_field = w.record_type.id_field
    assert parent_field is not None
    record_id = w.new()
    body = w.body(_CHILD_TYPES[segment].name, without=parent_field)
    return record_id, await _children(w, segment).create(record_id, body)


def _child_calls(segment: str) -> None:
    @call("GET", f"{{}}/{segment}")
    async def _list_children(w: World) -> object:
        record_id, item = await _child(w, segment)
        assert item.id in [child.id for child in await _children(w, segment).list(record_id)]
        return item

    @call("POST", f"{{}}/{segment}")
    async def _create_child(w: World) -> object:
        return await _child(w, segment)

    @call("PUT", f"{{}}/{segment}")
    async def _update_child(w: World) -> object:
        record_id, item = await _child(w, segment)
        if segment == "Milestones":
            item.title = "Renamed"
        elif segment == "PricebookEntry":
            item.price = 99.5
        else:
            item.quantity = 3
        return await _children(w, segment).update(record_id, item)

    @call("DELETE", f"{{}}/{segment}/{{}}")
    async def _delete_child(w: World) -> object:
        record_id, item = await _child(w, segment)
        return await _children(w, segment).delete(record_id, item.id)


for _segment in _CHILD_SUBS:
    _child_calls(_segment)


# --- teams ------------------------------------------------------------------------------


@call("POST", "{}/TeamMembers")
async def _member_add(w: World) -> object:
    return await w.resource.members.add(w.new(), w.fake.store.ids("users")[0])


@call("DELETE", "{}/TeamMembers/{}")
async def _member_remove(w: World) -> object:
    team_id = w.new()
    member = await w.resource.members.add(team_id, w.fake.store.ids("users")[0])
    return await w.resource.members.remove(team_id, member.permission_id)
