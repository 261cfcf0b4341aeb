"""The emulator's behaviour switches (``FakeInsightly(...)`` options), checked when set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import attrs

__all__ = ["ListFilters", "Options", "SubcollectionMode"]

SubcollectionMode = Literal["replace", "merge"]
ListFilters = Literal["reject", "ignore", "apply"]

_Validator = Callable[[Any, Any, Any], None]


def _rule(test: Callable[[Any], bool], expected: str) -> _Validator:
    def validate(instance: Any, attribute: Any, value: Any) -> None:
        if not test(value):
            raise ValueError(f"{attribute.name} must be {expected}, not {value!r}")

    return validate


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _one_of(*choices: object) -> _Validator:
    return _rule(lambda value: value in choices, " or ".join(map(repr, choices)))


_POSITIVE = _rule(lambda v: _number(v) and v > 0, "> 0")
_NOT_NEGATIVE = _rule(lambda v: _number(v) and v >= 0, ">= 0")
_COUNT = _rule(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "an int >= 0")
_COUNT_OR_NONE = _rule(
    lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "an int >= 1 or None",
)
_FLAG = attrs.validators.instance_of(bool)


@attrs.define
class Options:
    """The behaviour switches of the emulator (documented on ``FakeInsightly``).

    They may be changed on a running emulator (``fake.options.rate_limit = None``); the
    next request sees the new values. Every value is checked when set.
    """

    rate_limit: int | None = attrs.field(default=10, validator=_COUNT_OR_NONE)
    rate_window: float = attrs.field(default=1.0, validator=_POSITIVE)
    count_rejected: bool = attrs.field(default=False, validator=_FLAG)
    retry_after: float | Literal["auto"] | None = attrs.field(
        default=None,
        validator=_rule(
            lambda v: v is None or v == "auto" or (_number(v) and v >= 0), "None, 'auto' or >= 0"
        ),
    )
    daily_limit: int = attrs.field(default=100_000, validator=_COUNT)
    daily_window: float = attrs.field(default=86_400.0, validator=_POSITIVE)
    max_concurrency: int | None = attrs.field(default=None, validator=_COUNT_OR_NONE)
    etag_mismatch_status: int = attrs.field(default=400, validator=_one_of(400, 412))
    put_status: int = attrs.field(
        default=200, validator=_rule(lambda v: v in range(200, 300), "a 2xx status")
    )
    subcollection_put: SubcollectionMode = attrs.field(
        default="replace", validator=_one_of("replace", "merge")
    )
    latency: float = attrs.field(default=0.0, validator=_NOT_NEGATIVE)
    jitter: float = attrs.field(default=0.0, validator=_NOT_NEGATIVE)
    connect_delay: float = attrs.field(default=0.0, validator=_NOT_NEGATIVE)
    check_references: bool = attrs.field(default=True, validator=_FLAG)
    list_filters: ListFilters = attrs.field(
        default="reject", validator=_one_of("reject", "ignore", "apply")
    )
