"""Configuring a session, its lifecycle, and keeping the API key secret."""

from __future__ import annotations

import base64
import logging

import aiohttp
import pytest
from session_support import SessionFactory

from insightly_async import (
    APIConnectionError,
    AuthenticationError,
    Contact,
    InsightlySession,
    NotFoundError,
    Pacer,
    ServerError,
    SessionClosedError,
    ValidationError,
)
from insightly_async.testing import FakeInsightly

pytest_plugins = ["session_fixtures"]

SECRET = "s3cr3t-api-key-0123456789"


def test_pod_builds_the_documented_base_url() -> None:
    crm = InsightlySession(api_key=SECRET, pod="eu1")
    assert crm.base_url == "https://api.eu1.insightly.com/v3.1"


@pytest.mark.parametrize(
    "pod", ["", "NA1", "na", "na123", "evil.com/x", "na1.evil.com", "na1/../x", "na1 ", 1]
)
def test_a_pod_that_could_change_the_host_is_refused(pod: object) -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession(api_key=SECRET, pod=pod)  # type: ignore[arg-type]
    assert info.value.field == "pod"


@pytest.mark.parametrize(
    "url",
    [
        "http://api.na1.insightly.com/v3.1",
        "http://10.0.0.5/v3.1",
        "ftp://127.0.0.1/v3.1",
        "https://user:pw@api.na1.insightly.com/v3.1",
        "https://api.na1.insightly.com/v3.1?x=1",
        "/v3.1",
    ],
)
def test_unsafe_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession(api_key=SECRET, base_url=url)
    assert info.value.field == "base_url"


@pytest.mark.parametrize(
    "url", ["http://localhost:8765/v3.1", "http://127.0.0.9/v3.1", "http://[::1]:1/v3.1/"]
)
def test_plain_http_is_allowed_to_loopback(url: str) -> None:
    assert InsightlySession(api_key=SECRET, base_url=url).base_url == url.rstrip("/")


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSIGHTLY_API_KEY", SECRET)
    monkeypatch.setenv("INSIGHTLY_POD", "au1")
    assert InsightlySession().base_url == "https://api.au1.insightly.com/v3.1"
    monkeypatch.setenv("INSIGHTLY_BASE_URL", "http://127.0.0.1:9/v3.1")
    assert InsightlySession().base_url == "http://127.0.0.1:9/v3.1"
    # Explicit arguments beat the environment.
    assert InsightlySession(pod="na1").base_url == "https://api.na1.insightly.com/v3.1"


