"""The emulator's HTTP application: routes built from the catalog, and its middlewares."""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import json
import random
import weakref
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from insightly_async._facts.catalog import (
    BY_NAME,
    CATALOG,
    CHILD_ENTITIES,
    Op,
    RecordType,
    Sub,
    custom_object_type,
)
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME, RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING
from insightly_async.testing._faults import FaultPlan, jittered
from insightly_async.testing._handlers import (
    PREFIX,
    RequestState,
    current_state,
    enter_request,
    leave_request,
)
from insightly_async.testing._limits import DailyAllowance, SlidingWindow
from insightly_async.testing._log import LoggedRequest, RequestLog
from insightly_async.testing._options import Options
from insightly_async.testing._store import Store
from insightly_async.testing._subresources import SubResourceHandlers
from insightly_async.testing._visibility import caller_for
from insightly_async.testing._wire import ApiError, dumps, error_response

__all__ = ["PLURAL_PATHS", "Server"]

Record = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TypeHandler = Callable[[web.Request, RecordType], Awaitable[web.StreamResponse]]

# Plural spellings of the singular collections: the live API answers them with 405.
PLURAL_PATHS: tuple[str, ...] = (
    "Products",
    "Pricebooks",
    "PricebookEntries",
    "Quotations",
    "Quotes",
    "QuotationLineItems",
    "OpportunityLineItems",
    "Tickets",
    "Prospects",
    "KnowledgeArticles",
)

# An id segment: anything but the static names that share its position, so that
# `/Contacts/abc` answers 400 while `DELETE /Contacts/Search` answers 405.
_ID = r"{id:(?!(?:Search|SearchByTag|Me)$)[^/]+}"
_HTML_ERROR = (
    "<!DOCTYPE html>\r\n<html>\r\n<head><title>Runtime Error</title></head>\r\n"
    "<body><h1>Server Error in '/' Application.</h1>\r\n<h2><i>Runtime Error</i></h2>"
    "</body>\r\n</html>\r\n"
)
_DENIED = "Authorization has been denied for this request."


def _bind(fn: TypeHandler, rtype: RecordType) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await fn(request, rtype)

    return handler


def _api_path(path: str) -> str:
    if path == PREFIX or path.startswith(PREFIX + "/"):
        return path[len(PREFIX) :] or "/"
    return path


