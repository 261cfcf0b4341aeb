"""The pure protocol functions: auth, URLs, validation, query and body dates, quota headers,
Retry-After, error messages, status -> exception, and the retry backoff."""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from insightly_async._sansio import (
    Backoff,
    auth_header,
    base_url_for,
    build_url,
    encode_query,
    error_message,
    make_status_error,
    parse_retry_after,
)

UTC = timezone.utc
CET = timezone(timedelta(hours=1))
BASE = "https://api.na1.insightly.com/v3.1"


def headers(**values: str) -> CIMultiDictProxy[str]:
    """Response headers as aiohttp hands them over (case-insensitive); ``_`` becomes ``-``."""
    return CIMultiDictProxy(CIMultiDict({k.replace("_", "-"): v for k, v in values.items()}))


# ---------------------------------------------------------------------------------------
# Authorization


def test_auth_header_is_basic_with_the_key_as_user_and_a_blank_password() -> None:
    key = "0123abcd-89ef-4567-aaaa-0123456789ab"
    value = auth_header(key)
    scheme, token = value.split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(token).decode() == f"{key}:"


def test_auth_header_ignores_surrounding_whitespace_of_a_pasted_key() -> None:
    assert auth_header("  abc123\n") == auth_header("abc123")


@pytest.mark.parametrize(
    "key",
    ["", "   ", "abc def", "abc\r\nX-Injected: 1", "abc\x00", "abc\tdef", "user:password"],
)
def test_auth_header_refuses_keys_that_cannot_be_a_basic_user(key: str) -> None:
    with pytest.raises(ValidationError) as info:
        auth_header(key)
    assert info.value.field == "api_key"


@pytest.mark.parametrize("key", ["s3cr3t-key-value", "  s3cr3t-key-value:x  "])
def test_auth_header_errors_do_not_echo_the_key(key: str) -> None:
    with pytest.raises(ValidationError) as info:
        auth_header(key + " tail")
    assert "s3cr3t" not in str(info.value)


def test_auth_header_refuses_a_non_string() -> None:
    with pytest.raises(ValidationError) as info:
        auth_header(12345)  # type: ignore[arg-type]
    assert info.value.field == "api_key"


# ---------------------------------------------------------------------------------------
# Base URL and pods


@pytest.mark.parametrize("pod", ["na1", "eu1", "aps1", "au1", "ab12", "abcd9"])
def test_pod_gives_the_documented_https_root(pod: str) -> None:
    assert base_url_for(pod=pod, base_url=None) == f"https://api.{pod}.insightly.com/v3.1"


@pytest.mark.parametrize(
    "pod",
    [
        "",
        "n1",  # one letter
        "abcde1",  # five letters
        "na",  # no digit
        "na123",  # three digits
        "NA1",
        "na1\n",
        "na1.evil.com",
        "evil.com/na1",
        "na1/",
        " na1",
    ],
)
def test_malformed_pods_are_refused(pod: str) -> None:
    with pytest.raises(ValidationError) as info:
        base_url_for(pod=pod, base_url=None)
    assert info.value.field == "pod"


def test_a_pod_or_a_base_url_is_required() -> None:
    with pytest.raises(ValidationError) as info:
        base_url_for(pod=None, base_url=None)
    assert info.value.field == "pod"


