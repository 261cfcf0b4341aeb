"""The verbs a record type can have, as small mixins over one base.

A resource only turns Python arguments into a path, a query and a body, and a response
into models: pacing, quota, retries and errors are the funnel's. The concrete resource
classes (``ContactsResource``…) are generated from the catalog and combine exactly the
mixins of the verbs their endpoints have, so a read-only type has no ``create``.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, overload

from insightly_async._core import Answer, Client
from insightly_async._exceptions import ConflictError, InsightlyError, ValidationError
from insightly_async._facts import wire
from insightly_async._facts.catalog import Op, RecordType
from insightly_async.models import Record, create_payload, model_fields, payload_from_changes
from insightly_async.models import changes as record_changes
from insightly_async.models import structure as structure_record
from insightly_async.models import validate as validate_payload
from insightly_async.models import wire_name as model_wire_name
from insightly_async.pagination import Paginator

M = TypeVar("M", bound=Record)
T = TypeVar("T")
Raw = dict[str, Any]

#: What ``modify`` applies: changes the record in place, or returns the new record or a
#: mapping of changes (a coroutine function too).
ModifyFn = Callable[[M], "M | Mapping[str, Any] | Awaitable[M | Mapping[str, Any] | None] | None"]


class Resource(Generic[M]):
    """Base of every resource: a record type bound to a session.

    Resources are built by the session (``crm.contacts``, ``crm.custom_object("Fruit__c")``),
    never by hand. Every call goes through the session's funnel, so besides the errors a
    method names, any call can raise :class:`~insightly_async.APIStatusError` (a subclass
    per status), :class:`~insightly_async.APIConnectionError`,
    :class:`~insightly_async.MalformedResponseError`,
    :class:`~insightly_async.QuotaExhaustedError` or
    :class:`~insightly_async.SessionClosedError`; a bad id or argument raises
    :class:`~insightly_async.ValidationError` before anything is sent.

    Attributes:
        record_type: The catalog entry of the type: path, id field, verbs, sub-resources.
        model: The model class of its records (``Contact``…).
    """

    record_type: RecordType
    model: type[M]

    def __init__(self, client: Client, record_type: RecordType, model: type[M]) -> None:
        self._client = client
        self.record_type = record_type
        self.model = model

    def __repr__(self) -> str:
        return f"<{type(self).__name__} /{self.record_type.path}>"

    # --- helpers for the mixins ---------------------------------------------------------

    def _url(self, *segments: str | int) -> str:
        return self._client.url(self.record_type.path, *segments)

    def _parse(self, wire: Any) -> M:
        return structure_record(self.model, wire)

    def _parse_response(self, response: Answer) -> M:
        return structure_record(self.model, response.object(), etag=response.etag)

    def _require(self, op: Op) -> None:
        if op not in self.record_type.ops:
            raise InsightlyError(f"/{self.record_type.path} has no {op.value} operation")

    def _wire_field(self, name: str, argument: str) -> str:
        """A field name as the API spells it: attribute, wire or custom field name."""
        if not isinstance(name, str) or not name:
            raise ValidationError(argument, f"must be a field name, got {name!r}")
        try:
            return model_wire_name(self.model, name)
        except ValidationError as exc:
            raise ValidationError(argument, str(exc)) from None

    def _list_params(self, *, brief: bool, updated_after: datetime | None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if brief:
            if not self.record_type.brief:
                raise ValidationError("brief", f"/{self.record_type.path} does not take brief")
            params["brief"] = True
        if updated_after is not None:
            if not isinstance(updated_after, datetime):
                raise ValidationError("updated_after", "must be a timezone-aware datetime")
            params["updated_after_utc"] = wire.format_query_datetime(updated_after)
        return params

    def _paginator(
        self,
        url: str,
        params: Mapping[str, Any],
        *,
        raw: bool,
        page_size: int,
        count_total: bool,
        concurrency: int,
        start: int = 0,
    ) -> Paginator[Any]:
        parse: Callable[[Any], Any] = _identity if raw else self._parse
        id_field = self.record_type.id_field
        key: Callable[[Any], int] | None = None
        if id_field is not None:
            key = operator.itemgetter(id_field) if raw else operator.attrgetter("id")
        return paginate(
            self._client,
            url,
            parse,
            key=key,
            params=params,
            page_size=page_size,
            count_total=count_total,
            concurrency=concurrency,
            paged=self.record_type.paged,
            start=start,
        )

    def _id(self, value: object, argument: str = "id") -> int:
        return wire.validate_id(value, argument)


def paginate(
    client: Client,
    url: str,
    parse: Callable[[Any], T],
    *,
    params: Mapping[str, object] | None = None,
    page_size: int = wire.MAX_PAGE_SIZE,
    count_total: bool = False,
    concurrency: int = 1,
    paged: bool = True,
    start: int = 0,
    key: Callable[[T], int] | None = None,
) -> Paginator[T]:
    """A paginator over the list at ``url``, each page one GET through ``client``.

    Args:
        client: The session's client (its funnel sends every page).
        url: The list's URL.
        parse: Turns one wire item into what the paginator yields.
        params: Query parameters besides ``skip`` and ``top``.
        page_size: Records per request.
        count_total: Ask for ``X-Total-Count``.
        concurrency: Pages fetched ahead in parallel.
        paged: Whether the endpoint takes ``skip``/``top`` (else one request reads it all).
        start: Records to skip first.
        key: The id of a parsed item, for the delete-safe scan.

    Returns:
        A paginator; nothing is sent until it is iterated.

    Raises:
        ValidationError: a parameter that cannot be sent.
    """

    async def fetch(page_params: Mapping[str, str]) -> Answer:
        return await client.send("GET", url, params=page_params)

    return Paginator(
        fetch,
        parse,
        params=client.query(params or {}),  # bad values are refused now, not when iterating
        page_size=page_size,
        count_total=count_total,
        concurrency=concurrency,
        paged=paged,
        start=start,
        key=key,
    )


def _identity(value: Any) -> Any:
    return value


class ListMixin(Resource[M]):
    """``list()``: every record of the type."""

    @overload
    def list(
        self,
        *,
        page_size: int = ...,
        brief: bool = ...,
        updated_after: datetime | None = ...,
        count_total: bool = ...,
        concurrency: int = ...,
        start: int = ...,
        raw: Literal[False] = ...,
    ) -> Paginator[M]: ...

    @overload
    def list(
        self,
        *,
        page_size: int = ...,
        brief: bool = ...,
        updated_after: datetime | None = ...,
        count_total: bool = ...,
        concurrency: int = ...,
        start: int = ...,
        raw: Literal[True],
    ) -> Paginator[Raw]: ...

    def list(
        self,
        *,
        page_size: int = wire.MAX_PAGE_SIZE,
        brief: bool = False,
        updated_after: datetime | None = None,
        count_total: bool = False,
        concurrency: int = 1,
        start: int = 0,
        raw: bool = False,
    ) -> Paginator[M] | Paginator[Raw]:
        """Every record, page by page, in ascending id order.

        Args:
            page_size: Records per request (1 to 500, the API's maximum).
            brief: Leave out sub-collections (tags, links, custom fields…).
            updated_after: Only records updated strictly after this aware datetime; the
                request goes to ``/Search`` (the only endpoint that filters by date).
            count_total: Ask for ``X-Total-Count``: pages carry ``total``.
            concurrency: Pages fetched ahead in parallel (through the same pacer).
            start: Records to skip first (to resume a scan).
            raw: Yield the wire dicts untouched instead of models (fast and lossless).

        Returns:
            A :class:`~insightly_async.Paginator`: ``async for`` yields the records,
            ``.pages()`` the pages, ``.to_list()`` all of them; nothing is sent until it
            is iterated.

        Raises:
            ValidationError: a bad option (``page_size`` out of 1 to 500, ``concurrency``
                out of 1 to 64, a naive ``updated_after``, ``brief`` or ``updated_after``
                on a type that does not take it).
        """
        params = self._list_params(brief=brief, updated_after=updated_after)
        url = self._url()
        if updated_after is not None:
            if Op.SEARCH not in self.record_type.ops:
                raise ValidationError(
                    "updated_after", f"/{self.record_type.path} cannot be filtered by date"
                )
            url = self._url("Search")
        return self._paginator(
            url,
            params,
            raw=raw,
            page_size=page_size,
            count_total=count_total,
            concurrency=concurrency,
            start=start,
        )


class SearchMixin(Resource[M]):
    """``search()``: records by the exact value of one field, or by update time."""

    @overload
    def search(
        self,
        field_name: str | None = ...,
        field_value: object = ...,
        *,
        updated_after: datetime | None = ...,
        page_size: int = ...,
        brief: bool = ...,
        count_total: bool = ...,
        concurrency: int = ...,
        raw: Literal[False] = ...,
    ) -> Paginator[M]: ...

    @overload
    def search(
        self,
        field_name: str | None = ...,
        field_value: object = ...,
        *,
        updated_after: datetime | None = ...,
        page_size: int = ...,
        brief: bool = ...,
        count_total: bool = ...,
        concurrency: int = ...,
        raw: Literal[True],
    ) -> Paginator[Raw]: ...

    def search(
        self,
        field_name: str | None = None,
        field_value: object = None,
        *,
        updated_after: datetime | None = None,
        page_size: int = wire.MAX_PAGE_SIZE,
        brief: bool = False,
        count_total: bool = False,
        concurrency: int = 1,
        raw: bool = False,
    ) -> Paginator[M] | Paginator[Raw]:
        """Records whose field equals a value exactly, and/or updated after a moment.

        Args:
            field_name: An attribute name (``email_address``), a wire name
                (``EMAIL_ADDRESS``) or a custom field name (``Hobby__c``).
            field_value: The value to match exactly (a string, number, bool or aware
                datetime).
            updated_after: Only records updated strictly after this aware datetime.
            page_size: Records per request (1 to 500).
            brief: Leave out sub-collections (tags, links, custom fields…).
            count_total: Ask for ``X-Total-Count``: pages carry ``total``.
            concurrency: Pages fetched ahead in parallel (through the same pacer).
            raw: Yield the wire dicts untouched instead of models.

        Returns:
            A :class:`~insightly_async.Paginator` over the matching records.

        Raises:
            ValidationError: neither a field and value nor ``updated_after``, only one of
                ``field_name`` and ``field_value``, a field the type does not have, or a
                value that cannot be searched for.
        """
        params = self._list_params(brief=brief, updated_after=updated_after)
        if field_name is not None or field_value is not None:
            if field_name is None:
                raise ValidationError("field_name", "is required with field_value")
            if field_value is None:
                raise ValidationError("field_value", "is required with field_name")
            params["field_name"] = self._wire_field(field_name, "field_name")
            params["field_value"] = _search_value(field_value)
        elif updated_after is None:
            raise ValidationError("field_name", "give field_name and field_value, or updated_after")
        return self._paginator(
            self._url("Search"),
            params,
            raw=raw,
            page_size=page_size,
            count_total=count_total,
            concurrency=concurrency,
        )


def _search_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return wire.format_body_datetime(value, "field_value")
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValidationError("field_value", f"cannot search for a {type(value).__name__}")


class SearchByTagMixin(Resource[M]):
    """``search_by_tag()``: records carrying a tag."""

    @overload
    def search_by_tag(
        self,
        tag_name: str,
        *,
        page_size: int = ...,
        brief: bool = ...,
        count_total: bool = ...,
        concurrency: int = ...,
        raw: Literal[False] = ...,
    ) -> Paginator[M]: ...

    @overload
    def search_by_tag(
        self,
        tag_name: str,
        *,
        page_size: int = ...,
        brief: bool = ...,
        count_total: bool = ...,
        concurrency: int = ...,
        raw: Literal[True],
    ) -> Paginator[Raw]: ...

    def search_by_tag(
        self,
        tag_name: str,
        *,
        page_size: int = wire.MAX_PAGE_SIZE,
        brief: bool = False,
        count_total: bool = False,
        concurrency: int = 1,
        raw: bool = False,
    ) -> Paginator[M] | Paginator[Raw]:
        """Records carrying the tag ``tag_name``.

        Args:
            tag_name: The tag, as shown in Insightly.
            page_size: Records per request (1 to 500).
            brief: Leave out sub-collections (tags, links, custom fields…).
            count_total: Ask for ``X-Total-Count``: pages carry ``total``.
            concurrency: Pages fetched ahead in parallel (through the same pacer).
            raw: Yield the wire dicts untouched instead of models.

        Returns:
            A :class:`~insightly_async.Paginator` over the tagged records.

        Raises:
            ValidationError: an empty tag name or a bad option.
        """
        if not isinstance(tag_name, str) or not tag_name.strip():
            raise ValidationError("tag_name", "must be a non-empty string")
        params = self._list_params(brief=brief, updated_after=None)
        params["tagName"] = tag_name
        return self._paginator(
            self._url("SearchByTag"),
            params,
            raw=raw,
            page_size=page_size,
            count_total=count_total,
            concurrency=concurrency,
        )


class GetMixin(Resource[M]):
    """``get()``: one record by id."""

    async def get(self, id: int) -> M:
        """The record with this id; its ``etag`` holds the response's ``ETag``.

        Args:
            id: The record's id (an ``int`` above 0).

        Returns:
            The record, with ``etag`` set when the server sent one.

        Raises:
            ValidationError: ``id`` is not a positive int.
            NotFoundError: no such record, or one the key cannot see.
        """
        response = await self._client.send("GET", self._url(self._id(id)))
        return self._parse_response(response)


class CreateMixin(Resource[M]):
    """``create()``: a new record."""

    async def create(self, record: M | Mapping[str, Any]) -> M:
        """Create a record and return it as the server stored it.

        Args:
            record: A model (``Contact(first_name="Ada")``) or a mapping of attribute or
                wire names to values.

        Returns:
            The new record, with its id and the values the server filled in.

        Raises:
            ValidationError: a required field is missing or a value is wrong; nothing was
                sent.
            APIConnectionError: with ``outcome_unknown`` if the connection broke after the
                request was sent: the record may exist. It is never resent blindly.
        """
        if isinstance(record, Mapping):
            payload = payload_from_changes(self.model, record, creating=True)
        elif isinstance(record, self.model):
            payload = create_payload(record)
        else:
            raise ValidationError(
                "record",
                f"must be a {self.model.__name__} or a mapping, not {type(record).__name__}",
            )
        validate_payload(self.model, payload, required=self.record_type.required)
        response = await self._client.send("POST", self._url(), json=payload)
        return self._parse_response(response)


class UpdateMixin(Resource[M]):
    """``update()``: send a record's changes."""

    async def update(
        self,
        record: M | int,
        changes: Mapping[str, Any] | None = None,
        *,
        if_match: str | None = None,
    ) -> M:
        """Send the changes of a record: its id plus exactly the fields that changed.

        ``update(record)`` sends what changed since the record was read (nothing at all if
        nothing changed: the record comes back as it is). ``update(42, {"last_name":
        "Byron"})`` sends exactly those fields. Sub-collections go only when they changed,
        and fields the models do not know are never touched.

        Args:
            record: A record read from the API, or an id.
            changes: With an id: the fields to change (attribute or wire names).
            if_match: An ETag: the update applies only if the record is unchanged since
                (else :class:`ConflictError`).

        Returns:
            The record as the server stored it; ``record`` itself when nothing changed
            (nothing is sent then).

        Raises:
            ValidationError: an id without ``changes``, a record with ``changes``, or a
                changed value that is wrong; nothing was sent.
            ConflictError: ``if_match`` no longer matches: someone changed the record.
            NotFoundError: no such record, or one the key cannot see.
        """
        if isinstance(record, int) and not isinstance(record, bool):
            record_id = self._id(record)
            if changes is None:
                raise ValidationError("changes", "give the changes to send with an id")
            payload = payload_from_changes(self.model, changes)
        elif isinstance(record, self.model):
            if changes is not None:
                raise ValidationError("changes", "give either a record or an id with changes")
            record_id = self._id(record.id, "id")
            payload = record_changes(record)
            if not payload:
                return record
        else:
            raise ValidationError(
                "record", f"must be a {self.model.__name__} or an id, not {type(record).__name__}"
            )
        validate_payload(self.model, payload)
        return await self._put(record_id, payload, if_match=if_match)

    async def _put(self, record_id: int, payload: Mapping[str, Any], *, if_match: str | None) -> M:
        id_field = self.record_type.id_field
        assert id_field is not None
        body = {id_field: record_id, **payload}
        response = await self._client.send("PUT", self._url(), json=body, if_match=if_match)
        return self._parse_response(response)


class ModifyMixin(GetMixin[M], UpdateMixin[M]):
    """``modify()``: read, change and write back a record, safe against concurrent edits."""

    async def modify(self, id: int, fn: ModifyFn[M], *, max_attempts: int = 10) -> M:
        """Read a record, apply ``fn``, and write the change back only if nobody else did.

        ``fn`` gets the freshly read record and either changes it in place (returning
        ``None`` or the record), returns a new record of the same type (e.g.
        ``attrs.evolve(record, title="Countess")``: the new state, compared with what was
        read), or returns a mapping of changes; it may be a coroutine function. The write
        carries the read's ETag in ``If-Match``; on :class:`ConflictError` the record is
        read again and ``fn`` applied again, up to ``max_attempts`` times. ``fn`` is never
        applied on top of its own earlier write: if a write's outcome is unknown,
        :class:`APIConnectionError` (``outcome_unknown=True``) is raised instead of
        guessing.

        Args:
            id: The record's id.
            fn: The change, as above.
            max_attempts: Reads and writes at most, conflicts included.

        Returns:
            The record as the server stored it (or as read, when ``fn`` changed nothing).

        Raises:
            ValidationError: ``fn`` returned something else, or a changed value is wrong.
            ConflictError: still conflicting after ``max_attempts`` attempts.
            APIConnectionError: the write's outcome is unknown (``outcome_unknown``).
        """
        record_id = self._id(id)
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ValidationError("max_attempts", f"must be an int >= 1, got {max_attempts!r}")
        conflict: ConflictError | None = None
        for _ in range(max_attempts):
            current = await self.get(record_id)
            if current.etag is None:
                raise InsightlyError(
                    f"/{self.record_type.path}/{record_id} came without an ETag: "
                    "modify() cannot guard the write against concurrent changes"
                )
            result = fn(current)
            if inspect.isawaitable(result):
                result = await result
            if result is None or result is current:
                payload = record_changes(current)
            elif isinstance(result, self.model):
                # A new record of the type (attrs.evolve, say) is the new state: what it
                # holds is compared with what was read, field by field.
                _take_state(current, result)
                payload = record_changes(current)
            elif isinstance(result, Mapping):
                payload = payload_from_changes(self.model, result)
            else:
                raise ValidationError(
                    "fn",
                    f"must change the record in place, or return the new {self.model.__name__} "
                    f"or a mapping of changes, not a {type(result).__name__}",
                )
            if not payload:
                return current
            validate_payload(self.model, payload)
            try:
                return await self._put(record_id, payload, if_match=current.etag)
            except ConflictError as exc:
                conflict = exc
        assert conflict is not None
        raise conflict


def _take_state(record: Record, new: Record) -> None:
    """Give ``record`` (as read) every field value and extra key of ``new``."""
    for field in model_fields(type(record)):
        setattr(record, field.name, getattr(new, field.name))
    record.extra = dict(new.extra)


class DeleteMixin(Resource[M]):
    """``delete()``: remove a record."""

    async def delete(self, id: int) -> None:
        """Delete the record. A retry that finds it already gone counts as done.

        Args:
            id: The record's id.

        Raises:
            ValidationError: ``id`` is not a positive int.
            NotFoundError: no such record (on the first attempt), or one the key cannot see.
        """
        record_id = self._id(id)
        if self.record_type.delete_by_query:
            url, params = self._url(), {"id": record_id}
        else:
            url, params = self._url(record_id), None
        await self._client.send("DELETE", url, params=params, missing_ok_after_retry=True)