def test_missing_key_and_missing_pod_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INSIGHTLY_API_KEY", "INSIGHTLY_POD", "INSIGHTLY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError) as info:
        InsightlySession(pod="na1")
    assert info.value.field == "api_key"
    with pytest.raises(ValidationError) as info:
        InsightlySession(api_key=SECRET)
    assert info.value.field == "pod"


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_in_flight", 0),
        ("max_in_flight", True),
        ("max_retries", -1),
        ("timeout", 0),
        ("timeout", "10"),
        ("quota_reserve", -5),
        ("rate", 0),
    ],
)
def test_bad_options_are_refused_by_name(option: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession(api_key=SECRET, pod="na1", **{option: value})  # type: ignore[arg-type]
    assert info.value.field == option


def test_rate_and_a_shared_limiter_do_not_mix() -> None:
    with pytest.raises(ValidationError) as info:
        InsightlySession(api_key=SECRET, pod="na1", rate=5, limiter=Pacer(5))
    assert info.value.field == "rate"


def test_repr_never_shows_the_key() -> None:
    crm = InsightlySession(api_key=SECRET, pod="na1")
    encoded = base64.b64encode(f"{SECRET}:".encode()).decode()
    for text in (repr(crm), str(crm), repr(crm.quota), repr(crm.limiter), repr(crm.contacts)):
        assert SECRET not in text
        assert encoded not in text
    assert SECRET not in repr(vars(crm))


async def test_the_key_never_reaches_logs_or_errors(
    fake: FakeInsightly, make_session: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="insightly_async")
    crm = make_session()
    me = await crm.users.me()
    with pytest.raises(NotFoundError) as missing:
        await crm.contacts.get(999_999_999)
    wrong = make_session(api_key=SECRET)
    with pytest.raises(AuthenticationError) as denied:
        await wrong.users.me()
    texts = [caplog.text, str(missing.value), repr(missing.value), str(denied.value)]
    texts += [repr(denied.value.headers), repr(vars(denied.value)), repr(me)]
    for key in (fake.api_key, SECRET):
        encoded = base64.b64encode(f"{key}:".encode()).decode()
        for text in texts:
            assert key not in text
            assert encoded not in text
    # The funnel did log: one line per request, with the path and the status.
    assert "GET /v3.1/Users/Me -> 200" in caplog.text
    assert "-> 401" in caplog.text


async def test_an_attempt_without_an_answer_has_its_log_line_too(
    fake: FakeInsightly, make_session: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="insightly_async")
    crm = make_session()
    fake.faults.add("drop_before", method="POST", path="/Contacts")
    with pytest.raises(APIConnectionError):
        await crm.contacts.create(Contact(first_name="Ada"))
    assert "POST /v3.1/Contacts -> no answer (attempt 1," in caplog.text


async def test_use_after_close_is_a_clear_error(make_session: SessionFactory) -> None:
    crm = make_session()
    await crm.users.me()
    await crm.aclose()
    await crm.aclose()  # closing twice is fine
    assert crm.closed
    with pytest.raises(SessionClosedError, match="closed"):
        await crm.users.me()
    with pytest.raises(RuntimeError):  # SessionClosedError is also a RuntimeError
        await crm.contacts.get(1)


async def test_a_caller_owned_aiohttp_session_is_used_but_not_closed(
    fake: FakeInsightly,
) -> None:
    async with aiohttp.ClientSession() as http:
        async with InsightlySession(
            api_key=fake.api_key, base_url=fake.base_url, session=http
        ) as crm:
            me = await crm.users.me()
            assert me.user_id is not None
        assert not http.closed
        async with http.get(fake.url("/Users/Me")) as response:
            assert response.status == 401  # our session's credentials did not leak into it


async def test_a_caller_session_that_raises_for_status_changes_nothing(
    fake: FakeInsightly,
) -> None:
    async with aiohttp.ClientSession(raise_for_status=True) as http:
        async with InsightlySession(
            api_key="wrong-key", base_url=fake.base_url, session=http
        ) as crm:
            with pytest.raises(AuthenticationError):
                await crm.users.me()
        assert len(fake.log) == 1  # an answer, not a connection error to retry


class _NoSuchHost(aiohttp.abc.AbstractResolver):
    """A resolver that knows no name, as for a mistyped pod: no DNS is asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: int = 0
    ) -> list[aiohttp.abc.ResolveResult]:
        self.asked.append(host)
        raise OSError(-2, "Name or service not known")

    async def close(self) -> None:
        return None


async def test_a_host_that_does_not_resolve_is_named_and_asked_about_twice_only() -> None:
    resolver = _NoSuchHost()
    connector = aiohttp.TCPConnector(resolver=resolver)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        InsightlySession(api_key=SECRET, pod="na9", session=http, max_retries=5) as crm,
    ):
        with pytest.raises(APIConnectionError) as info:
            await crm.contacts.create(Contact(first_name="Ada"))
    assert info.value.host_unknown
    assert not info.value.outcome_unknown  # nothing was sent: the create can be retried
    assert "api.na9.insightly.com" in str(info.value)
    assert SECRET not in str(info.value)
    assert resolver.asked == ["api.na9.insightly.com"] * 2  # not five retries with backoff


async def test_with_options_shares_the_pool_and_overrides_retries(
    fake: FakeInsightly, make_session: SessionFactory
) -> None:
    crm = make_session(max_retries=5)
    strict = crm.with_options(max_retries=0, timeout=5)
    assert strict.max_retries == 0
    assert strict.timeout.total == 5
    assert crm.max_retries == 5
    assert strict.quota is crm.quota
    assert strict.limiter is crm.limiter
    fake.faults.add("status", status=503, path="/Users/Me", times=1)
    with pytest.raises(ServerError) as info:
        await strict.users.me()
    assert info.value.status == 503
    fake.faults.add("status", status=503, path="/Users/Me", times=1)
    assert (await crm.users.me()).user_id is not None
    async with crm.with_options(timeout=9) as view:
        await view.users.me()
    await view.aclose()
    assert not crm.closed  # closing a view leaves its session open
    assert (await crm.users.me()).user_id is not None
    await crm.aclose()
    assert strict.closed  # a view shares its session's lifecycle


async def test_async_with_returns_an_open_session(fake: FakeInsightly) -> None:
    async with InsightlySession(api_key=fake.api_key, base_url=fake.base_url) as crm:
        assert not crm.closed
        assert (crm.quota.limit, crm.quota.remaining) == (None, None)  # nothing heard yet
        await crm.users.me()
        assert crm.quota.limit == 100_000
        assert crm.quota.remaining is not None
        assert crm.quota.remaining < 100_000
    assert _closed(crm)


def _closed(crm: InsightlySession) -> bool:
    # A call, so that the type checker does not carry the narrowing of `crm.closed` over.
    return crm.closed