def test_pod_and_base_url_together_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        base_url_for(pod="na1", base_url="https://api.na1.insightly.com/v3.1")
    assert info.value.field == "base_url"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.na1.insightly.com/v3.1", "https://api.na1.insightly.com/v3.1"),
        ("https://api.na1.insightly.com/v3.1/", "https://api.na1.insightly.com/v3.1"),
        (
            "  https://proxy.example.com/insightly/v3.1  ",
            "https://proxy.example.com/insightly/v3.1",
        ),
        ("http://localhost:8765/v3.1", "http://localhost:8765/v3.1"),
        ("http://127.0.0.1:8765/v3.1/", "http://127.0.0.1:8765/v3.1"),
        ("http://127.45.6.7/v3.1", "http://127.45.6.7/v3.1"),
        ("http://[::1]:8765/v3.1", "http://[::1]:8765/v3.1"),
    ],
)
def test_base_url_accepts_https_anywhere_and_plain_http_to_loopback(
    given: str, expected: str
) -> None:
    assert base_url_for(pod=None, base_url=given) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://api.na1.insightly.com/v3.1",  # the key would travel in the clear
        "http://10.0.0.5:8765/v3.1",
        "http://192.168.1.1/v3.1",
        "http://0.0.0.0:8765/v3.1",
        "http://localhost.evil.com/v3.1",
        "http://127.0.0.1.nip.io/v3.1",
        "http://[::2]/v3.1",
    ],
)
def test_plain_http_to_anything_but_loopback_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="http") as info:
        base_url_for(pod=None, base_url=url)
    assert info.value.field == "base_url"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "api.na1.insightly.com/v3.1",  # no scheme
        "/v3.1",
        "ftp://api.na1.insightly.com/v3.1",
        "file:///etc/passwd",
        "https://user:pass@api.na1.insightly.com/v3.1",
        "https://key@api.na1.insightly.com/v3.1",
        "https://api.na1.insightly.com/v3.1?top=5",
        "https://api.na1.insightly.com/v3.1#frag",
    ],
)
def test_unusable_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        base_url_for(pod=None, base_url=url)
    assert info.value.field == "base_url"


def test_a_base_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(ValidationError) as info:
        base_url_for(pod=None, base_url="https://s3cr3t:hunter2@api.na1.insightly.com/v3.1")
    assert "hunter2" not in str(info.value)


# ---------------------------------------------------------------------------------------
# Ids, page sizes and paths


def test_build_url_joins_names_and_ids() -> None:
    assert build_url(BASE, "Contacts", 42, "Links") == f"{BASE}/Contacts/42/Links"
    assert build_url(BASE, "Fruit__c", 7) == f"{BASE}/Fruit__c/7"
    assert build_url(BASE) == BASE


@pytest.mark.parametrize("bad_id", [0, -5, True, False, 4.0])
def test_build_url_refuses_ids_that_are_not_positive_ints(bad_id: Any) -> None:
    with pytest.raises(ValidationError):
        build_url(BASE, "Contacts", bad_id)


@pytest.mark.parametrize(
    ("segments", "bad_index"),
    [
        (("Contacts", "42"), 1),  # an id given as a string is not silently accepted
        (("..", "Users"), 0),
        (("Contacts/42",), 0),
        (("Contacts?skip=0",), 0),
        (("Contacts#x",), 0),
        (("Contacts", "%2e%2e"), 1),
        (("",), 0),
        (("@evil.com",), 0),
        (("Contacts", 7, "Links\n"), 2),
        (("Contacts", "A" * 101), 1),
    ],
)
def test_build_url_refuses_names_that_could_change_the_request(
    segments: tuple[Any, ...], bad_index: int
) -> None:
    with pytest.raises(ValidationError) as info:
        build_url(BASE, *segments)
    assert info.value.field == f"path[{bad_index}]"


# ---------------------------------------------------------------------------------------
# Query strings


def test_encode_query_renders_each_type_as_the_api_reads_it() -> None:
    when = datetime(2025, 4, 19, 2, 49, 32, tzinfo=timezone(timedelta(hours=2)))
    assert encode_query(
        {
            "brief": True,
            "count_total": False,
            "top": 500,
            "field_value": "a@b.c",
            "amount": 2.5,
            "updated_after_utc": when,
        }
    ) == {
        "brief": "true",
        "count_total": "false",
        "top": "500",
        "field_value": "a@b.c",
        "amount": "2.5",
        "updated_after_utc": "2025-04-19T00:49:32Z",
    }


