"""Request parsing, paging and the top-level handlers of every record type."""

from __future__ import annotations

import contextvars
import copy
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
from aiohttp import web

from insightly_async._facts.catalog import BY_NAME, CATALOG, Op, RecordType
from insightly_async._facts.wire import IF_MATCH, MAX_PAGE_SIZE, TOTAL_COUNT, format_body_datetime
from insightly_async.testing._faults import Fault
from insightly_async.testing._log import LoggedRequest
from insightly_async.testing._options import Options
from insightly_async.testing._records import Records
from insightly_async.testing._schema import shape_of
from insightly_async.testing._store import Store, Table
from insightly_async.testing._visibility import Caller, visible
from insightly_async.testing._wire import (
    ApiError,
    json_response,
    parse_body_datetime,
    parse_query_datetime,
)

__all__ = ["PREFIX", "Handlers", "RequestState", "current_state"]

Record = dict[str, Any]

PREFIX = "/v3.1"
DEFAULT_TOP = 100
_DIGITS = re.compile(r"^[0-9]{1,18}$")
_SEARCH_PARAMETERS: tuple[str, ...] = ("updated_after_utc", "field_name", "field_value")


@attrs.define
class RequestState:
    """What the middlewares learn about a request, for the layers inside them."""

    entry: LoggedRequest
    caller: Caller | None = None
    dropped: bool = False
    concurrent_edit: Fault | None = None


# aiohttp handles each request in a task of its own, so a context variable set by the
# outermost middleware belongs to that request alone.
_STATE: contextvars.ContextVar[RequestState] = contextvars.ContextVar("fake_insightly_request")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def current_state() -> RequestState:
    """The state of the request being handled."""
    return _STATE.get()


def enter_request(state: RequestState) -> contextvars.Token[RequestState]:
    """Make ``state`` the current request's (undo with ``_STATE.reset``)."""
    return _STATE.set(state)


def leave_request(token: contextvars.Token[RequestState]) -> None:
    """Undo :func:`enter_request`."""
    _STATE.reset(token)


def _strip_lists(record: Record) -> Record:
    return {key: value for key, value in record.items() if not isinstance(value, list)}


def _records(rows: Sequence[Record] | Table) -> Iterable[Record]:
    return rows.records() if isinstance(rows, Table) else rows


