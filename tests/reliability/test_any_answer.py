"""Any answer at all, to any request: a result or an InsightlyError, never anything else."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insightly_async import Contact, InsightlyError, InsightlySession, Paginator
from insightly_async._sansio import Backoff
from insightly_async.testing import MockTransport
from insightly_async.transport import Request, Response

FAST = Backoff(base=0.001, cap=0.002)


def session(handler: Callable[[Request], Response]) -> InsightlySession:
    return InsightlySession(
        "key", pod="na1", transport=MockTransport(handler), rate=1000.0, backoff=FAST, max_retries=0
    )


_headers = st.dictionaries(
    st.sampled_from(
        ["X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After", "ETag", "X-Total-Count"]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_records = st.lists(
    st.dictionaries(
        st.sampled_from(["CONTACT_ID", "FIRST_NAME", "DATE_UPDATED_UTC", "TAGS"]), _json
    ),
    max_size=3,
)
_bodies = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda value: json.dumps(value).encode()),
    _records.map(lambda value: json.dumps(value).encode()),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(status=st.integers(100, 599), headers=_headers, body=_bodies, raw=st.booleans())
async def test_any_answer_is_a_result_or_an_insightly_error(
    status: int, headers: dict[str, str], body: bytes, raw: bool
) -> None:
    crm = session(lambda request: Response(status, headers, body))
    try:
        async with crm:
            record = await crm.contacts.get(42)
            assert isinstance(record, Contact)
            paginator: Paginator[Any] = (
                crm.contacts.list(raw=True, count_total=True)
                if raw
                else crm.contacts.list(count_total=True)
            )
            async with contextlib.aclosing(paginator.pages()) as pages:
                page = await pages.__anext__()
            assert isinstance(page.items, list)
    except InsightlyError:
        pass