def test_encode_query_drops_none_so_optional_arguments_pass_straight_through() -> None:
    assert encode_query({"brief": None, "top": 10}) == {"top": "10"}
    assert encode_query({}) == {}


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, object(), b"bytes", date(2025, 1, 1)])
def test_encode_query_refuses_values_it_cannot_represent_naming_the_key(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        encode_query({"field_value": value})
    assert info.value.field == "field_value"


def test_encode_query_refuses_a_naive_datetime_naming_the_key() -> None:
    with pytest.raises(ValidationError) as info:
        encode_query({"updated_after_utc": datetime(2025, 1, 1, 12, 0, 0)})
    assert info.value.field == "updated_after_utc"


# ---------------------------------------------------------------------------------------
# Retry-After (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0.0), ("1", 1.0), ("120", 120.0), (" 7 ", 7.0)],
)
def test_retry_after_in_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",  # IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  # obsolete RFC 850 format
        "Sun Nov  6 08:49:37 1994",  # obsolete asctime format
    ],
)
def test_retry_after_as_an_http_date_in_any_of_the_three_formats(value: str) -> None:
    now = datetime(1994, 11, 6, 8, 49, 7, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == pytest.approx(30.0)


def test_retry_after_date_in_the_past_means_no_wait() -> None:
    now = datetime(1994, 11, 6, 9, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=now) == 0.0


def test_retry_after_never_negative() -> None:
    delay = parse_retry_after("-5")
    assert delay is None or delay == 0.0


def test_retry_after_date_defaults_to_the_current_time() -> None:
    soon = datetime.now(UTC) + timedelta(seconds=90)
    text = soon.strftime("%a, %d %b %Y %H:%M:%S GMT")
    delay = parse_retry_after(text)
    assert delay is not None
    assert 80.0 <= delay <= 91.0


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "nan", "Sun, 99 Foo 1994"])
def test_retry_after_absent_or_unreadable_is_none(value: str | None) -> None:
    assert parse_retry_after(value) is None


# ---------------------------------------------------------------------------------------
# Error messages and the status -> exception map


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"Message": "Contact not found"}, "Contact not found"),
        ({"message": "lower case"}, "lower case"),
        ({"Message": "", "ExceptionMessage": "from the exception"}, "from the exception"),
        ("  plain\n text  body ", "plain text body"),
        ("", ""),
    ],
)
def test_error_message_pulls_out_the_human_text(body: Any, expected: str) -> None:
    assert error_message(body) == expected


def test_error_message_of_an_object_without_a_message_shows_the_object() -> None:
    message = error_message({"Code": 17, "Detail": "bad"})
    assert "17" in message
    assert "bad" in message


def test_error_message_is_bounded() -> None:
    assert len(error_message("x" * 100_000)) <= 1000
    assert len(error_message({"Detail": "y" * 100_000})) <= 1000


def _error(
    status: int,
    body: Any = "",
    *,
    hdrs: Mapping[str, str] | None = None,
    method: str = "GET",
    sent_if_match: bool = False,
) -> APIStatusError:
    return make_status_error(
        status=status,
        method=method,
        url=f"{BASE}/Contacts/42",
        headers=hdrs if hdrs is not None else headers(),
        body=body,
        sent_if_match=sent_if_match,
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (412, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (599, ServerError),
    ],
)
def test_each_status_maps_to_its_exception(status: int, cls: type[APIStatusError]) -> None:
    error = _error(status)
    assert type(error) is cls
    assert error.status == status


@pytest.mark.parametrize("status", [405, 409, 410, 418, 422])
def test_other_error_statuses_are_plain_status_errors(status: int) -> None:
    error = _error(status)
    assert type(error) is APIStatusError
    assert error.status == status


def test_status_error_carries_the_request_and_the_answer() -> None:
    body = {"Message": "Invalid field FIRST_NAME"}
    hdrs = headers(Content_Type="application/json", X_RateLimit_Remaining="99")
    error = _error(400, body, hdrs=hdrs, method="PUT")
    assert error.method == "PUT"
    assert error.url == f"{BASE}/Contacts/42"
    assert error.body == body
    assert error.message == "Invalid field FIRST_NAME"
    assert error.headers["Content-Type"] == "application/json"
    assert "Invalid field FIRST_NAME" in str(error)
    assert "400" in str(error)
    assert "PUT" in str(error)


