"""The base of every resource: a record type bound to a session, and its paginators.

A resource only turns Python arguments into a path, a query and a body, and a response
into models: pacing, quota, retries and errors are the funnel's. The verbs are small
mixins over this base (the reads in :mod:`._reads`, the writes in :mod:`._writes`); the
concrete resource classes (``ContactsResource``…) are generated from the catalog and
combine exactly the mixins of the verbs their endpoints have, so a read-only type has no
``create``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from insightly_async._core import Answer, Client
from insightly_async._exceptions import InsightlyError, ValidationError
from insightly_async._facts import wire
from insightly_async._facts.catalog import Op, RecordType
from insightly_async.models import Record
from insightly_async.models import structure as structure_record
from insightly_async.models import wire_name as model_wire_name
from insightly_async.pagination import Paginator

M = TypeVar("M", bound=Record)
T = TypeVar("T")
Raw = dict[str, Any]


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
