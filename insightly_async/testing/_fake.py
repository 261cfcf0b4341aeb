"""``FakeInsightly``: the emulator served on loopback, with its seeding and test helpers."""

from __future__ import annotations

import copy
import functools
import random
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

from insightly_async._facts.catalog import BY_NAME, CATALOG
from insightly_async.testing._app import Server
from insightly_async.testing._churn import Churn
from insightly_async.testing._faults import FaultPlan
from insightly_async.testing._handlers import PREFIX
from insightly_async.testing._log import RequestLog
from insightly_async.testing._options import Options
from insightly_async.testing._schema import shape_of
from insightly_async.testing._store import Store
from insightly_async.testing._validation import REFERENCES
from insightly_async.testing._visibility import caller_for
from insightly_async.testing._wire import ApiError
from insightly_async.testing.factories import RecordFactory

__all__ = ["FakeInsightly"]

Record = dict[str, Any]


# A value of each wire kind that every field of that kind accepts.
_PLAIN_VALUES: dict[str, Any] = {
    "string": "Emulated",
    "datetime": "2025-01-02 03:04:05",
    "integer": 7,
    "number": 12.5,
    "boolean": True,
}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class FakeInsightly:
    """A faithful emulator of the Insightly REST API v3.1, served on 127.0.0.1.

    Use it as an async context manager, which starts it on a free port::

        async with FakeInsightly(seed=0) as fake:
            fake.seed({"contacts": 1000, "organisations": 100})
            ...  # talk to fake.base_url with fake.api_key

    or call :meth:`start` and :meth:`close`, or take :meth:`make_app` and serve it
    yourself. Where the real API's behaviour is uncertain, the emulator is strict in
    the direction that catches client bugs; the options below switch to the
    alternatives.

    Args:
        seed: Every random choice (records, ids, API keys, ETags, fault sampling, latency
            jitter) derives from it, so runs are reproducible.
        clock: The wall clock that stamps ``DATE_CREATED_UTC``/``DATE_UPDATED_UTC`` and
            that ``updated_after_utc`` is compared with (default: real UTC now). A naive
            value is taken as UTC.
        monotonic: The clock of the per-second window, the daily window and the request
            log's arrival times (default :func:`time.monotonic`).
        rate_limit: At most this many requests in any ``rate_window`` seconds, counted
            when they arrive (before any injected latency); the others get 429 with
            ``X-RateLimit-Remaining`` > 0. ``None`` disables the limit. Unauthenticated
            requests are answered 401 and not counted.
        rate_window: The length of that sliding window, in seconds.
        count_rejected: Requests refused with a per-second 429 also occupy the window
            (a client that keeps hammering stays locked out).
        retry_after: ``None``: 429s carry no ``Retry-After`` (the real API's behaviour is
            unknown); a number: that many seconds; ``"auto"``: the whole seconds until
            the window has room (at least 1). Daily-allowance 429s never carry it.
        daily_limit: The rolling allowance. Every answer to an authenticated request
            carries ``X-RateLimit-Limit`` (this) and ``X-RateLimit-Remaining``. Every
            authenticated request admitted consumes one unit when it arrives (including
            one whose connection is then dropped), and so does every request refused by
            the per-second window or the concurrency cap (the safer assumption). When
            nothing is left the answer is 429 with ``X-RateLimit-Remaining: 0``, and that
            refused request consumes nothing.
        daily_window: The allowance's rolling window, in seconds.
        max_concurrency: If set, a request arriving while this many are in flight gets
            429 (a field report says the real API does this).
        etag_mismatch_status: The status of a PUT whose ``If-Match`` is stale: 400 with
            ``"If-Match header value '…' is not valid."`` (seen live) or 412
            (documented).
        put_status: The status of a successful ``PUT /{Type}`` (the spec says 201, a
            recording says 200; clients should accept any 2xx).
        subcollection_put: What a sub-collection (``CUSTOMFIELDS``, ``TAGS``, ``LINKS``,
            ``DATES``, ``EMAILDOMAINS``…) present in a PUT body does: ``"replace"`` the
            stored one (strict) or ``"merge"`` into it (by ``FIELD_NAME``, ``TAG_NAME``
            or the item's id).
        latency: Seconds added to every admitted request after it arrives.
        jitter: Spread of that delay: uniform in ``latency ± jitter``, at least 0.
        connect_delay: Seconds by which the first request of every new connection
            arrives late, as if its connection took that long to set up (a TCP and TLS
            handshake): it is logged and counted by the windows only then. Requests on a
            kept-alive connection arrive at once.
        check_references: Reference fields written by a client (``ORGANISATION_ID``,
            ``OWNER_USER_ID``, ``LEAD_SOURCE_ID``…) must name an existing record (400
            otherwise).
        list_filters: What ``updated_after_utc``, ``field_name`` or ``field_value`` on a
            plain list (``GET /Contacts``) does; the spec documents them on ``/Search``
            only. ``"reject"`` (400, so a client that relies on them is caught),
            ``"ignore"`` (the whole list), or ``"apply"`` (filter as ``/Search`` does).
        host: The address to serve on.

    The options are kept in :attr:`options` and may be changed while it runs
    (``fake.options.rate_limit = None``); the next request sees them.

    Raises:
        ValueError: an option is out of range.

    Attributes:
        options: The options above, by name; changes apply from the next request.
        store: The records it serves, as plain wire dicts (``store.table("contacts")``),
            and the account's other data (``store.define_custom_object(...)`` adds a
            custom object).
        log: Every request that reached it (a :class:`RequestLog`).
        faults: The faults it injects (a :class:`FaultPlan`: ``faults.add(...)``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
        rate_limit: int | None = 10,
        rate_window: float = 1.0,
        count_rejected: bool = False,
        retry_after: float | Literal["auto"] | None = None,
        daily_limit: int = 100_000,
        daily_window: float = 86_400.0,
        max_concurrency: int | None = None,
        etag_mismatch_status: int = 400,
        put_status: int = 200,
        subcollection_put: Literal["replace", "merge"] = "replace",
        latency: float = 0.0,
        jitter: float = 0.0,
        connect_delay: float = 0.0,
        check_references: bool = True,
        list_filters: Literal["reject", "ignore", "apply"] = "reject",
        host: str = "127.0.0.1",
    ) -> None:
        self._seed = seed
        self._clock = clock or _utc_now
        self._monotonic = monotonic or time.monotonic
        self._host = host
        self.options = Options(
            rate_limit=rate_limit,
            rate_window=rate_window,
            count_rejected=count_rejected,
            retry_after=retry_after,
            daily_limit=daily_limit,
            daily_window=daily_window,
            max_concurrency=max_concurrency,
            etag_mismatch_status=etag_mismatch_status,
            put_status=put_status,
            subcollection_put=subcollection_put,
            latency=latency,
            jitter=jitter,
            connect_delay=connect_delay,
            check_references=check_references,
            list_filters=list_filters,
        )
        self.store = Store(clock=self._clock, seed=seed)
        self.log = RequestLog()
        self.faults = FaultPlan(random.Random(f"faults:{seed}"))
        self._keys: dict[str, int] = {}
        self._key_rng = random.Random(f"keys:{seed}")
        self._churn_rng = random.Random(f"churn:{seed}")
        self._factory = RecordFactory(seed, now=self._clock())
        self._server = Server(
            store=self.store,
            options=self.options,
            log=self.log,
            faults=self.faults,
            keys=self._keys,
            clock=self._clock,
            monotonic=self._monotonic,
            seed=seed,
        )
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._load_account()

    def _load_account(self) -> None:
        users = self._factory.users()
        for user in users:
            self.add_user(user)
        reference = self._factory.reference_data(users)
        self._reference_types = frozenset(reference)
        for type_name, records in reference.items():
            self.store.insert_many(type_name, [copy.deepcopy(record) for record in records])
        for rtype in CATALOG:
            if rtype.custom_fields:
                definitions = self._factory.custom_field_definitions(rtype.custom_fields)
                self.store.set_custom_fields(rtype.custom_fields, definitions)
        for team in self.store.table("teams").records():
            if "TEAMMEMBERS" in team:
                self._server.records.teams.sync(team["TEAM_ID"])

    # --- accounts ---------------------------------------------------------------------

    def add_user(self, user: Mapping[str, Any], *, api_key: str | None = None) -> str:
        """Add a user record and return its API key.

        A user whose ``ACTIVE`` is false has its API access switched off: its key is
        always answered 401.

        Args:
            user: A ``users`` record; one without ``USER_ID`` gets one.
            api_key: The key to give it (default: a fresh one derived from the seed).

        Returns:
            The user's API key.
        """
        stored = self.store.insert("users", user)
        key = (
            api_key
            if api_key is not None
            else str(uuid.UUID(int=self._key_rng.getrandbits(128), version=4))
        )
        self._keys[key] = int(stored["USER_ID"])
        return key

    def key_for(self, user_id: int) -> str:
        """The API key of a user.

        Args:
            user_id: The user's ``USER_ID``.

        Returns:
            The key.

        Raises:
            KeyError: no key belongs to that user.
        """
        for key, owner in self._keys.items():
            if owner == user_id:
                return key
        raise KeyError(user_id)

    def _key_where(self, wanted: Callable[[Record], bool], what: str) -> str:
        for key, user_id in self._keys.items():
            user = self.store.table("users").get(user_id)
            if user is not None and wanted(user):
                return key
        raise LookupError(f"the account has no {what}")

    @property
    def api_key(self) -> str:
        """The key of an active administrator."""
        return self._key_where(
            lambda u: u.get("ADMINISTRATOR") is True and u.get("ACTIVE") is not False,
            "active administrator",
        )

    @property
    def user_key(self) -> str:
        """The key of an active user who is not an administrator."""
        return self._key_where(
            lambda u: u.get("ADMINISTRATOR") is not True and u.get("ACTIVE") is not False,
            "active regular user",
        )

    @property
    def disabled_key(self) -> str:
        """The key of a user whose API access is switched off (always answered 401)."""
        return self._key_where(lambda u: u.get("ACTIVE") is False, "disabled user")

    @property
    def users(self) -> list[Record]:
        """Copies of the user records."""
        return self.store.records("users")

    def user(self, api_key: str) -> Record:
        """A copy of the user record a key belongs to.

        Args:
            api_key: One of the emulator's keys.

        Returns:
            The user record (a wire dict).

        Raises:
            KeyError: unknown key.
        """
        user = self.store.get("users", self._keys[api_key])
        if user is None:
            raise KeyError(api_key)
        return user

    # --- serving ----------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """The aiohttp application (the same one on every call).

        Returns:
            The application, to serve yourself (``aiohttp.test_utils.TestServer``…).
        """
        return self._server.app

    @property
    def app(self) -> web.Application:
        """The aiohttp application."""
        return self._server.app

    async def start(self, port: int = 0) -> None:
        """Serve on ``host:port`` (0: a free port).

        Args:
            port: The port; 0 picks a free one (see :attr:`port`).

        Raises:
            RuntimeError: already started.
        """
        if self._runner is not None:
            raise RuntimeError("FakeInsightly is already started")
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def close(self) -> None:
        """Stop serving (a no-op when not started)."""
        runner, self._runner = self._runner, None
        self._port = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeInsightly:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The port it serves on.

        Raises:
            RuntimeError: not started.
        """
        if self._port is None:
            raise RuntimeError("FakeInsightly is not started: use 'async with' or start()")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v3.1``.

        Raises:
            RuntimeError: not started.
        """
        return f"http://{self._host}:{self.port}{PREFIX}"

    def url(self, path: str) -> str:
        """The full URL of an API path.

        Args:
            path: An API path (``/Contacts/5``), with or without its leading slash.

        Returns:
            ``base_url`` joined with ``path``.

        Raises:
            RuntimeError: not started.
        """
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # --- data -------------------------------------------------------------------------

    def seed(self, records: int | Mapping[str, int]) -> dict[str, list[int]]:
        """Add realistic records, without validation (fast); their ids by type.

        Each stored record is completed as a create through the API would leave it: its
        links name it and show on their other end, leads, opportunities and projects have
        their ``LINKED_EMAIL_ADDRESS``, and opportunities a state history.

        Args:
            records: How many records of each type (``{"contacts": 1000}``), or one
                number for every record type the factory makes beyond the reference data
                the account starts with. Types are filled referenced-first, so later
                records point at earlier ones.

        Returns:
            The new records' ids, by type name.

        Raises:
            KeyError: an unknown type name.
            ValueError: a negative count.
        """
        reference = {"users"} | self._reference_types
        order = list(self._factory.SEED_ORDER)
        if isinstance(records, int):
            wanted = {name: records for name in order if name not in reference}
        else:
            wanted = dict(records)
        for name, count in wanted.items():
            if name not in BY_NAME:
                raise KeyError(f"unknown record type {name!r}")
            if count < 0:
                raise ValueError(f"count for {name!r} must be >= 0, not {count!r}")
        ranked = sorted(wanted, key=lambda n: order.index(n) if n in order else len(order))
        created: dict[str, list[int]] = {}
        for name in ranked:
            refs = {rtype.name: self.store.table(rtype.name).ids for rtype in CATALOG}
            made = self._factory.make(name, wanted[name], refs=refs)
            created[name] = self.store.insert_many(name, made)
            self._server.records.complete_seeded(BY_NAME[name], created[name])
        return created

    def edit(self, type_name: str, record_id: int, changes: Mapping[str, Any]) -> Record:
        """Change a record directly, as another user would (new ETag and DATE_UPDATED_UTC).

        Args:
            type_name: The record type (``"contacts"``).
            record_id: The record's id.
            changes: Wire names and their new values.

        Returns:
            A copy of the record as stored now.

        Raises:
            KeyError: no such type or record.
        """
        return self.store.edit(type_name, record_id, changes)

    def delete(self, type_name: str, record_id: int) -> None:
        """Delete a record as the API would (its links disappear from the other side too).

        Args:
            type_name: The record type (``"contacts"``).
            record_id: The record's id.

        Raises:
            KeyError: no such type.
        """
        self._server.records.delete(type_name, record_id)

    def create(
        self, type_name: str, body: Mapping[str, Any], *, api_key: str | None = None
    ) -> Record:
        """Create a record through the API's own validation, as ``POST`` would.

        Args:
            type_name: The record type (``"contacts"``).
            body: The wire body a ``POST`` would carry.
            api_key: Whose request it is (default: :attr:`api_key`, an administrator).

        Returns:
            A copy of the stored record, with its id.

        Raises:
            KeyError: unknown type or key.
            ValueError: the body is rejected (the message is the API's).
        """
        user = self.user(api_key if api_key is not None else self.api_key)
        caller = caller_for(self.store, user)
        try:
            record = self._server.records.create(self.store.record_type(type_name), body, caller)
        except ApiError as error:
            raise ValueError(error.message) from None
        return copy.deepcopy(record)

    def minimal_body(self, type_name: str) -> Record:
        """The smallest body a ``POST`` of this type accepts: its required fields only.

        Plain values fill the required fields (cut to their maximum length); a field
        that names another record points at the first stored one of that type, which is
        created the same way first when the store has none.

        Args:
            type_name: The record type (``"quotes"``).

        Returns:
            The wire body.

        Raises:
            KeyError: an unknown type.
        """
        rtype = self.store.record_type(type_name)
        shape = shape_of(rtype)
        body: Record = {}
        for name in rtype.required:
            target = REFERENCES.get(name)
            if target is not None:
                if not self.store.ids(target):
                    self.create(target, self.minimal_body(target))
                body[name] = self.store.ids(target)[0]
                continue
            field = shape.fields[name]
            value = _PLAIN_VALUES[field.kind]
            if field.kind == "string" and field.max_length:
                value = value[: field.max_length]
            body[name] = value
        return body

    # --- limits -----------------------------------------------------------------------

    @property
    def remaining(self) -> int:
        """What is left of the daily allowance now."""
        return self._server.remaining(self._monotonic())

    def set_remaining(self, remaining: int) -> None:
        """Put the daily allowance at ``remaining`` units left.

        Args:
            remaining: Units left, from 0 (every request answered 429) to ``daily_limit``.

        Raises:
            ValueError: outside ``[0, daily_limit]``.
        """
        options = self.options
        self._server.daily.set_remaining(
            remaining, self._monotonic(), options.daily_limit, options.daily_window
        )

    @property
    def in_flight(self) -> int:
        """Requests being handled right now."""
        return self._server.in_flight

    # --- churn ------------------------------------------------------------------------

    def churn(
        self,
        type_name: str,
        *,
        creates_per_second: float = 5.0,
        deletes_per_second: float = 5.0,
    ) -> Churn:
        """A background task creating and deleting records while a client reads.

        Use it as ``async with fake.churn("contacts") as churn:``; ``churn.created``
        and ``churn.deleted`` hold the ids. It runs on real time.

        Args:
            type_name: The record type (``"contacts"``).
            creates_per_second: Records created per second.
            deletes_per_second: Records deleted per second (picked at random).

        Returns:
            The churn, not yet running: ``async with`` runs it.

        Raises:
            KeyError: unknown type.
            ValueError: a negative rate.
        """
        if type_name not in BY_NAME and not self.store.has_type(type_name):
            raise KeyError(f"unknown record type {type_name!r}")
        if creates_per_second < 0 or deletes_per_second < 0:
            raise ValueError("creates_per_second and deletes_per_second must be >= 0")
        return Churn(
            functools.partial(self._churn_create, type_name),
            functools.partial(self._churn_delete, type_name),
            creates_per_second,
            deletes_per_second,
        )

    def _churn_create(self, type_name: str) -> int:
        refs = {rtype.name: self.store.table(rtype.name).ids for rtype in CATALOG}
        record = self._factory.make(type_name, 1, refs=refs)[0]
        now = self.store.now_text()
        for key in ("DATE_CREATED_UTC", "DATE_UPDATED_UTC"):
            if key in record:
                record[key] = now
        record_id = self.store.insert_many(type_name, [record])[0]
        self._server.records.complete_seeded(self.store.record_type(type_name), [record_id])
        return record_id

    def _churn_delete(self, type_name: str) -> int | None:
        ids = self.store.table(type_name).ids
        if not ids:
            return None
        victim = ids[self._churn_rng.randrange(len(ids))]
        self._server.records.delete(type_name, victim)
        return victim
