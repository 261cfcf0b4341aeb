"""Records attached to a record: notes, activity and files read in pages, and the children
written through their parent (line items, price book entries, milestones)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, overload

from insightly_async._core import Answer
from insightly_async._exceptions import ValidationError
from insightly_async._facts import wire
from insightly_async._facts.catalog import BY_NAME, RecordType
from insightly_async.models import (
    Email,
    Event,
    FileAttachment,
    Model,
    Note,
    Record,
    Task,
    changes,
    structure,
    validate,
)
from insightly_async.pagination import Paginator
from insightly_async.resources._base import Raw, Resource, paginate
from insightly_async.resources._sub import _Sub, payload_of

C = TypeVar("C", bound=Record)
S = TypeVar("S", bound=Model)


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