class Server(SubResourceHandlers):
    """The emulated API: its state, its limits and the aiohttp application."""

    def __init__(
        self,
        *,
        store: Store,
        options: Options,
        log: RequestLog,
        faults: FaultPlan,
        keys: Mapping[str, int],
        clock: Callable[[], datetime],
        monotonic: Callable[[], float],
        seed: int,
    ) -> None:
        super().__init__(store, options)
        self.log = log
        self.faults = faults
        self.keys = keys
        self.clock = clock
        self.monotonic = monotonic
        self.rng = random.Random(f"latency:{seed}")
        self.window = SlidingWindow()
        self.daily = DailyAllowance()
        self.in_flight = 0
        self._app: web.Application | None = None
        self._connections: weakref.WeakSet[object] = weakref.WeakSet()

    @property
    def app(self) -> web.Application:
        """The aiohttp application (built on first use)."""
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def _build_app(self) -> web.Application:
        app = web.Application(
            middlewares=[
                self._connect_mw,
                self._log_mw,
                self._limits_mw,
                self._faults_mw,
                self._errors_mw,
            ],
            client_max_size=32 * 1024 * 1024,
        )
        app.router.add_routes(self._routes())
        return app

    def _routes(self) -> list[web.RouteDef]:
        routes: list[web.RouteDef] = []

        def add(method: str, path: str, handler: Handler) -> None:
            kwargs = {"allow_head": False} if method == "GET" else {}
            routes.append(web.route(method, PREFIX + path, handler, **kwargs))

        add("GET", "/Users/Me", self._users_me)
        add("GET", "/CustomFields/{object}/Search", self._custom_fields_search)
        add("GET", "/CustomFields/{object}", self._custom_fields)
        add("GET", "/CustomObjects", self._custom_objects)
        add("GET", "/CustomObjects/{name}", self._custom_object)
        add("GET", "/Tags", self._tags_index)
        add("GET", "/Follows", self._follows_index)
        add("GET", "/Instance", self._instance)
        for rtype in CATALOG:
            self._type_routes(rtype, f"/{rtype.path}", add, functools.partial(_bind, rtype=rtype))
        for plural in PLURAL_PATHS:
            add("*", f"/{plural}", self._plural)
            add("*", f"/{plural}/{{tail:.*}}", self._plural)
        template = custom_object_type("Template__c")
        pattern = "{object:" + CUSTOM_OBJECT_NAME.pattern.strip("^$") + "}"
        self._type_routes(template, f"/{pattern}", add, self._bind_custom)
        return routes

    def _bind_custom(self, fn: TypeHandler) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            name = request.match_info["object"]
            if name not in self.store.custom_objects:
                raise ApiError(404, f"Custom object '{name}' was not found.")
            return await fn(request, self.store.record_type(name))

        return handler

    def _type_routes(
        self,
        rtype: RecordType,
        base: str,
        add: Callable[[str, str, Handler], None],
        bind: Callable[[TypeHandler], Handler],
    ) -> None:
        one = f"{base}/{_ID}"
        if rtype.has(Op.LIST):
            add("GET", base, bind(self._list))
        if rtype.has(Op.CREATE):
            add("POST", base, bind(self._create))
        if rtype.has(Op.UPDATE):
            add("PUT", base, bind(self._update))
        if rtype.has(Op.SEARCH):
            add("GET", f"{base}/Search", bind(self._search))
        if rtype.has(Op.SEARCH_BY_TAG):
            add("GET", f"{base}/SearchByTag", bind(self._search_by_tag))
        if rtype.has(Op.GET):
            add("GET", one, bind(self._get))
        if rtype.has(Op.DELETE):
            add("DELETE", base if rtype.delete_by_query else one, bind(self._delete))
        subs = rtype.subs
        if Sub.LINKS in subs:
            add("GET", f"{one}/Links", bind(self._links_get))
            add("POST", f"{one}/Links", bind(self._links_post))
            add("DELETE", f"{one}/Links/{{link_id}}", bind(self._links_delete))
        if Sub.LINKS_UPDATE in subs:
            add("PUT", f"{one}/Links", bind(self._links_put))
        if Sub.TAGS in subs:
            for method in ("GET", "POST", "PUT", "DELETE"):
                add(method, f"{one}/Tags", bind(self._tags))
        if Sub.NOTES in subs:
            notes = functools.partial(self._activity, child_type=BY_NAME["notes"])
            add("GET", f"{one}/Notes", bind(notes))
            add("POST", f"{one}/Notes", bind(self._notes_post))
            add("PUT", f"{one}/Notes", bind(self._notes_put))
        if Sub.FOLLOW in subs:
            for method in ("GET", "POST", "DELETE"):
                add(method, f"{one}/Follow", bind(self._follow))
        if Sub.FILE_ATTACHMENTS in subs:
            add("GET", f"{one}/FileAttachments", bind(self._files_get))
            # Emails only list their files; everything else accepts uploads (spec).
            if rtype.name != "emails":
                add("POST", f"{one}/FileAttachments", bind(self._files_post))
        if Sub.DATES in subs:
            for method in ("GET", "PUT"):
                add(method, f"{one}/Dates", bind(self._dates))
        if Sub.EMAIL_DOMAINS in subs:
            for method in ("GET", "PUT"):
                add(method, f"{one}/EmailDomains", bind(self._email_domains))
        if Sub.ACTIVITY in subs:
            for segment in ("Emails", "Events", "Tasks"):
                activity = functools.partial(self._activity, child_type=BY_NAME[segment.lower()])
                add("GET", f"{one}/{segment}", bind(activity))
        if Sub.COMMENTS in subs:
            add("GET", f"{one}/Comments", bind(self._comments_get))
            add("POST", f"{one}/Comments", bind(self._comments_post))
        for sub, (segment, child) in CHILD_ENTITIES.items():
            if sub in subs and sub is not Sub.NOTES:  # notes hang off links, not an id field
                children = bind(functools.partial(self._children, child_type=BY_NAME[child]))
                for method in ("GET", "POST", "PUT"):
                    add(method, f"{one}/{segment}", children)
                add("DELETE", f"{one}/{segment}/{{child_id}}", children)
        if Sub.STATE in subs:
            add("PUT", f"{one}/StateChange", bind(self._state_change))
            add("GET", f"{one}/StateHistory", bind(self._state_history))
        if Sub.PIPELINE in subs:
            add("PUT", f"{one}/Pipeline", bind(self._pipeline_put))
            add("DELETE", f"{one}/Pipeline", bind(self._pipeline_delete))
            add("PUT", f"{one}/PipelineStage", bind(self._pipeline_stage))
        if Sub.PRICEBOOK in subs:
            add("PUT", f"{one}/Pricebook", bind(self._pricebook))
        if Sub.TEAM_MEMBERS in subs:
            add("POST", f"{one}/TeamMembers", bind(self._team_member_post))
            add("DELETE", f"{one}/TeamMembers/{{permission_id}}", bind(self._team_member_delete))
        if Sub.LINK_EMAIL_ADDRESS in subs:
            add("GET", f"{one}/LinkEmailAddress", bind(self._link_email_address))
        if Sub.ACTIVITY_SET_ASSIGNMENT in subs:
            add("POST", f"{one}/ActivitySetAssignment", bind(self._activity_set_assignment))

    @web.middleware
    async def _connect_mw(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # The first request of a connection arrives after the connection's setup.
        connection = request.transport
        if connection is not None and connection not in self._connections:
            self._connections.add(connection)
            if self.options.connect_delay:
                await asyncio.sleep(self.options.connect_delay)
        return await handler(request)

    @web.middleware
    async def _log_mw(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        entry = LoggedRequest(
            arrival=self.monotonic(),
            wall=self.clock(),
            method=request.method,
            path=_api_path(request.path),
            query=dict(request.query),
        )
        self.log.append(entry)
        state = RequestState(entry)
        token = enter_request(state)
        try:
            if request.method in ("POST", "PUT", "DELETE"):
                entry.body = await self._logged_body(request)
            response = await handler(request)
        except Exception:
            entry.status = 500
            raise
        finally:
            leave_request(token)
        entry.status = None if state.dropped else response.status
        return response

    async def _logged_body(self, request: web.Request) -> Any:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            return {
                name: (f"<file {value.filename}>" if isinstance(value, web.FileField) else value)
                for name, value in form.items()
            }
        raw = await request.read()
        if not raw:
            return None
        text = raw.decode("utf-8", errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            return text

    def _authenticate(self, request: web.Request) -> Record | None:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "basic" or not credentials.strip():
            return None
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        key = decoded[:-1] if decoded.endswith(":") else decoded
        user_id = self.keys.get(key)
        if user_id is None:
            return None
        user = self.store.table("users").get(user_id)
        if user is None or user.get("ACTIVE") is False:
            return None
        return user

    def _quota_headers(self, remaining: int) -> dict[str, str]:
        return {
            RATE_LIMIT_LIMIT: str(self.options.daily_limit),
            RATE_LIMIT_REMAINING: str(remaining),
        }

    def _retry_after(self, now: float, *, concurrency: bool) -> dict[str, str]:
        options = self.options
        setting = options.retry_after
        if setting is None:
            return {}
        if setting == "auto":
            limit = options.rate_limit
            if concurrency or limit is None:
                return {"Retry-After": "1"}
            return {"Retry-After": str(self.window.retry_after(now, limit, options.rate_window))}
        return {"Retry-After": f"{setting:g}"}

    def remaining(self, now: float) -> int:
        """What is left of the daily allowance at ``now``."""
        return self.daily.remaining(now, self.options.daily_limit, self.options.daily_window)

    def _refuse(self, now: float, message: str, extra: Mapping[str, str]) -> web.Response:
        """A per-second or concurrency 429: it costs a unit of the daily allowance."""
        self.daily.consume(now)
        headers = self._quota_headers(self.remaining(now))
        headers.update(extra)
        return error_response(429, message, headers)

    @web.middleware
    async def _limits_mw(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        state = current_state()
        entry = state.entry
        user = self._authenticate(request)
        if user is None:
            return error_response(401, _DENIED)
        state.caller = caller_for(self.store, user)
        entry.user_id = state.caller.user_id
        now = entry.arrival
        options = self.options
        if self.remaining(now) == 0:
            # The refused request costs nothing, so the allowance stays at zero.
            return error_response(
                429,
                f"API daily request limit of {options.daily_limit} has been reached.",
                self._quota_headers(0),
            )
        # The concurrency cap first: a request it refuses takes no place in the window,
        # unless refused requests count.
        if options.max_concurrency is not None and self.in_flight >= options.max_concurrency:
            if options.count_rejected:
                self.window.note(now, options.rate_window)
            return self._refuse(
                now,
                f"Too many concurrent requests: at most {options.max_concurrency} at a time.",
                self._retry_after(now, concurrency=True),
            )
        limit, window = options.rate_limit, options.rate_window
        if limit is None:
            # Still recorded: switching the limit on mid-run sees the recent traffic.
            self.window.note(now, window)
        elif not self.window.admit(now, limit, window, count_rejected=options.count_rejected):
            return self._refuse(
                now,
                f"API rate limit exceeded: at most {limit} requests in any {window:g} second(s).",
                self._retry_after(now, concurrency=False),
            )
        self.daily.consume(now)
        quota = self._quota_headers(self.remaining(now))
        self.in_flight += 1
        try:
            response = await handler(request)
        finally:
            self.in_flight -= 1
        response.headers.update(quota)
        return response

    @web.middleware
    async def _faults_mw(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        state = current_state()
        entry = state.entry
        fired = self.faults.draw(request.method, entry.path)
        delay = jittered(self.rng, self.options.latency, self.options.jitter) + fired.delay
        if delay > 0:
            await asyncio.sleep(delay)
        fault = fired.outcome
        kind = fault.kind if fault is not None else None
        entry.fault = kind
        if kind == "status":
            assert fired.status is not None
            return error_response(fired.status, "An error has occurred.")
        if kind == "html_error":
            assert fired.status is not None
            return web.Response(
                text=_HTML_ERROR, status=fired.status, content_type="text/html", charset="utf-8"
            )
        if kind == "drop_before":
            return self._drop(request)
        if kind == "concurrent_edit":
            state.concurrent_edit = fault
        response = await handler(request)
        if kind == "drop_after":
            return self._drop(request)
        if kind == "malformed_json" and isinstance(response, web.Response):
            return self._malformed(response)
        if kind == "stale_page" and isinstance(response, web.Response):
            return self._stale(response)
        return response

    def _drop(self, request: web.Request) -> web.StreamResponse:
        # Closing the transport makes aiohttp's attempt to send the answer fail with a
        # ConnectionError, which it treats as a client that went away: no answer leaves,
        # nothing is logged above debug level.
        current_state().dropped = True
        transport = request.transport
        if transport is not None:
            transport.close()
        return web.Response(status=500)  # never sent: the transport is closed

    @staticmethod
    def _stale(response: web.Response) -> web.Response:
        body = response.body if isinstance(response.body, bytes) else b""
        try:
            rows = json.loads(body) if body else None
        except ValueError:
            return response
        if not isinstance(rows, list) or len(rows) < 3:
            return response
        del rows[len(rows) // 2]
        headers = {
            key: value for key, value in response.headers.items() if key.lower() != "content-length"
        }
        return web.Response(body=dumps(rows), status=response.status, headers=headers)

    @staticmethod
    def _malformed(response: web.Response) -> web.Response:
        body = response.body if isinstance(response.body, bytes) else b""
        broken = body[: len(body) // 2] if len(body) > 1 else b'{"Message":"'
        headers = {
            key: value
            for key, value in response.headers.items()
            if key.lower() not in ("content-length", "content-type")
        }
        headers["Content-Type"] = "application/json; charset=utf-8"
        return web.Response(body=broken, status=response.status, headers=headers)

    @web.middleware
    async def _errors_mw(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error.status, error.message, error.headers)
        except web.HTTPMethodNotAllowed as error:
            return error_response(
                405,
                f"The requested resource does not support http method '{request.method}'.",
                {"Allow": error.headers.get("Allow", "")},
            )
        except web.HTTPNotFound:
            return error_response(
                404, f"No HTTP resource was found that matches the request URI '{request.url}'."
            )
        except web.HTTPException as error:
            if error.status < 400:
                raise
            return error_response(error.status, error.reason)
