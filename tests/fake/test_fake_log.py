"""The request log and its helpers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
from fake_support import Api, MonoClock, WallClock

from insightly_async.testing import LoggedRequest, RequestLog

pytest_plugins = ["fake_fixtures"]

WALL = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _log(arrivals: list[float], statuses: list[int | None] | None = None) -> RequestLog:
    log = RequestLog()
    for index, arrival in enumerate(arrivals):
        status = statuses[index] if statuses is not None else 200
        path = "/Contacts" if index % 2 == 0 else "/Leads/5"
        method = "GET" if index % 3 else "POST"
        log.append(LoggedRequest(arrival, WALL, method, path, {}, status))
    return log


@pytest.mark.parametrize(
    ("arrivals", "window", "expected"),
    [
        ([], 1.0, 0),
        ([0.0], 1.0, 1),
        ([0.0, 0.1, 0.2, 0.3], 1.0, 4),
        ([0.0, 1.0, 2.0, 3.0], 1.0, 1),
        ([0.0, 0.999, 1.0, 1.5], 1.0, 3),
        ([0.0, 0.5, 0.9999, 1.0, 1.1, 1.2], 1.0, 5),
        ([0.0, 0.0, 0.0, 5.0], 1.0, 3),
        ([0.0, 0.4, 0.8, 1.2, 1.6, 2.0], 0.5, 2),
        ([0.0, 0.4, 0.8, 1.2, 1.6, 2.0], 2.0, 5),
    ],
)
def test_max_in_window_is_half_open(arrivals: list[float], window: float, expected: int) -> None:
    assert _log(arrivals).max_in_window(window) == expected


def test_max_in_window_filters() -> None:
    log = _log([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert log.max_in_window(1.0, path="/Contacts") == 3
    assert log.max_in_window(1.0, method="post") == 2
    with pytest.raises(ValueError, match="window"):
        log.max_in_window(0)


def test_status_counts_rate_filter_clear() -> None:
    log = _log([10.0, 10.5, 11.0, 12.0, 12.0], [200, 429, 200, None, 503])
    assert log.status_counts() == Counter({200: 2, 429: 1, None: 1, 503: 1})
    assert log.rate() == pytest.approx(4 / 2.0)
    assert [e.arrival for e in log.filter(path="/Leads*")] == [10.5, 12.0]
    assert [e.arrival for e in log.filter(method="POST")] == [10.0, 12.0]
    assert len(log) == 5
    assert log[0].arrival == 10.0
    assert [e.arrival for e in log] == [10.0, 10.5, 11.0, 12.0, 12.0]
    log.clear()
    assert len(log) == 0
    assert log.rate() == 0.0
    assert _log([3.0, 3.0]).rate() == 0.0


async def test_entries_record_what_arrived(api: Api, mono: MonoClock, wall: WallClock) -> None:
    created = await api.post("/Contacts", {"FIRST_NAME": "Ada"}, params={"brief": "true"})
    mono.advance(0.25)
    wall.advance(2)
    await api.get("/Contacts", params={"top": "5"}, key=api.fake.user_key)
    await api.get("/Contacts", key=api.fake.disabled_key)
    first, second, third = api.fake.log.entries
    admin = api.fake.user(api.fake.api_key)["USER_ID"]
    assert (first.method, first.path, first.query, first.status) == (
        "POST",
        "/Contacts",
        {"brief": "true"},
        201,
    )
    assert first.body == {"FIRST_NAME": "Ada"}
    assert first.user_id == admin
    assert first.arrival == 1000.0
    assert first.wall == datetime(2025, 4, 19, 0, 49, 32, tzinfo=timezone.utc)
    assert (second.method, second.query, second.status, second.body) == (
        "GET",
        {"top": "5"},
        200,
        None,
    )
    assert second.arrival == 1000.25
    assert second.user_id == api.fake.user(api.fake.user_key)["USER_ID"]
    assert (third.status, third.user_id) == (401, None)
    assert created.status == 201
    assert api.fake.log.max_in_window(0.25) == 2