def _search_matches(value: Any, wanted: str) -> bool:
    """Exact match of a stored value against a query string.

    Text compares case-insensitively; numbers by value; booleans as true/false.
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return wanted.strip().lower() == ("true" if value else "false")
    if isinstance(value, (int, float)):
        try:
            return float(wanted) == float(value)
        except ValueError:
            return False
    if isinstance(value, str):
        if value.casefold() == wanted.casefold():
            return True
        canonical = parse_body_datetime(wanted)
        return canonical is not None and canonical == value
    return False


class Handlers:
    """The request helpers and the handlers of the top-level operations."""

    def __init__(self, store: Store, options: Options) -> None:
        self.store = store
        self.options = options
        self.records = Records(store, options)

    @staticmethod
    def _caller() -> Caller:
        caller = current_state().caller
        assert caller is not None
        return caller

    @staticmethod
    def _int(raw: str, name: str) -> int:
        if not _DIGITS.match(raw):
            raise ApiError(400, f"The value '{raw}' is not valid for {name}.")
        return int(raw)

    def _path_id(self, request: web.Request, name: str = "id") -> int:
        return self._int(request.match_info[name], name)

    def _query_int(self, request: web.Request, name: str, default: int) -> int:
        raw = request.query.get(name)
        if raw is None:
            return default
        return self._int(raw, name)

    @staticmethod
    def _query_flag(request: web.Request, name: str) -> bool:
        raw = request.query.get(name)
        if raw is None:
            return False
        if raw.lower() not in ("true", "false"):
            raise ApiError(400, f"The value '{raw}' is not valid for {name}.")
        return raw.lower() == "true"

    def _updated_after(self, request: web.Request) -> str | None:
        raw = request.query.get("updated_after_utc")
        if raw is None:
            return None
        moment = parse_query_datetime(raw)
        if moment is None:
            raise ApiError(
                400,
                f"The value '{raw}' is not valid for updated_after_utc: use an ISO 8601 UTC "
                "time such as 2025-04-19T00:49:32Z, or 2025-04-19 00:49:32.",
            )
        # Records have one-second resolution, so "strictly after 12:00:00.5" is the same
        # as "strictly after 12:00:00"; compare canonical strings.
        return format_body_datetime(moment)

    @staticmethod
    async def _body(request: web.Request) -> Any:
        raw = await request.read()
        if not raw.strip():
            raise ApiError(400, "The request body is empty.")
        try:
            # NaN and Infinity are not JSON (Python's json reads them; the API does not).
            return json.loads(raw.decode("utf-8"), parse_constant=_not_json)
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(400, f"The request body is not valid JSON: {error}.") from None

    async def _object_body(self, request: web.Request) -> Record:
        body = await self._body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return body

    def _find(self, rtype: RecordType, record_id: int, caller: Caller) -> Record:
        table = self.store.table(rtype.name)
        record = table.get(record_id)
        if record is None or not visible(table.shape, record, caller):
            raise ApiError(404, f"{rtype.object_name} with id {record_id} was not found.")
        return record

    def _find_for_write(self, rtype: RecordType, record_id: int, caller: Caller) -> Record:
        """Like ``_find``; then a pending ``concurrent_edit`` fault edits the record."""
        record = self._find(rtype, record_id, caller)
        state = current_state()
        fault, state.concurrent_edit = state.concurrent_edit, None
        if fault is not None:
            changes = fault.edit(copy.deepcopy(record)) if fault.edit is not None else None
            self.store.edit(rtype.name, record_id, changes or {})
        return record

    def _etag(self, rtype: RecordType, record_id: int) -> str:
        return self.store.etag(rtype.name, record_id)

    def _record_response(
        self, rtype: RecordType, record: Record, status: int = 200, **headers: str
    ) -> web.Response:
        record_id = record[rtype.id_field] if rtype.id_field else None
        etag = self._etag(rtype, record_id) if isinstance(record_id, int) else None
        return json_response(record, status, etag=etag, headers=headers)

    def _page(
        self,
        request: web.Request,
        rows: Sequence[Record] | Table,
        *,
        paged: bool = True,
        brief: bool = False,
    ) -> web.Response:
        """A list answer with skip/top paging, count_total and, where allowed, brief."""
        if not paged:
            return json_response(list(_records(rows)))
        skip = self._query_int(request, "skip", 0)
        top = min(self._query_int(request, "top", DEFAULT_TOP), MAX_PAGE_SIZE)
        count_total = self._query_flag(request, "count_total")
        strip = self._query_flag(request, "brief") if brief else False
        page = rows.slice(skip, top) if isinstance(rows, Table) else list(rows[skip : skip + top])
        if strip:
            page = [_strip_lists(record) for record in page]
        headers = {TOTAL_COUNT: str(len(rows))} if count_total else None
        return json_response(page, headers=headers)

    def _type_page(
        self, request: web.Request, rtype: RecordType, rows: Sequence[Record] | Table
    ) -> web.Response:
        return self._page(request, rows, paged=rtype.paged, brief=rtype.brief)

    def _all_visible(self, rtype: RecordType, caller: Caller) -> Sequence[Record] | Table:
        table = self.store.table(rtype.name)
        if caller.admin or not table.shape.owned:
            return table  # everything: paged by slicing, without a scan
        return [record for record in table.records() if visible(table.shape, record, caller)]

    def _require_admin(self, rtype: RecordType, caller: Caller) -> None:
        if rtype.name == "users" and not caller.admin:
            raise ApiError(403, "Only administrators can list users.")

    async def _list(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        self._require_admin(rtype, caller)
        filters = [name for name in _SEARCH_PARAMETERS if name in request.query]
        if filters and self.options.list_filters == "apply" and rtype.has(Op.SEARCH):
            return await self._search(request, rtype)
        if filters and self.options.list_filters == "reject":
            raise ApiError(
                400,
                f"{filters[0]} is not a parameter of GET /{rtype.path}: "
                f"filter with GET /{rtype.path}/Search.",
            )
        if rtype.name == "lead_statuses":
            self._query_flag(request, "include_converted")
        return self._type_page(request, rtype, self._all_visible(rtype, caller))

    def _field_getter(self, rtype: RecordType, name: str) -> Callable[[Record], Any]:
        shape = shape_of(rtype)
        field = shape.fields.get(name)
        if field is not None and field.kind != "collection":
            return lambda record: record.get(name)
        if rtype.custom_fields and any(
            definition.get("FIELD_NAME") == name
            for definition in self.store.custom_fields(rtype.custom_fields)
        ):

            def custom_value(record: Record) -> Any:
                for item in record.get("CUSTOMFIELDS") or ():
                    if item.get("FIELD_NAME") == name:
                        return item.get("FIELD_VALUE")
                return None

            return custom_value
        raise ApiError(400, f"'{name}' is not a valid field name for {rtype.path}.")

    def _updated_key(self, rtype: RecordType) -> str:
        if rtype.updated_field is not None:
            return rtype.updated_field
        if "DATE_CREATED_UTC" in shape_of(rtype).fields:
            return "DATE_CREATED_UTC"
        raise ApiError(400, f"updated_after_utc is not supported for {rtype.path}.")

    async def _search(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        self._require_admin(rtype, caller)
        query = request.query
        field_name = query.get("field_name")
        field_value = query.get("field_value")
        if (field_name is None) != (field_value is None):
            raise ApiError(400, "field_name and field_value must be given together.")
        after = self._updated_after(request)
        if rtype.name == "users" and field_name is not None and after is not None:
            raise ApiError(
                400,
                "Only one optional parameter (excluding brief, top, skip and count_total) "
                "can be specified.",
            )
        rows: Sequence[Record] | Table = self._all_visible(rtype, caller)
        if field_name is not None and field_value is not None:
            getter = self._field_getter(rtype, field_name)
            rows = [r for r in _records(rows) if _search_matches(getter(r), field_value)]
        if after is not None:
            key = self._updated_key(rtype)
            rows = [
                record
                for record in _records(rows)
                if isinstance(record.get(key), str) and record[key] > after
            ]
        return self._type_page(request, rtype, rows)

    async def _search_by_tag(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        tag = request.query.get("tagName")
        if not tag:
            raise ApiError(400, "The tagName parameter is required.")
        wanted = tag.casefold()
        rows = [
            record
            for record in _records(self._all_visible(rtype, caller))
            if any(
                isinstance(item.get("TAG_NAME"), str) and item["TAG_NAME"].casefold() == wanted
                for item in record.get("TAGS") or ()
            )
        ]
        return self._type_page(request, rtype, rows)

    async def _get(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        record = self._find(rtype, self._path_id(request), self._caller())
        return self._record_response(rtype, record)

    async def _users_me(self, request: web.Request) -> web.StreamResponse:
        caller = self._caller()
        return self._record_response(BY_NAME["users"], caller.user)

    async def _create(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        body = await self._object_body(request)
        record = self.records.create(rtype, body, caller)
        headers = {}
        if rtype.id_field is not None:
            location = request.url.with_path(f"{PREFIX}/{rtype.path}/{record[rtype.id_field]}")
            headers["Location"] = str(location.with_query(None))
        return self._record_response(rtype, record, 201, **headers)

    async def _update(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        body = await self._object_body(request)
        id_field = rtype.id_field
        assert id_field is not None
        record_id = body.get(id_field)
        if record_id is None:
            raise ApiError(400, f"The {id_field} field is required.")
        if isinstance(record_id, bool) or not isinstance(record_id, int):
            raise ApiError(400, f"The value of {id_field} is not valid: expected an integer.")
        record = self._find_for_write(rtype, record_id, caller)
        self._check_if_match(request, rtype, record_id)
        self.records.update(rtype, record, body)
        return self._record_response(rtype, record, self.options.put_status)

    def _check_if_match(self, request: web.Request, rtype: RecordType, record_id: int) -> None:
        value = request.headers.get(IF_MATCH)
        if value is None or value.strip() == "*":
            return
        if value.strip() != self._etag(rtype, record_id):
            raise ApiError(
                self.options.etag_mismatch_status,
                f"If-Match header value '{value}' is not valid.",
            )

    async def _delete(self, request: web.Request, rtype: RecordType) -> web.StreamResponse:
        caller = self._caller()
        if rtype.delete_by_query:
            raw = request.query.get("id")
            if raw is None:
                raise ApiError(400, "The id parameter is required.")
            record_id = self._int(raw, "id")
        else:
            record_id = self._path_id(request)
        self._find_for_write(rtype, record_id, caller)
        self.records.delete(rtype.name, record_id)
        return json_response(None, 202)

    async def _custom_fields(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["object"]
        if name not in self.store.custom_field_objects():
            raise ApiError(404, f"Object '{name}' was not found.")
        return json_response(self.store.custom_fields(name))

    async def _custom_fields_search(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["object"]
        wanted = request.query.get("fieldName")
        if not wanted:
            raise ApiError(400, "The fieldName parameter is required.")
        if name not in self.store.custom_field_objects():
            raise ApiError(404, f"Object '{name}' was not found.")
        return json_response(
            [
                field
                for field in self.store.custom_fields(name)
                if str(field.get("FIELD_NAME", "")).casefold() == wanted.casefold()
            ]
        )

    async def _custom_objects(self, request: web.Request) -> web.StreamResponse:
        return json_response(list(self.store.custom_objects.values()))

    async def _custom_object(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        definition = self.store.custom_objects.get(name)
        if definition is None:
            raise ApiError(404, f"Custom object '{name}' was not found.")
        return json_response(definition)

    async def _tags_index(self, request: web.Request) -> web.StreamResponse:
        caller = self._caller()
        record_type = request.query.get("record_type")
        by_tag_type = {t.tag_record_type: t for t in CATALOG if t.tag_record_type}
        if not record_type:
            raise ApiError(400, "The record_type parameter is required.")
        rtype = by_tag_type.get(record_type.lower())
        if rtype is None:
            raise ApiError(
                400,
                f"The value '{record_type}' is not valid for record_type: use one of "
                f"{', '.join(sorted(by_tag_type))}.",
            )
        names: dict[str, str] = {}
        for record in _records(self._all_visible(rtype, caller)):
            for tag in record.get("TAGS") or ():
                name = tag.get("TAG_NAME")
                if isinstance(name, str):
                    names.setdefault(name.casefold(), name)
        tags = [{"TAG_NAME": names[key]} for key in sorted(names)]
        return self._page(request, tags)

    async def _follows_index(self, request: web.Request) -> web.StreamResponse:
        caller = self._caller()
        wanted = request.query.get("record_type")
        rows = []
        for user_id, type_name, record_id in sorted(self.store.follows):
            if user_id != caller.user_id or not self.store.has_type(type_name):
                continue
            rtype = self.store.record_type(type_name)
            label = rtype.path.lower()
            if wanted is not None and wanted.lower() not in (label, rtype.object_name.lower()):
                continue
            rows.append({"RECORD_TYPE": label, "RECORD_ID": record_id})
        return self._page(request, rows)

    async def _instance(self, request: web.Request) -> web.StreamResponse:
        return json_response(self.store.instance)

    async def _plural(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMethodNotAllowed(request.method, ())
