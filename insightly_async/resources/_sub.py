"""Sub-resources: what hangs off one record, ``/{Type}/{id}/...``.

Collections get an object on the parent resource (``crm.contacts.tags.add(42, "vip")``,
``crm.opportunities.line_items.list(7)``); single actions are methods of the parent
(``crm.opportunities.set_state(7, "WON")``, ``crm.contacts.follow(42)``). Each takes the
parent record's id first.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, overload

from insightly_async._core import Answer
from insightly_async._exceptions import ValidationError
from insightly_async._facts import wire
from insightly_async._facts.catalog import BY_NAME, RecordType
from insightly_async.models import (
    Comment,
    Email,
    EmailDomain,
    Event,
    FileAttachment,
    Link,
    Model,
    Note,
    Record,
    RecordDate,
    Task,
    TeamMember,
    changes,
    create_payload,
    payload_from_changes,
    structure,
    validate,
)
from insightly_async.pagination import Paginator
from insightly_async.resources._base import Raw, Resource, paginate

M = TypeVar("M", bound=Record)
C = TypeVar("C", bound=Record)
S = TypeVar("S", bound=Model)


def payload_of(model_cls: type[S], value: S | Mapping[str, Any], argument: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return payload_from_changes(model_cls, value, creating=True)
    if isinstance(value, model_cls):
        return create_payload(value)
    raise ValidationError(
        argument, f"must be a {model_cls.__name__} or a mapping, not {type(value).__name__}"
    )


class _Sub:
    """A sub-resource of ``parent``: ``/{parent path}/{id}/{segment}``."""

    segment: str

    def __init__(self, parent: Resource[Any]) -> None:
        self._parent = parent

    def __repr__(self) -> str:
        return f"<{type(self).__name__} /{self._parent.record_type.path}/{{id}}/{self.segment}>"

    def _url(self, record_id: int, *rest: str | int) -> str:
        return self._parent._url(self._parent._id(record_id), self.segment, *rest)

    async def _send(self, method: str, url: str, **kwargs: Any) -> Answer:
        return await self._parent._client.send(method, url, **kwargs)

    async def _list_of(self, model_cls: type[S], record_id: int) -> list[S]:
        response = await self._send("GET", self._url(record_id))
        return [structure(model_cls, item) for item in response.objects(empty_ok=True)]


class Links(_Sub):
    """The links of a record to other records (``/{Type}/{id}/Links``)."""

    segment = "Links"

    async def list(self, id: int) -> list[Link]:
        """The record's links.

        Args:
            id: The record's id.

        Returns:
            Its links (empty if none).
        """
        return await self._list_of(Link, id)

    async def add(self, id: int, link: Link | Mapping[str, Any]) -> Link:
        """Link the record to another one.

        ``LINK_OBJECT_NAME`` is the singular object name (``"Organisation"``), as the API
        expects: ``Link(link_object_name="Organisation", link_object_id=7)``.

        Args:
            id: The record's id.
            link: The link: ``link_object_name`` and ``link_object_id`` are required.

        Returns:
            The new link, with its ``link_id``.

        Raises:
            ValidationError: ``link_object_name`` or ``link_object_id`` is missing.
        """
        payload = payload_of(Link, link, "link")
        validate(Link, payload, required=("LINK_OBJECT_NAME", "LINK_OBJECT_ID"))
        response = await self._send("POST", self._url(id), json=payload)
        return structure(Link, response.object())

    async def delete(self, id: int, link_id: int) -> None:
        """Remove a link. A retry that finds it already gone counts as done.

        Args:
            id: The record's id.
            link_id: The link's ``link_id``.
        """
        url = self._url(id, wire.validate_id(link_id, "link_id"))
        await self._send("DELETE", url, missing_ok_after_retry=True)


class UpdatableLinks(Links):
    """Links of a type whose links can also be edited in place."""

    async def update(self, id: int, link: Link) -> Link:
        """Change a link (its ``link_id`` says which): role, details, relationship.

        Args:
            id: The record's id.
            link: The link as it should be, ``link_id`` included (the whole link is sent).

        Returns:
            The link as the server stored it.

        Raises:
            ValidationError: ``link`` is not a ``Link`` or has no ``link_id``.
        """
        if not isinstance(link, Link):
            raise ValidationError("link", f"must be a Link, not {type(link).__name__}")
        payload = create_payload(link)
        validate(Link, payload, required=("LINK_ID",))
        response = await self._send("PUT", self._url(id), json=payload)
        return structure(Link, response.object())


class Tags(_Sub):
    """The tags of a record (``/{Type}/{id}/Tags``)."""

    segment = "Tags"

    async def list(self, id: int) -> list[str]:
        """The record's tag names.

        Args:
            id: The record's id.

        Returns:
            The tag names (empty if none).
        """
        response = await self._send("GET", self._url(id))
        return [str(item.get("TAG_NAME")) for item in response.objects(empty_ok=True)]

    async def add(self, id: int, name: str) -> None:
        """Tag the record.

        Args:
            id: The record's id.
            name: The tag (created in the account if it is new).

        Raises:
            ValidationError: an empty tag name.
        """
        await self._send("POST", self._url(id), json={"TAG_NAME": _tag(name)})

    async def replace(self, id: int, names: Iterable[str]) -> builtins.list[str]:
        """Make ``names`` the record's only tags.

        Args:
            id: The record's id.
            names: The tag names (an empty list removes every tag).

        Returns:
            The record's tag names afterwards.

        Raises:
            ValidationError: one string instead of a list, or an empty tag name.
        """
        if isinstance(names, str):
            raise ValidationError("names", "must be a list of tag names, not one string")
        body = [{"TAG_NAME": _tag(name)} for name in names]
        response = await self._send("PUT", self._url(id), json=body)
        return [str(item.get("TAG_NAME")) for item in response.objects(empty_ok=True)]

    async def remove(self, id: int, name: str) -> None:
        """Take a tag off the record. A retry that finds it gone counts as done.

        Args:
            id: The record's id.
            name: The tag.

        Raises:
            ValidationError: an empty tag name.
        """
        # v3.1 takes the tag in a JSON body (v3.0 had it in the path).
        await self._send(
            "DELETE", self._url(id), json={"TAG_NAME": _tag(name)}, missing_ok_after_retry=True
        )


def _tag(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("name", f"must be a non-empty tag name, got {name!r}")
    return name


class _Paged(_Sub):
    def _paged(
        self,
        model_cls: type[S],
        id: int,
        *,
        updated_after: datetime | None = None,
        page_size: int = wire.MAX_PAGE_SIZE,
        brief: bool = False,
        count_total: bool = False,
        raw: bool = False,
        segment: str | None = None,
    ) -> Paginator[Any]:
        params: dict[str, Any] = {}
        if brief:
            params["brief"] = True
        if updated_after is not None:
            params["updated_after_utc"] = wire.format_query_datetime(updated_after)
        url = self._parent._url(self._parent._id(id), segment or self.segment)

        def parse(item: Any) -> Any:
            return item if raw else structure(model_cls, item)

        return paginate(
            self._parent._client,
            url,
            parse,
            params=params,
            page_size=page_size,
            count_total=count_total,
        )


class Notes(_Paged):
    """Notes attached to a record; the only way to create a note."""

    segment = "Notes"

    @overload
    def list(
        self,
        id: int,
        *,
        updated_after: datetime | None = ...,
        page_size: int = ...,
        brief: bool = ...,
        count_total: bool = ...,
        raw: Literal[False] = ...,
    ) -> Paginator[Note]: ...

    @overload
    def list(
        self,
        id: int,
        *,
        updated_after: datetime | None = ...,
        page_size: int = ...,
        brief: bool = ...,
        count_total: bool = ...,
        raw: Literal[True],
    ) -> Paginator[Raw]: ...

    def list(
        self,
        id: int,
        *,
        updated_after: datetime | None = None,
        page_size: int = wire.MAX_PAGE_SIZE,
        brief: bool = False,
        count_total: bool = False,
        raw: bool = False,
    ) -> Paginator[Note] | Paginator[Raw]:
        """The notes on the record, page by page.

        Args:
            id: The record's id.
            updated_after: Only notes updated strictly after this aware datetime.
            page_size: Notes per request (1 to 500).
            brief: Leave out sub-collections.
            count_total: Ask for ``X-Total-Count``: pages carry ``total``.
            raw: Yield the wire dicts untouched instead of ``Note`` models.

        Returns:
            A :class:`~insightly_async.Paginator` over the notes.
        """
        return self._paged(
            Note,
            id,
            updated_after=updated_after,
            page_size=page_size,
            brief=brief,
            count_total=count_total,
            raw=raw,
        )

    async def create(self, id: int, note: Note | Mapping[str, Any]) -> Note:
        """Create a note on the record (``TITLE`` is required).

        Args:
            id: The record's id.
            note: The note: a ``Note`` or a mapping of attribute or wire names.

        Returns:
            The new note, with its ``note_id``.

        Raises:
            ValidationError: no title, or a value that is wrong; nothing was sent.
        """
        payload = payload_of(Note, note, "note")
        validate(Note, payload, required=BY_NAME["notes"].required)
        response = await self._send("POST", self._url(id), json=payload)
        return structure(Note, response.object(), etag=response.etag)

    async def update(self, id: int, note: Note) -> Note:
        """Send the changes of a note read from this record.

        Args:
            id: The record's id.
            note: A note read from the API and changed since (its ``note_id`` says which).

        Returns:
            The note as the server stored it; ``note`` itself when nothing changed.

        Raises:
            ValidationError: ``note`` was not read from the API, or a changed value is
                wrong.
        """
        if not isinstance(note, Note) or note.id is None:
            raise ValidationError("note", "must be a Note read from the API (with note_id)")
        payload = changes(note)
        if not payload:
            return note
        validate(Note, payload)
        body = {"NOTE_ID": note.id, **payload}
        response = await self._send("PUT", self._url(id), json=body)
        return structure(Note, response.object(), etag=response.etag)


class Activity(_Paged):
    """Emails, events and tasks linked to a record."""

    segment = "Emails"

    def emails(self, id: int, *, updated_after: datetime | None = None) -> Paginator[Email]:
        """The emails linked to record ``id``, page by page.

        Args:
            id: The record's id.
            updated_after: Only those updated strictly after this aware datetime.

        Returns:
            A :class:`~insightly_async.Paginator` over the emails.
        """
        return self._paged(Email, id, updated_after=updated_after, segment="Emails")

    def events(self, id: int, *, updated_after: datetime | None = None) -> Paginator[Event]:
        """The events linked to record ``id``, page by page.

        Args:
            id: The record's id.
            updated_after: Only those updated strictly after this aware datetime.

        Returns:
            A :class:`~insightly_async.Paginator` over the events.
        """
        return self._paged(Event, id, updated_after=updated_after, segment="Events")

    def tasks(self, id: int, *, updated_after: datetime | None = None) -> Paginator[Task]:
        """The tasks linked to record ``id``, page by page.

        Args:
            id: The record's id.
            updated_after: Only those updated strictly after this aware datetime.

        Returns:
            A :class:`~insightly_async.Paginator` over the tasks.
        """
        return self._paged(Task, id, updated_after=updated_after, segment="Tasks")


class FileAttachments(_Paged):
    """Metadata of the files attached to a record (the files themselves are not fetched)."""

    segment = "FileAttachments"

    def list(self, id: int, *, updated_after: datetime | None = None) -> Paginator[FileAttachment]:
        """The metadata of the files attached to record ``id``, page by page.

        Args:
            id: The record's id.
            updated_after: Only those updated strictly after this aware datetime.

        Returns:
            A :class:`~insightly_async.Paginator` over the attachments' metadata.
        """
        return self._paged(FileAttachment, id, updated_after=updated_after)


class Comments(_Sub):
    """Comments on a task, note, email or ticket."""

    segment = "Comments"

    async def list(self, id: int) -> list[Comment]:
        """The comments on the record.

        Args:
            id: The record's id.

        Returns:
            Its comments (empty if none).
        """
        return await self._list_of(Comment, id)

    async def add(self, id: int, body: str | Comment) -> Comment:
        """Comment on the record.

        Args:
            id: The record's id.
            body: The comment's text (at most 200 characters), or a ``Comment``.

        Returns:
            The new comment, with its ``comment_id``.

        Raises:
            ValidationError: no body, or one that is too long; nothing was sent.
        """
        comment = Comment(body=body) if isinstance(body, str) else body
        payload = payload_of(Comment, comment, "body")
        validate(Comment, payload, required=("BODY",))
        response = await self._send("POST", self._url(id), json=payload)
        return structure(Comment, response.object())


class _Replaceable(_Sub, Generic[S]):
    model: type[S]

    async def list(self, id: int) -> list[S]:
        """The record's collection.

        Args:
            id: The record's id.

        Returns:
            Its items (empty if none).
        """
        return await self._list_of(self.model, id)

    async def replace(self, id: int, items: Iterable[S]) -> builtins.list[S]:
        """Make ``items`` the record's whole collection.

        Args:
            id: The record's id.
            items: The items (models or mappings); an empty list clears the collection.

        Returns:
            The collection as the server stored it.

        Raises:
            ValidationError: an item that is wrong; nothing was sent.
        """
        body = [payload_of(self.model, item, "items") for item in items]
        for item in body:
            validate(self.model, item)
        response = await self._send("PUT", self._url(id), json=body)
        return [structure(self.model, item) for item in response.objects(empty_ok=True)]


class Dates(_Replaceable[RecordDate]):
    """Dates to remember of a contact or organisation (birthdays, anniversaries)."""

    segment = "Dates"
    model = RecordDate


class EmailDomains(_Replaceable[EmailDomain]):
    """The email domains of an organisation."""

    segment = "EmailDomains"
    model = EmailDomain


class Children(_Sub, Generic[C]):
    """Records owned by a parent and written through it (line items, price book entries,
    milestones)."""

    def __init__(self, parent: Resource[Any], segment: str, child: RecordType, model: type[C]):
        super().__init__(parent)
        self.segment = segment
        self._child = child
        self._model = model

    async def list(self, id: int) -> list[C]:
        """The parent's items.

        Args:
            id: The parent record's id.

        Returns:
            Its items (empty if none).
        """
        return await self._list_of(self._model, id)

    async def create(self, id: int, item: C | Mapping[str, Any]) -> C:
        """Add an item to the parent.

        Args:
            id: The parent record's id (it need not be repeated in ``item``).
            item: The item: a model or a mapping of attribute or wire names.

        Returns:
            The new item, with its id.

        Raises:
            ValidationError: a required field is missing or a value is wrong; nothing was
                sent.
        """
        payload = payload_of(self._model, item, "item")
        parent_field = self._parent.record_type.id_field
        required = tuple(f for f in self._child.required if f != parent_field)
        validate(self._model, payload, required=required)
        response = await self._send("POST", self._url(id), json=payload)
        if not isinstance(response.data, list):
            return structure(self._model, response.object(), etag=response.etag)
        return structure(self._model, self._created(response, payload))

    def _created(self, response: Answer, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """The new item in an answer that lists the parent's whole collection (the spec's).

        It is the item carrying the values sent; ids grow with creation, so among several
        such items (two alike children) the newest is the one just made.
        """
        id_field = self._child.id_field
        assert id_field is not None
        items = [item for item in response.objects() if isinstance(item.get(id_field), int)]
        if not items:
            raise response.malformed(f"the new {self._model.__name__} in the answer")
        sent = {k: v for k, v in payload.items() if not isinstance(v, (list, dict))}
        matching = [
            item for item in items if all(item.get(k) == v for k, v in sent.items() if k in item)
        ]
        return max(matching or items, key=lambda item: int(item[id_field]))

    async def update(self, id: int, item: C) -> C:
        """Send the changes of an item read from this parent.

        Args:
            id: The parent record's id.
            item: An item read from the API and changed since (its id says which).

        Returns:
            The item as the server stored it; ``item`` itself when nothing changed.

        Raises:
            ValidationError: ``item`` was not read from the API, or a changed value is
                wrong.
        """
        if not isinstance(item, self._model) or item.id is None:
            raise ValidationError("item", f"must be a {self._model.__name__} read from the API")
        payload = changes(item)
        if not payload:
            return item
        validate(self._model, payload)
        id_field = self._child.id_field
        assert id_field is not None
        response = await self._send("PUT", self._url(id), json={id_field: item.id, **payload})
        if isinstance(response.data, list) and len(response.data) != 1:
            # Some child endpoints answer with the parent's whole collection.
            for candidate in response.objects():
                if candidate.get(id_field) == item.id:
                    return structure(self._model, candidate)
        return structure(self._model, response.object())

    async def delete(self, id: int, child_id: int) -> None:
        """Remove an item from the parent. A retry that finds it gone counts as done.

        Args:
            id: The parent record's id.
            child_id: The item's id.
        """
        url = self._url(id, wire.validate_id(child_id, "child_id"))
        await self._send("DELETE", url, missing_ok_after_retry=True)


class TeamMembers(_Sub):
    """Members of a team."""

    segment = "TeamMembers"

    async def add(self, id: int, member_user_id: int) -> TeamMember:
        """Make a user a member of the team.

        Args:
            id: The team's id.
            member_user_id: The user's id (see ``crm.users``).

        Returns:
            The membership, with its ``permission_id`` (what :meth:`remove` takes).
        """
        user_id = wire.validate_id(member_user_id, "member_user_id")
        response = await self._send("POST", self._url(id), json={"MEMBER_USER_ID": user_id})
        return structure(TeamMember, response.object())

    async def remove(self, id: int, permission_id: int) -> None:
        """Take a member off the team. A retry that finds them gone counts as done.

        Args:
            id: The team's id.
            permission_id: The membership's ``permission_id`` (from :meth:`add`).
        """
        url = self._url(id, wire.validate_id(permission_id, "permission_id"))
        await self._send("DELETE", url, missing_ok_after_retry=True)
