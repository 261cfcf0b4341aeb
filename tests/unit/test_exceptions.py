"""The exception tree: what callers can catch, and what each error carries."""

from __future__ import annotations

import pytest

import insightly_async
from insightly_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsightlyError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExhaustedError,
    RateLimitError,
    ServerError,
    SessionClosedError,
    ValidationError,
    _exceptions,
)

URL = "https://api.na1.insightly.com/v3.1/Contacts/42"

STATUS_ERRORS: list[type[APIStatusError]] = [
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    RateLimitError,
    ServerError,
]

PUBLIC_NAMES = [
    "InsightlyError",
    "APIConnectionError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "QuotaExhaustedError",
    "ValidationError",
    "SessionClosedError",
    "APITimeoutError",
    "MalformedResponseError",
]


def status_error(cls: type[APIStatusError] = APIStatusError, **overrides: object) -> APIStatusError:
    fields: dict[str, object] = {
        "status": 400,
        "method": "GET",
        "url": URL,
        "headers": {"Content-Type": "application/json"},
        "body": {"Message": "nope"},
        "message": "nope",
    }
    fields.update(overrides)
    return cls(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_exception_is_importable_from_the_package(name: str) -> None:
    assert name in insightly_async.__all__
    cls = getattr(insightly_async, name)
    assert cls is getattr(_exceptions, name)
    assert issubclass(cls, InsightlyError)


@pytest.mark.parametrize(
    "cls",
    [
        ValidationError,
        SessionClosedError,
        QuotaExhaustedError,
        APIConnectionError,
        APITimeoutError,
        MalformedResponseError,
        APIStatusError,
        *STATUS_ERRORS,
    ],
)
def test_every_error_is_an_insightly_error(cls: type[Exception]) -> None:
    assert issubclass(cls, InsightlyError)
    assert issubclass(cls, Exception)


@pytest.mark.parametrize("cls", STATUS_ERRORS)
def test_status_errors_are_api_status_errors(cls: type[APIStatusError]) -> None:
    assert issubclass(cls, APIStatusError)
    assert not issubclass(cls, APIConnectionError)


def test_branches_do_not_overlap() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (QuotaExhaustedError, APIConnectionError, MalformedResponseError, ValidationError):
        assert not issubclass(cls, APIStatusError)
    # The daily allowance being spent is not a per-second 429: it must never be retried.
    assert not issubclass(QuotaExhaustedError, RateLimitError)
    assert not issubclass(RateLimitError, QuotaExhaustedError)


def test_bad_input_is_also_a_value_error() -> None:
    error = ValidationError("page_size", "must be between 1 and 500, got 0")
    assert isinstance(error, ValueError)
    with pytest.raises(ValueError, match="page_size"):
        raise error
    assert error.field == "page_size"
    assert str(error).startswith("page_size")


def test_use_after_close_is_also_a_runtime_error() -> None:
    assert issubclass(SessionClosedError, RuntimeError)


def test_status_error_attributes_and_message() -> None:
    error = status_error(status=404, message="Contact not found", method="DELETE")
    assert error.status == 404
    assert error.method == "DELETE"
    assert error.url == URL
    assert error.body == {"Message": "nope"}
    assert error.message == "Contact not found"
    text = str(error)
    assert "DELETE" in text
    assert URL in text
    assert "404" in text
    assert "Contact not found" in text


def test_status_error_without_a_message_still_says_what_failed() -> None:
    text = str(status_error(status=502, message="", body=""))
    assert "502" in text
    assert URL in text


def test_status_error_headers_are_a_snapshot() -> None:
    response_headers = {"X-RateLimit-Remaining": "17"}
    error = status_error(headers=response_headers)
    response_headers["X-RateLimit-Remaining"] = "0"
    assert error.headers == {"X-RateLimit-Remaining": "17"}


def test_a_huge_text_body_is_clipped_on_the_error() -> None:
    page = "<html>" + "x" * 5_000_000 + "</html>"
    error = status_error(status=500, body=page, message="")
    assert isinstance(error.body, str)
    assert error.body.startswith("<html>xxx")
    assert len(error.body) < 10_000
    assert len(str(error)) < 10_000


def test_a_short_text_body_is_kept_whole() -> None:
    error = status_error(status=500, body="Internal Server Error", message="")
    assert error.body == "Internal Server Error"


def test_a_json_body_is_kept_as_decoded() -> None:
    body = {"Message": "x", "Errors": [{"FIELD": "EMAIL_ADDRESS"}]}
    assert status_error(body=body).body is body


def test_rate_limit_error_carries_retry_after() -> None:
    error = RateLimitError(
        retry_after=2.5,
        status=429,
        method="GET",
        url=URL,
        headers={"Retry-After": "2.5"},
        body="",
        message="",
    )
    assert error.retry_after == 2.5
    assert error.status == 429
    assert (
        RateLimitError(
            status=429, method="GET", url=URL, headers={}, body="", message=""
        ).retry_after
        is None
    )


def test_connection_error_attributes() -> None:
    error = APIConnectionError("connection reset", method="GET", url=URL)
    assert error.method == "GET"
    assert error.url == URL
    assert error.outcome_unknown is False
    assert "connection reset" in str(error)
    assert URL in str(error)


def test_an_unknown_outcome_is_flagged_and_said() -> None:
    error = APIConnectionError("server disconnected", method="POST", url=URL, outcome_unknown=True)
    assert error.outcome_unknown is True
    assert "applied" in str(error)


def test_timeout_is_a_connection_error_with_the_same_attributes() -> None:
    error = APITimeoutError("timed out", method="PUT", url=URL, outcome_unknown=True)
    assert isinstance(error, APIConnectionError)
    assert error.outcome_unknown is True
    assert error.method == "PUT"


def test_malformed_response_keeps_a_bounded_start_of_the_text() -> None:
    text = "<html><body>Gateway Timeout</body></html>" + " " * 1_000_000
    error = MalformedResponseError(
        "the body is not valid JSON", status=200, method="GET", url=URL, text=text
    )
    assert error.status == 200
    assert error.method == "GET"
    assert error.url == URL
    assert error.text.startswith("<html><body>Gateway Timeout")
    assert len(error.text) < 10_000
    assert len(str(error)) < 2_000
    assert "Gateway Timeout" in str(error)


def test_quota_exhausted_error_carries_the_allowance() -> None:
    error = QuotaExhaustedError("spent", limit=1000, remaining=0, reserve=50)
    assert (error.limit, error.remaining, error.reserve) == (1000, 0, 50)
    assert "spent" in str(error)
    bare = QuotaExhaustedError("spent")
    assert (bare.limit, bare.remaining, bare.reserve) == (None, None, 0)
