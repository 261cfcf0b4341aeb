"""The emulator's JSON encoding: the same bytes whichever encoder writes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insightly_async.testing._wire import dumps


def _reference(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    # Under 1e-4 orjson writes 0.00001 where json writes 1e-05: the same number.
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_answers_are_the_bytes_json_would_write(data: Any) -> None:
    assert dumps(data) == _reference(data)


@dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [datetime(2026, 1, 2, tzinfo=timezone.utc), _Point(1), {1, 2}])
def test_what_json_refuses_is_refused(value: Any) -> None:
    # Not written in some other encoder's own way: the emulator formats dates itself.
    with pytest.raises(TypeError):
        dumps({"value": value})
