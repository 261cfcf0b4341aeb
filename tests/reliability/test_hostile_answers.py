"""Whatever the server answers and whatever the caller passes, only InsightlyErrors escape.

Each case here once broke that promise: a header value with a line break, an answer of the
wrong shape, JSON nested thousands deep, an answer larger than memory, an absurd quota
header, a fetch-ahead of 100,000 pages.
"""

from __future__ import annotations

import asyncio
import sys
import tracemalloc
from collections.abc import AsyncIterator, Callable

import pytest

from insightly_async import (
    InsightlyError,
    InsightlySession,
    MalformedResponseError,
    ValidationError,
)
from insightly_async._sansio import Backoff
from insightly_async.testing import MockTransport
from insightly_async.transport import Request, Response

FAST = Backoff(base=0.001, cap=0.002)


def session(handler: Callable[[Request], Response], **options: object) -> InsightlySession:
    return InsightlySession(
        "key",
        pod="na1",
        transport=MockTransport(handler),
        rate=1000.0,
        backoff=FAST,
        **options,  # type: ignore[arg-type]
    )


def sent(crm: InsightlySession) -> list[Request]:
    transport = crm._client.transport
    assert isinstance(transport, MockTransport)
    return transport.requests


def contact(request: Request) -> Response:
    return Response.with_json({"CONTACT_ID": 42, "FIRST_NAME": "Ada"})


# --- values that reach a header -----------------------------------------------------------


@pytest.mark.parametrize("if_match", ['"a"\r\nX-Injected: 1', '"a"\n', "\x00", "", 5, b'"a"'])
async def test_an_unsendable_if_match_is_refused_before_anything_is_sent(if_match: object) -> None:
    async with session(contact) as crm:
        with pytest.raises(ValidationError) as info:
            await crm.contacts.update(42, {"first_name": "Ada"}, if_match=if_match)  # type: ignore[arg-type]
        assert info.value.field == "if_match"
        assert "\r" not in str(info.value)
        assert "\n" not in str(info.value)
        assert sent(crm) == []


# --- answers of the wrong shape -------------------------------------------------------------


@pytest.mark.parametrize("body", [[], "a string", None, 42, [1, 2], [{"CONTACT_ID": 1}] * 2])
async def test_a_get_answered_with_the_wrong_shape_is_a_malformed_response(body: object) -> None:
    async with session(lambda request: Response.with_json(body), max_retries=0) as crm:
        with pytest.raises(MalformedResponseError) as info:
            await crm.contacts.get(42)
    assert info.value.status == 200


@pytest.mark.parametrize("body", [{"CONTACT_ID": 1}, "text", [1, 2, 3], [{"CONTACT_ID": 1}, 7]])
async def test_a_list_answered_with_anything_but_objects_is_a_malformed_response(
    body: object,
) -> None:
    async with session(lambda request: Response.with_json(body), max_retries=0) as crm:
        with pytest.raises(MalformedResponseError):
            await crm.contacts.list(raw=True).to_list()


async def test_json_nested_five_thousand_deep_is_a_malformed_response() -> None:
    deep = b"[" * 5000 + b"]" * 5000
    async with session(lambda request: Response(200, {}, deep), max_retries=0) as crm:
        with pytest.raises(MalformedResponseError, match="nested too deep"):
            await crm.contacts.get(42)


async def test_an_error_page_nested_too_deep_is_still_a_status_error() -> None:
    deep = b"{" + b'"a":{' * 5000 + b"}" * 5001
    async with session(lambda request: Response(400, {}, deep)) as crm:
        with pytest.raises(InsightlyError) as info:
            await crm.contacts.get(42)
    assert getattr(info.value, "status", None) == 400


# --- answers larger than memory should hold -------------------------------------------------

BIG = 48 * 1024 * 1024
LIMIT = 1024 * 1024


# A server whose answers are 48 MiB of JSON, with a Content-Length (/Contacts) or chunked
# (/Leads). It runs in a process of its own, so that its memory is not the test's.
_HUGE_SERVER = """
import asyncio, sys
from aiohttp import web

BIG = int(sys.argv[1])
BODY = b"[" + b" " * (BIG - 2) + b"]"

async def declared(request):
    return web.Response(body=BODY, content_type="application/json")

async def chunked(request):
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk = b" " * (1024 * 1024)
    try:
        await response.write(b"[")
        for _ in range(BIG // len(chunk)):
            await response.write(chunk)
        await response.write(b"]")
    except (ConnectionResetError, RuntimeError):
        pass
    return response

async def main():
    app = web.Application()
    app.router.add_get("/v3.1/Contacts", declared)
    app.router.add_get("/v3.1/Leads", chunked)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.fixture
async def huge_server() -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HUGE_SERVER, str(BIG), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        port = int(await asyncio.wait_for(process.stdout.readline(), 30))
        yield f"http://127.0.0.1:{port}/v3.1"
    finally:
        process.kill()
        await process.wait()


@pytest.mark.parametrize("type_name", ["contacts", "leads"])  # with Content-Length, chunked
async def test_an_answer_above_the_limit_stops_being_read(huge_server: str, type_name: str) -> None:
    async with InsightlySession(
        "key", base_url=huge_server, max_response_bytes=LIMIT, max_retries=0
    ) as crm:
        tracemalloc.start()
        try:
            with pytest.raises(MalformedResponseError, match="larger than") as info:
                await crm.resource(type_name).list(raw=True).to_list()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.status == 200
    assert peak < 8 * LIMIT  # not the 48 MiB answer, let alone two copies of it


def test_the_answer_limit_is_validated() -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession("key", pod="na1", max_response_bytes=0)
    assert info.value.field == "max_response_bytes"


# --- fetching ahead --------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [0, 65, 100_000])
def test_fetch_ahead_is_bounded(concurrency: int) -> None:
    crm = InsightlySession("key", pod="na1", transport=MockTransport(contact))
    with pytest.raises(ValidationError) as info:
        crm.contacts.list(concurrency=concurrency)
    assert info.value.field == "concurrency"


# --- absurd quota headers ----------------------------------------------------------------------


async def test_a_negative_remaining_count_is_ignored_not_believed() -> None:
    answers = iter(
        [
            {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "500"},
            {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "-5"},
            {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "498"},
        ]
    )

    def handler(request: Request) -> Response:
        return Response.with_json({"CONTACT_ID": 42}, headers=next(answers))

    async with session(handler, quota_reserve=10) as crm:
        await crm.contacts.get(42)
        await crm.contacts.get(42)
        assert crm.quota.remaining == 500  # -5 says nothing
        await crm.contacts.get(42)  # ...and blocks nothing
        assert crm.quota.remaining == 498
        assert len(sent(crm)) == 3


# --- names that reach a path ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "a/b", "Hobby__c?x=1", "9lives", "x" * 200, 5])
async def test_a_custom_field_name_is_validated_like_the_other_names(name: object) -> None:
    async with session(contact) as crm:
        with pytest.raises(ValidationError) as info:
            await crm.custom_fields.get("Contacts", name)  # type: ignore[arg-type]
        assert info.value.field == "field_name"
        assert sent(crm) == []


@pytest.mark.parametrize("name", ["Hobby__c", "CONTACT_FIELD_3"])
async def test_both_custom_field_name_forms_are_sent(name: str) -> None:
    async with session(lambda request: Response.with_json([])) as crm:
        assert await crm.custom_fields.get("Contacts", name) is None
        (request,) = sent(crm)
    assert request.params == {"fieldName": name}
