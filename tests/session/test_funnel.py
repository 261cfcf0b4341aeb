"""The request funnel against the emulator's faults: what is retried, what never is."""

from __future__ import annotations

import asyncio

import pytest
from session_support import SessionFactory

from insightly_async import (
    APIConnectionError,
    Contact,
    MalformedResponseError,
    QuotaExhaustedError,
    RateLimitError,
    ServerError,
)
from insightly_async.testing import FakeInsightly

pytest_plugins = ["session_fixtures"]


async def _a_contact(fake: FakeInsightly) -> int:
    return fake.seed({"contacts": 1})["contacts"][0]


async def test_transient_5xx_are_retried_until_success(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = await _a_contact(fake)
    crm = make_session(max_retries=3)
    fault = fake.faults.add("status", status=503, method="GET", path="/Contacts/*", times=3)
    contact = await crm.contacts.get(contact_id)
    assert contact.contact_id == contact_id
    assert fault.hits == 3
    assert [e.status for e in fake.log.filter("GET", "/Contacts/*")] == [503, 503, 503, 200]


async def test_retries_stop_at_max_retries(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = await _a_contact(fake)
    crm = make_session(max_retries=2)
    fake.faults.add("status", status=502, method="GET", path="/Contacts/*")
    with pytest.raises(ServerError) as info:
        await crm.contacts.get(contact_id)
    assert info.value.status == 502
    assert len(fake.log.filter("GET", "/Contacts/*")) == 3  # the first attempt + 2 retries


async def test_an_html_error_page_is_a_server_error_with_the_text(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = await _a_contact(fake)
    crm = make_session(max_retries=0)
    fake.faults.add("html_error", status=500, path="/Contacts/*")
    with pytest.raises(ServerError) as info:
        await crm.contacts.get(contact_id)
    assert isinstance(info.value.body, str)
    assert "<" in info.value.body


async def test_a_dropped_get_is_retried_through_the_funnel(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = await _a_contact(fake)
    crm = make_session()
    await crm.contacts.get(contact_id)  # a kept-alive connection to drop next
    fake.log.clear()
    fake.faults.add("drop_before", method="GET", path="/Contacts/*", times=1)
    assert (await crm.contacts.get(contact_id)).contact_id == contact_id
    assert [e.status for e in fake.log] == [None, 200]


async def test_aiohttp_never_resends_behind_the_funnels_back(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    # aiohttp resends an idempotent request once when a kept-alive connection drops
    # (aio-libs/aiohttp#10790). With no retries allowed, exactly one request may arrive.
    contact_id = await _a_contact(fake)
    crm = make_session(max_retries=0)
    await crm.contacts.get(contact_id)
    fake.log.clear()
    fake.faults.add("drop_before", method="GET", path="/Contacts/*", times=1)
    with pytest.raises(APIConnectionError) as info:
        await crm.contacts.get(contact_id)
    assert not info.value.outcome_unknown  # a read has no outcome to worry about
    assert len(fake.log) == 1


async def test_a_put_dropped_after_it_was_applied_is_not_resent_by_aiohttp(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = await _a_contact(fake)
    crm = make_session(max_retries=0)
    await crm.contacts.get(contact_id)
    fake.log.clear()
    fake.faults.add("drop_after", method="PUT", path="/Contacts", times=1)
    with pytest.raises(APIConnectionError) as info:
        await crm.contacts.update(contact_id, {"background": "once"})
    assert info.value.outcome_unknown
    assert len(fake.log.filter("PUT")) == 1
    assert fake.store.table("contacts")[contact_id]["BACKGROUND"] == "once"


async def test_a_plain_put_with_unknown_outcome_is_retried(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    # Re-sending the same partial update sets the same values: safe.
    contact_id = await _a_contact(fake)
    crm = make_session()
    fake.faults.add("drop_after", method="PUT", path="/Contacts", times=1)
    updated = await crm.contacts.update(contact_id, {"background": "twice is fine"})
    assert updated.background == "twice is fine"
    assert [e.status for e in fake.log.filter("PUT")] == [None, 200]


async def test_a_post_that_may_have_been_applied_is_never_resent(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session(max_retries=5)
    before = len(fake.store.table("contacts").ids)
    fake.faults.add("drop_after", method="POST", path="/Contacts", times=1)
    with pytest.raises(APIConnectionError) as info:
        await crm.contacts.create(Contact(first_name="Ada"))
    assert info.value.outcome_unknown
    assert "may have been applied" in str(info.value)
    assert len(fake.log.filter("POST", "/Contacts")) == 1
    assert len(fake.store.table("contacts").ids) == before + 1  # it was, in fact, created


async def test_a_post_refused_by_the_limiter_is_resent(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session()
    fake.faults.add("status", status=503, method="POST", path="/Contacts", times=1)
    created = await crm.contacts.create(Contact(first_name="Grace"))
    assert created.first_name == "Grace"
    assert [e.status for e in fake.log.filter("POST")] == [503, 201]


async def test_a_post_answered_500_is_not_resent(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session()
    fake.faults.add("status", status=500, method="POST", path="/Contacts", times=1)
    with pytest.raises(ServerError):
        await crm.contacts.create(Contact(first_name="Grace"))
    assert len(fake.log.filter("POST")) == 1


async def test_malformed_json_on_a_read_is_retried(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    contact_id = await _a_contact(fake)
    crm = make_session()
    fake.faults.add("malformed_json", method="GET", path="/Contacts/*", times=1)
    assert (await crm.contacts.get(contact_id)).contact_id == contact_id
    assert len(fake.log.filter("GET", "/Contacts/*")) == 2


async def test_malformed_json_on_a_write_raises_with_the_raw_text(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session()
    fake.faults.add("malformed_json", method="POST", path="/Contacts", times=1)
    with pytest.raises(MalformedResponseError) as info:
        await crm.contacts.create(Contact(first_name="Katherine"))
    assert info.value.status == 201
    assert "Katherine" in info.value.text
    assert len(fake.log.filter("POST")) == 1


async def test_per_second_429s_are_retried_honouring_retry_after() -> None:
    async with FakeInsightly(seed=1, rate_limit=2, rate_window=1.0, retry_after=1) as fake:
        from session_support import FAST_BACKOFF

        from insightly_async import InsightlySession

        async with InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, rate=1000, backoff=FAST_BACKOFF
        ) as crm:
            await crm.users.me()
            await crm.users.me()
            await crm.users.me()  # the window is full: 429, Retry-After: 1, then success
        statuses = [e.status for e in fake.log]
        assert statuses == [200, 200, 429, 200]
        refused, retried = fake.log[2], fake.log[3]
        assert retried.arrival - refused.arrival >= 0.95


async def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    async with FakeInsightly(seed=1, rate_limit=1, rate_window=1.0, retry_after=600) as fake:
        from insightly_async import InsightlySession
        from insightly_async._sansio import Backoff

        async with InsightlySession(
            api_key=fake.api_key,
            base_url=fake.base_url,
            rate=1000,
            backoff=Backoff(base=0.01, max_retry_after=5),
        ) as crm:
            await crm.users.me()
            with pytest.raises(RateLimitError) as info:
                await crm.users.me()
        assert info.value.retry_after == 600
        assert len(fake.log) == 2


async def test_a_spent_daily_allowance_stops_everything_at_once(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session(max_retries=5)
    fake.set_remaining(0)
    with pytest.raises(QuotaExhaustedError) as info:
        await crm.users.me()
    assert info.value.remaining == 0
    assert info.value.limit == 100_000
    assert len(fake.log) == 1  # not retried
    with pytest.raises(QuotaExhaustedError):
        await crm.users.me()
    assert len(fake.log) == 1  # and nothing more is sent while it is known to be spent
    assert crm.quota.exhausted


async def test_callers_waiting_on_the_pacer_send_nothing_once_the_allowance_is_spent(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    # At 2/s the second request waits half a second for its slot: long after the first
    # one's 429 with Remaining 0 has come back.
    crm = make_session(rate=2.0, max_in_flight=10)
    fake.set_remaining(0)
    results = await asyncio.gather(*(crm.users.me() for _ in range(10)), return_exceptions=True)
    assert all(isinstance(result, QuotaExhaustedError) for result in results)
    assert len(fake.log) == 1


async def test_the_reserve_stops_before_crossing_it(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session(quota_reserve=5)
    fake.set_remaining(8)
    await crm.users.me()  # leaves 7
    await crm.users.me()  # leaves 6
    await crm.users.me()  # leaves 5: the reserve is intact
    with pytest.raises(QuotaExhaustedError) as info:
        await crm.users.me()  # would leave 4
    assert info.value.reserve == 5
    assert info.value.remaining == 5
    assert len(fake.log) == 3
    assert fake.remaining == 5


async def test_requests_in_flight_count_against_the_reserve(
    make_session: SessionFactory,
) -> None:
    import asyncio

    from insightly_async.testing import FakeInsightly as Fake

    async with Fake(seed=2, rate_limit=None, latency=0.2) as slow:
        crm = make_session(api_key=slow.api_key, base_url=slow.base_url, quota_reserve=2)
        await crm.users.me()
        slow.set_remaining(6)
        await crm.users.me()  # the session now knows: 5 left
        results = await asyncio.gather(*(crm.users.me() for _ in range(6)), return_exceptions=True)
        sent = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, QuotaExhaustedError)]
        assert len(sent) == 3
        assert len(refused) == 3
        assert slow.remaining == 2
