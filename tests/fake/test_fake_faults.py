"""Injected faults: statuses, latency, dropped connections, broken bodies, concurrent edits."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import aiohttp
import pytest
from fake_support import Api, StartFake, api_for, basic

from insightly_async.testing import FakeInsightly

pytest_plugins = ["fake_fixtures"]


@pytest.fixture(autouse=True)
def _no_server_errors(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert errors == [], [r.getMessage() for r in errors]


async def test_status_fault_with_times_and_hits(api: Api) -> None:
    fault = api.fake.faults.add("status", status=503, method="GET", path="/Contacts*", times=2)
    assert [(await api.get("/Contacts")).status for _ in range(3)] == [503, 503, 200]
    assert fault.hits == 2
    assert fault.exhausted
    assert (await api.get("/Organisations")).status == 200
    statuses = [entry.status for entry in api.fake.log]
    faults = [entry.fault for entry in api.fake.log]
    assert statuses == [503, 503, 200, 200]
    assert faults == ["status", "status", None, None]


async def test_status_fault_body_and_nothing_applied(api: Api) -> None:
    api.fake.faults.add("status", status=500, method="POST", path="/Contacts")
    reply = await api.post("/Contacts", {"FIRST_NAME": "x"})
    assert reply.status == 500
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Message" in reply.body
    assert "X-RateLimit-Remaining" in reply.headers
    assert api.fake.store.count("contacts") == 0


async def test_status_fault_without_status_picks_a_gateway_error(api: Api) -> None:
    api.fake.faults.add("status", path="/Instance")
    seen = {(await api.get("/Instance")).status for _ in range(40)}
    assert seen == {500, 502, 503, 504}


async def test_rate_is_a_seeded_probability(
    start_fake: StartFake, session: aiohttp.ClientSession
) -> None:
    runs = []
    for _ in range(2):
        api = api_for(await start_fake(seed=11), session)
        fault = api.fake.faults.add("status", status=502, rate=0.3)
        runs.append([(await api.get("/Instance")).status for _ in range(60)])
        assert fault.hits == runs[-1].count(502)
    assert runs[0] == runs[1]
    assert 5 <= runs[0].count(502) <= 35


async def test_method_and_path_filters(api: Api) -> None:
    api.fake.faults.add("status", status=504, method="put", path="/Contacts")
    assert (await api.get("/Contacts")).status == 200
    assert (await api.put("/Contacts", {"CONTACT_ID": 1})).status == 504
    assert (await api.put("/Organisations", {"ORGANISATION_ID": 1})).status == 404


async def test_html_error(api: Api) -> None:
    fault = api.fake.faults.add("html_error", times=1)
    reply = await api.get("/Instance")
    assert reply.status == 500
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<html>" in reply.text
    assert fault.hits == 1
    custom = api.fake.faults.add("html_error", status=502, times=1)
    assert (await api.get("/Instance")).status == 502
    assert custom.hits == 1


async def test_latency_fault(api: Api) -> None:
    api.fake.faults.add("latency", delay=0.15, jitter=0.05, path="/Instance", times=1)
    started = time.perf_counter()
    await api.get("/Instance")
    assert time.perf_counter() - started >= 0.095
    started = time.perf_counter()
    await api.get("/Instance")
    assert time.perf_counter() - started < 0.095


async def test_latency_option(start_fake: StartFake, session: aiohttp.ClientSession) -> None:
    api = api_for(await start_fake(latency=0.12), session)
    started = time.perf_counter()
    await api.get("/Instance")
    assert time.perf_counter() - started >= 0.11


async def test_latency_combines_with_an_outcome_fault(api: Api) -> None:
    latency = api.fake.faults.add("latency", delay=0.01)
    status = api.fake.faults.add("status", status=503)
    assert (await api.get("/Instance")).status == 503
    assert (latency.hits, status.hits) == (1, 1)


async def test_drop_before_applies_nothing(api: Api) -> None:
    fault = api.fake.faults.add("drop_before", method="POST", path="/Contacts", times=1)
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.post("/Contacts", {"FIRST_NAME": "Ada"})
    assert fault.hits == 1
    assert api.fake.store.count("contacts") == 0
    [entry] = api.fake.log.filter("POST", "/Contacts")
    assert entry.status is None
    assert entry.fault == "drop_before"
    assert entry.body == {"FIRST_NAME": "Ada"}
    assert (await api.post("/Contacts", {"FIRST_NAME": "Ada"})).status == 201
    assert api.fake.store.count("contacts") == 1


async def test_drop_after_applies_the_write(api: Api) -> None:
    created = await api.post("/Contacts", {"FIRST_NAME": "Ada"})
    record_id = created.body["CONTACT_ID"]
    api.fake.faults.add("drop_after", method="PUT", path="/Contacts", times=1)
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.put("/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "Lovelace"})
    stored = api.fake.store.get("contacts", record_id)
    assert stored is not None
    assert stored["LAST_NAME"] == "Lovelace"
    assert api.fake.log[-1].status is None
    assert api.fake.log[-1].fault == "drop_after"


async def test_aiohttp_resends_a_dropped_idempotent_request(api: Api) -> None:
    # The hazard the SDK must defend against: by default aiohttp sends an idempotent
    # request again when the connection closes without an answer, so the emulator sees
    # it twice and the caller never learns of the first attempt.
    api.fake.faults.add("drop_before", method="GET", path="/Instance", times=1)
    async with aiohttp.ClientSession() as plain:
        headers = {"Authorization": basic(api.key)}
        async with plain.get(api.fake.url("/Instance"), headers=headers) as reply:
            assert reply.status == 200
    assert [e.status for e in api.fake.log.filter("GET", "/Instance")] == [None, 200]


async def test_malformed_json_after_applying(api: Api) -> None:
    fault = api.fake.faults.add("malformed_json", method="POST", times=1)
    reply = await api.call(
        "POST",
        "/Contacts",
        data=json.dumps({"FIRST_NAME": "Ada"}),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 201
    with pytest.raises(ValueError):  # noqa: PT011
        json.loads(reply.text)
    assert fault.hits == 1
    assert api.fake.store.count("contacts") == 1
    listed = await api.get("/Contacts")
    assert len(listed.body) == 1


async def test_malformed_json_on_an_empty_body(api: Api) -> None:
    created = await api.post("/Contacts", {"FIRST_NAME": "Ada"})
    api.fake.faults.add("malformed_json", method="DELETE")
    reply = await api.delete(f"/Contacts/{created.body['CONTACT_ID']}")
    assert reply.status == 202
    with pytest.raises(ValueError):  # noqa: PT011
        json.loads(reply.text)


async def test_a_stale_page_leaves_its_middle_record_out_but_not_the_total(api: Api) -> None:
    ids = api.fake.seed({"contacts": 5})["contacts"]
    fault = api.fake.faults.add("stale_page", method="GET", path="/Contacts", times=1)
    stale = await api.get("/Contacts", params={"count_total": "true"})
    assert [r["CONTACT_ID"] for r in stale.body] == ids[:2] + ids[3:]
    assert stale.headers["X-Total-Count"] == "5"
    assert stale.body[0] == api.fake.store.get("contacts", ids[0])
    assert fault.hits == 1
    fresh = await api.get("/Contacts")
    assert [r["CONTACT_ID"] for r in fresh.body] == ids


async def test_a_stale_page_leaves_short_answers_and_single_records_alone(api: Api) -> None:
    ids = api.fake.seed({"contacts": 2})["contacts"]
    api.fake.faults.add("stale_page", method="GET", path="/Contacts*")
    assert [r["CONTACT_ID"] for r in (await api.get("/Contacts")).body] == ids
    assert (await api.get(f"/Contacts/{ids[0]}")).body["CONTACT_ID"] == ids[0]


async def test_concurrent_edit_moves_the_etag_before_the_put(api: Api) -> None:
    created = await api.post("/Contacts", {"FIRST_NAME": "Ada", "TITLE": "Ms"})
    record_id = created.body["CONTACT_ID"]
    etag = created.headers["ETag"]
    fault = api.fake.faults.add(
        "concurrent_edit",
        method="PUT",
        path="/Contacts",
        times=1,
        edit=lambda record: {"TITLE": record["TITLE"] + " (edited)"},
    )
    stale = await api.put(
        "/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "L"}, headers={"If-Match": etag}
    )
    assert stale.status == 400
    assert fault.hits == 1
    stored = api.fake.store.get("contacts", record_id)
    assert stored is not None
    assert stored["TITLE"] == "Ms (edited)"
    assert stored["LAST_NAME"] is None
    fresh = (await api.get(f"/Contacts/{record_id}")).headers["ETag"]
    ok = await api.put(
        "/Contacts", {"CONTACT_ID": record_id, "LAST_NAME": "L"}, headers={"If-Match": fresh}
    )
    assert ok.status == 200
    assert ok.body["TITLE"] == "Ms (edited)"


async def test_concurrent_edit_without_changes_still_moves_the_etag(api: Api) -> None:
    created = await api.post("/Contacts", {"FIRST_NAME": "Ada"})
    record_id = created.body["CONTACT_ID"]
    api.fake.faults.add("concurrent_edit", times=1)
    reply = await api.put(
        "/Contacts", {"CONTACT_ID": record_id}, headers={"If-Match": created.headers["ETag"]}
    )
    assert reply.status == 400


async def test_clear_and_remove(api: Api) -> None:
    first = api.fake.faults.add("status", status=503)
    api.fake.faults.add("status", status=500)
    api.fake.faults.remove(first)
    assert (await api.get("/Instance")).status == 500
    api.fake.faults.clear()
    assert len(api.fake.faults) == 0
    assert (await api.get("/Instance")).status == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "explode"},
        {"kind": "status", "rate": 1.5},
        {"kind": "status", "times": -1},
        {"kind": "status", "status": 200},
        {"kind": "latency", "status": 500},
        {"kind": "status", "delay": 1.0},
        {"kind": "latency", "delay": -1.0},
        {"kind": "drop_before", "edit": lambda r: r},
    ],
)
def test_bad_fault_arguments(bad: dict[str, Any]) -> None:
    fake = FakeInsightly()
    with pytest.raises(ValueError):  # noqa: PT011
        fake.faults.add(**bad)
