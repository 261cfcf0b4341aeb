"""The JSON that models are read from decodes exactly as ``json.loads`` decodes it.

Answers are decoded with orjson where it is installed (``_sansio.loads``); whatever orjson
would decode differently (integers outside 64 bits), or refuses where ``json.loads``
accepts (NaN, ``1e400``, a byte order mark, UTF-16, lone surrogates), goes to
``json.loads``. Without orjson, ``json.loads`` decodes everything.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insightly_async import _sansio
from insightly_async._sansio import loads

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

integers = st.integers() | st.integers(-(2**80), 2**80) | st.sampled_from([2**63, 2**64, -(2**63)])
floats = st.floats(allow_nan=True, allow_infinity=True)
json_values = st.recursive(
    st.none() | st.booleans() | integers | floats | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=25,
)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (NaN equal to NaN)."""
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    return bool(a == b)


def decoded_as_json_loads(body: bytes) -> None:
    expected = json.loads(body)
    assert same(loads(body), expected)


@pytest.fixture(params=["orjson", "json"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "json":
        monkeypatch.setattr(_sansio, "_fast_loads", None)
    elif _sansio._fast_loads is None:
        pytest.skip("orjson is not installed")
    return str(request.param)


@SETTINGS
@given(value=json_values, ascii_only=st.booleans())
def test_any_json_decodes_as_json_loads_does(value: Any, ascii_only: bool) -> None:
    decoded_as_json_loads(json.dumps(value, ensure_ascii=ascii_only).encode())


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize(
    "body",
    [
        b"18446744073709551615",  # the largest unsigned 64-bit integer
        b"18446744073709551616",
        b"-9223372036854775808",
        b"-9223372036854775809",
        b'[{"ID": 123456789012345678901234567890}]',
        b'{"PHONE": "00441234567890123456789", "N": 1.5}',  # 19 digits in a string
        b"[1e400, -1e400, 1e-400, 5e-324, 1.7976931348623157e308, -0.0, 0.1]",
        b"[12345678901234567890.0, 1E2, 1.00000000000000000000000001]",
        b"[NaN, Infinity, -Infinity]",
        b'"\\ud800 lone surrogate"',
        b'{"a": 1, "a": 2}',
        b"\xef\xbb\xbf[1, 2]",  # a UTF-8 byte order mark
        json.dumps({"UTF": "16 \u00e9"}).encode("utf-16"),
        b"  [1]  \n",
        b"[" * 200 + b"]" * 200,
    ],
)
def test_what_orjson_alone_would_decode_differently(body: bytes) -> None:
    decoded_as_json_loads(body)


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize("body", [b"[1,", b"{'a': 1}", b"\xff\xfe\x00", b"[1] [2]", b"nul"])
def test_what_is_not_json_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  (json.loads's own errors)
        json.loads(body)
    with pytest.raises(ValueError):  # noqa: PT011
        loads(body)


@pytest.mark.usefixtures("decoder")
def test_json_nested_too_deep_is_a_recursion_error() -> None:
    with pytest.raises(RecursionError):
        loads(b"[" * 5000 + b"]" * 5000)
