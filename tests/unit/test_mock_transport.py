"""The funnel over the transport seam, with no socket: a ``MockTransport`` answers."""

from __future__ import annotations

import base64
from collections.abc import Callable

import aiohttp
import pytest

from insightly_async import (
    APIConnectionError,
    Contact,
    InsightlySession,
    MalformedResponseError,
    QuotaExhaustedError,
    ServerError,
    ValidationError,
)
from insightly_async._sansio import Backoff
from insightly_async.testing import MockTransport
from insightly_async.transport import Request, Response, Transport, TransportError

FAST = Backoff(base=0.001, cap=0.002)
KEY = "mock-key-123"


def session(handler: Callable[[Request], Response], **options: object) -> InsightlySession:
    return InsightlySession(
        KEY,
        pod="na1",
        transport=MockTransport(handler),
        rate=1000.0,
        backoff=FAST,
        **options,  # type: ignore[arg-type]
    )


def transport_of(crm: InsightlySession) -> MockTransport:
    transport = crm._client.transport
    assert isinstance(transport, MockTransport)
    return transport


def contact(request: Request) -> Response:
    return Response.with_json({"CONTACT_ID": 42, "FIRST_NAME": "Ada"}, headers={"ETag": '"v1"'})


async def test_a_get_goes_through_the_transport_with_the_key_in_basic_auth_only() -> None:
    async with session(contact) as crm:
        record = await crm.contacts.get(42)
        (request,) = transport_of(crm).requests
    assert record == Contact(contact_id=42, first_name="Ada")
    assert record.etag == '"v1"'
    assert request.method == "GET"
    assert request.url == "https://api.na1.insightly.com/v3.1/Contacts/42"
    token = base64.b64encode(f"{KEY}:".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {token}"
    assert KEY not in request.url
    assert token not in repr(request)  # the credentials stay out of logs and tracebacks
    assert request.timeout.total == 60.0


async def test_the_mock_transport_satisfies_the_protocol_and_is_closed_with_the_session() -> None:
    crm = session(contact)
    transport = transport_of(crm)
    assert isinstance(transport, Transport)
    await crm.aclose()
    assert transport.closed


async def test_query_parameters_arrive_encoded() -> None:
    def page(request: Request) -> Response:
        return Response.with_json([])

    async with session(page) as crm:
        assert await crm.contacts.list(page_size=20, brief=True).to_list() == []
        (request,) = transport_of(crm).requests
    assert dict(request.params) == {"brief": "true", "skip": "0", "top": "20"}


async def test_a_503_is_retried_through_the_seam() -> None:
    answers = [Response(503, {}, b"busy"), Response(503, {}, b"busy")]

    def flaky(request: Request) -> Response:
        return answers.pop(0) if answers else contact(request)

    async with session(flaky, max_retries=2) as crm:
        assert (await crm.contacts.get(42)).contact_id == 42
        assert len(transport_of(crm).requests) == 3


async def test_retries_stop_at_max_retries() -> None:
    async with session(lambda request: Response(502, {}, b""), max_retries=1) as crm:
        with pytest.raises(ServerError):
            await crm.contacts.get(42)
        assert len(transport_of(crm).requests) == 2


async def test_a_post_whose_connection_broke_after_sending_is_never_resent() -> None:
    def broken(request: Request) -> Response:
        raise TransportError("reset by peer", sent=True)

    async with session(broken) as crm:
        with pytest.raises(APIConnectionError) as info:
            await crm.contacts.create(Contact(first_name="Ada"))
        assert info.value.outcome_unknown
        assert len(transport_of(crm).requests) == 1


async def test_a_post_that_never_left_is_retried() -> None:
    attempts: list[Request] = []

    def refused_once(request: Request) -> Response:
        attempts.append(request)
        if len(attempts) == 1:
            raise TransportError("connection refused", sent=False)
        return Response.with_json({"CONTACT_ID": 7, "FIRST_NAME": "Ada"}, status=201)

    async with session(refused_once) as crm:
        created = await crm.contacts.create(Contact(first_name="Ada"))
    assert created.contact_id == 7
    assert len(attempts) == 2


async def test_an_unresolved_host_is_retried_once_however_many_retries_are_allowed() -> None:
    def unknown(request: Request) -> Response:
        raise TransportError("cannot resolve the host name", sent=False, host_unknown=True)

    async with session(unknown, max_retries=6) as crm:
        with pytest.raises(APIConnectionError) as info:
            await crm.contacts.get(42)
        assert info.value.host_unknown
        assert len(transport_of(crm).requests) == 2


async def test_a_host_that_resolves_on_the_second_try_answers() -> None:
    attempts: list[Request] = []

    def flaky_dns(request: Request) -> Response:
        attempts.append(request)
        if len(attempts) == 1:
            raise TransportError("cannot resolve the host name", sent=False, host_unknown=True)
        return contact(request)

    async with session(flaky_dns) as crm:
        assert (await crm.contacts.get(42)).contact_id == 42
    assert len(attempts) == 2


async def test_a_conditional_put_with_an_unknown_outcome_is_not_resent() -> None:
    def broken(request: Request) -> Response:
        raise TransportError("timed out", sent=True, timeout=True)

    async with session(broken) as crm:
        with pytest.raises(APIConnectionError) as info:
            await crm.contacts.update(42, {"first_name": "Ada"}, if_match='"v1"')
        assert info.value.outcome_unknown
        assert len(transport_of(crm).requests) == 1


async def test_malformed_json_is_retried_for_a_read_only() -> None:
    async with session(lambda request: Response(200, {}, b"{oops"), max_retries=2) as crm:
        with pytest.raises(MalformedResponseError):
            await crm.contacts.get(42)
        assert len(transport_of(crm).requests) == 3
        transport_of(crm).requests.clear()
        with pytest.raises(MalformedResponseError):
            await crm.contacts.create(Contact(first_name="Ada"))
        assert len(transport_of(crm).requests) == 1


async def test_a_spent_allowance_is_never_retried() -> None:
    spent = Response(429, {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0"}, b"")
    async with session(lambda request: spent) as crm:
        with pytest.raises(QuotaExhaustedError) as info:
            await crm.contacts.get(42)
        assert info.value.limit == 1000
        assert len(transport_of(crm).requests) == 1


async def test_an_async_handler_works_too() -> None:
    async def handler(request: Request) -> Response:
        return contact(request)

    async with InsightlySession(KEY, pod="na1", transport=MockTransport(handler)) as crm:
        assert (await crm.contacts.get(42)).first_name == "Ada"


async def test_a_handler_that_returns_something_else_is_a_clear_error() -> None:
    async with session(lambda request: {"CONTACT_ID": 1}) as crm:  # type: ignore[arg-type,return-value]
        with pytest.raises(TypeError, match="transport Response"):
            await crm.contacts.get(1)


async def test_transport_and_session_are_exclusive() -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(ValidationError) as info:
            InsightlySession(KEY, pod="na1", session=http, transport=MockTransport(contact))
    assert info.value.field == "transport"


def test_something_that_is_no_transport_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession(KEY, pod="na1", transport=object())  # type: ignore[arg-type]
    assert info.value.field == "transport"