def test_a_stale_if_match_answered_400_is_a_conflict() -> None:
    # The live API answers a stale ETag with 400 "If-Match header value ... is not valid."
    body = {"Message": 'If-Match header value "W/\\"abc\\"" is not valid.'}
    error = _error(400, body, method="PUT", sent_if_match=True)
    assert isinstance(error, ConflictError)
    assert error.status == 400


def test_a_stale_if_match_as_plain_text_is_a_conflict() -> None:
    error = _error(400, "if-match header value is not valid", method="PUT", sent_if_match=True)
    assert isinstance(error, ConflictError)


def test_a_400_about_something_else_stays_a_bad_request_even_with_if_match() -> None:
    error = _error(400, {"Message": "FIRST_NAME is required"}, method="PUT", sent_if_match=True)
    assert type(error) is BadRequestError


def test_a_400_mentioning_if_match_without_sending_it_stays_a_bad_request() -> None:
    error = _error(400, {"Message": "If-Match header value is not valid."}, method="PUT")
    assert type(error) is BadRequestError


def test_412_is_a_conflict_with_or_without_if_match() -> None:
    assert isinstance(_error(412, "", method="PUT", sent_if_match=True), ConflictError)
    assert isinstance(_error(412, "", method="PUT"), ConflictError)


def test_conflicts_and_rate_limits_are_status_errors() -> None:
    assert isinstance(_error(412), APIStatusError)
    assert isinstance(_error(429), APIStatusError)


def test_rate_limit_error_carries_retry_after_in_seconds() -> None:
    error = _error(429, "", hdrs=headers(retry_after="3", X_RateLimit_Remaining="55"))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3.0


def test_rate_limit_error_without_retry_after() -> None:
    error = _error(429, "", hdrs=headers(X_RateLimit_Remaining="55"))
    assert isinstance(error, RateLimitError)
    assert error.retry_after is None


# ---------------------------------------------------------------------------------------
# Backoff: exponential ceiling, full jitter, Retry-After as a floor


class _Extreme(random.Random):
    """Returns one end of every ``uniform`` interval, and records the intervals."""

    def __init__(self, upper: bool) -> None:
        super().__init__(0)
        self.upper = upper
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return b if self.upper else a


def test_backoff_ceiling_doubles_from_base_up_to_cap() -> None:
    backoff = Backoff(base=0.5, cap=5.0)
    ceilings = [backoff.delay(retry, _Extreme(upper=True)) for retry in range(1, 8)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_backoff_is_full_jitter_down_to_zero() -> None:
    backoff = Backoff(base=0.5, cap=30.0)
    for retry in range(1, 6):
        assert backoff.delay(retry, _Extreme(upper=False)) == 0.0


def test_backoff_delays_are_spread_and_within_the_ceiling() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    rng = random.Random(1234)
    delays = [backoff.delay(3, rng) for _ in range(200)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    # Full jitter: spread over the whole interval, not clustered at the top.
    assert min(delays) < 1.0
    assert max(delays) > 3.0
    assert len(set(delays)) > 150


def test_backoff_honours_retry_after_as_a_floor_with_bounded_jitter() -> None:
    backoff = Backoff(base=0.5, cap=30.0)
    for retry in (1, 3, 10):
        assert backoff.delay(retry, _Extreme(upper=False), retry_after=7.0) == 7.0
        high = backoff.delay(retry, _Extreme(upper=True), retry_after=7.0)
        assert 7.0 <= high <= 8.0


def test_backoff_gives_up_only_on_a_retry_after_beyond_the_limit() -> None:
    backoff = Backoff(max_retry_after=120.0)
    assert not backoff.gives_up_on(None)
    assert not backoff.gives_up_on(0.0)
    assert not backoff.gives_up_on(120.0)
    assert backoff.gives_up_on(120.5)
    assert backoff.gives_up_on(3600.0)
