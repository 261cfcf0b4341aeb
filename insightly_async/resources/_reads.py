"""The reading verbs: ``list()``, ``search()``, ``search_by_tag()`` and ``get()``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, overload

from insightly_async._exceptions import ValidationError
from insightly_async._facts import wire
from insightly_async._facts.catalog import Op
from insightly_async.pagination import Paginator
from insightly_async.resources._base import M, Raw, Resource


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
