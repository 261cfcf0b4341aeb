"""The wire facts: ids, page sizes and dates as the API writes and reads them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from insightly_async import ValidationError
from insightly_async._facts.wire import (
    QuotaHeaders,
    format_body_datetime,
    format_query_datetime,
    is_daily_quota_429,
    parse_quota_headers,
    parse_wire_datetime,
    validate_id,
    validate_page_size,
)

UTC = timezone.utc
CET = timezone(timedelta(hours=1))


# ---------------------------------------------------------------------------------------
# Ids and page sizes


@pytest.mark.parametrize("value", [1, 42, 2**62])
def test_valid_ids_pass_through(value: int) -> None:
    assert validate_id(value) == value


@pytest.mark.parametrize("value", [0, -1, True, False, "42", 42.0, None, [42]])
def test_invalid_ids_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        validate_id(value, "contact_id")
    assert info.value.field == "contact_id"
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("contact_id")


@pytest.mark.parametrize("value", [1, 100, 500])
def test_page_sizes_from_1_to_500_are_accepted(value: int) -> None:
    assert validate_page_size(value) == value


@pytest.mark.parametrize("value", [0, -1, 501, 10_000, True, "10", 10.0, None])
def test_page_sizes_outside_1_to_500_are_refused(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        validate_page_size(value)
    assert info.value.field == "page_size"
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC), "2025-04-19T00:49:32Z"),
        (datetime(2025, 4, 19, 1, 49, 32, tzinfo=CET), "2025-04-19T00:49:32Z"),
        (
            datetime(2025, 4, 18, 19, 49, 32, tzinfo=timezone(timedelta(hours=-5))),
            "2025-04-19T00:49:32Z",
        ),
        # The API's bound has one-second resolution and is exclusive: dropping the fraction
        # (never rounding up) can only widen an incremental read, never miss a record.
        (datetime(2025, 4, 19, 0, 49, 32, 999_999, tzinfo=UTC), "2025-04-19T00:49:32Z"),
    ],
)
def test_query_datetime_is_iso_utc_with_z_in_whole_seconds(value: datetime, expected: str) -> None:
    assert format_query_datetime(value) == expected


def test_query_datetime_refuses_naive_values_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        format_query_datetime(datetime(2025, 4, 19), "updated_after")
    assert info.value.field == "updated_after"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC), "2025-04-19 00:49:32"),
        (datetime(2025, 4, 19, 1, 49, 32, tzinfo=CET), "2025-04-19 00:49:32"),
        (datetime(2025, 1, 1, 0, 30, 0, tzinfo=CET), "2024-12-31 23:30:00"),
        (datetime(2025, 4, 19, 0, 49, 32, 700_000, tzinfo=UTC), "2025-04-19 00:49:32"),
        (date(2016, 3, 31), "2016-03-31 00:00:00"),
    ],
)
def test_body_datetime_is_utc_yyyy_mm_dd_hh_mm_ss(value: datetime | date, expected: str) -> None:
    text = format_body_datetime(value)
    assert text == expected
    # Round trip through the documented layout.
    assert datetime.strptime(text, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S") == text


def test_body_datetime_refuses_naive_values_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        format_body_datetime(datetime(2025, 4, 19, 12, 0, 0), "DUE_DATE")
    assert info.value.field == "DUE_DATE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-19 00:49:32", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
        ("2025-04-19T00:49:32", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
        ("2025-04-19T00:49:32Z", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
        ("2025-04-19T02:49:32+02:00", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
        ("2019-06-25T17:18:46.877", datetime(2019, 6, 25, 17, 18, 46, 877_000, tzinfo=UTC)),
        (" 2025-04-19 00:49:32 ", datetime(2025, 4, 19, 0, 49, 32, tzinfo=UTC)),
    ],
)
def test_body_datetimes_parse_to_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_wire_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_body_datetime_round_trips() -> None:
    moment = datetime(2031, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert parse_wire_datetime(format_body_datetime(moment)) == moment


@pytest.mark.parametrize("text", ["", "yesterday", "2025-13-01 00:00:00"])
def test_body_datetime_parse_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError; the type is the contract
        parse_wire_datetime(text)


# ---------------------------------------------------------------------------------------
# Daily allowance headers


def test_quota_headers_are_read_case_insensitively() -> None:
    reported = parse_quota_headers(
        headers(x_ratelimit_limit="100000", x_ratelimit_remaining="99986")
    )
    assert reported == QuotaHeaders(limit=100000, remaining=99986)


def test_quota_headers_missing_or_garbled_are_none() -> None:
    assert parse_quota_headers(headers()) == QuotaHeaders(limit=None, remaining=None)
    assert parse_quota_headers(
        headers(X_RateLimit_Limit="lots", X_RateLimit_Remaining=" 12 ")
    ) == QuotaHeaders(limit=None, remaining=12)


@pytest.mark.parametrize(
    ("status", "hdrs", "expected"),
    [
        (429, {"X_RateLimit_Remaining": "0"}, True),
        (429, {"X_RateLimit_Remaining": "57"}, False),  # per-second limit: retry later
        (429, {}, False),
        (200, {"X_RateLimit_Remaining": "0"}, False),  # the last call of the day succeeded
        (503, {"X_RateLimit_Remaining": "0"}, False),
    ],
)
def test_only_a_429_with_nothing_remaining_is_the_daily_quota(
    status: int, hdrs: dict[str, str], expected: bool
) -> None:
    assert is_daily_quota_429(status, headers(**hdrs)) is expected


def headers(**values: str) -> CIMultiDictProxy[str]:
    """Response headers as aiohttp hands them over (case-insensitive); ``_`` becomes ``-``."""
    return CIMultiDictProxy(CIMultiDict({k.replace("_", "-"): v for k, v in values.items()}))


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_date_pushed_out_of_range_by_its_offset_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="out of the range"):
        parse_wire_datetime(text)
