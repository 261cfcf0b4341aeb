"""Injected faults: the emulator's plan of what goes wrong, where and how often."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, get_args

import attrs

from insightly_async._facts.wire import RETRYABLE_STATUSES
from insightly_async.testing._log import path_matches

__all__ = ["Fault", "FaultKind", "FaultPlan"]

FaultKind = Literal[
    "status",
    "latency",
    "drop_before",
    "drop_after",
    "malformed_json",
    "html_error",
    "concurrent_edit",
    "stale_page",
]
_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

# A "status" fault without an explicit status picks one of these, like a flaky gateway:
# the server errors worth another attempt (500, 502, 503, 504).
GATEWAY_STATUSES: tuple[int, ...] = tuple(sorted(s for s in RETRYABLE_STATUSES if s >= 500))

EditFn = Callable[[dict[str, Any]], "Mapping[str, Any] | None"]


@attrs.define(eq=False)
class Fault:
    """One entry of the fault plan.

    Attributes:
        kind: What happens:

            - ``status``: answer ``status`` (default: one of 500/502/503/504 at random)
              with a JSON ``{"Message"}`` body; nothing is applied.
            - ``latency``: wait ``delay`` ± ``jitter`` seconds before handling.
            - ``drop_before``: close the connection without an answer; nothing is applied.
            - ``drop_after``: handle the request (a write is applied), then close the
              connection without an answer.
            - ``malformed_json``: handle the request, then send its status with a truncated
              JSON body.
            - ``html_error``: answer ``status`` (default 500) with an HTML error page
              (``text/html``); nothing is applied.
            - ``concurrent_edit``: just before a write to a record is applied, someone else
              edits that record (``edit`` receives a copy of it and returns the changes; by
              default only ``DATE_UPDATED_UTC`` and the ETag move).
            - ``stale_page``: handle the request, then leave the middle record out of a
              list answer of three or more, as a lagging replica would; the other
              records, and an ``X-Total-Count``, stay as they were.
        method: The HTTP method it applies to (``None``: any).
        path: A glob over the path without ``/v3.1`` (``/Contacts*``).
        rate: The probability that it fires on a matching request (seeded).
        times: How many times it may fire at most (``None``: no limit).
        status: The status of ``status`` and ``html_error`` faults.
        delay: The delay of a ``latency`` fault, in seconds.
        jitter: The spread of a ``latency`` fault: uniform in ``delay ± jitter``, at least 0.
        edit: The change a ``concurrent_edit`` fault makes.
        hits: How many times it has fired.
    """

    kind: FaultKind
    method: str | None = None
    path: str = "*"
    rate: float = 1.0
    times: int | None = None
    status: int | None = None
    delay: float = 0.0
    jitter: float = 0.0
    edit: EditFn | None = None
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        """It has fired ``times`` times already."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Whether it applies to a request with this method and path.

        Args:
            method: The request's HTTP method (any case).
            path: The request's path without ``/v3.1``.

        Returns:
            ``True`` unless it is exhausted or its method or path glob does not match.
        """
        if self.exhausted:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path_matches(self.path, path)


def jittered(rng: random.Random, delay: float, jitter: float) -> float:
    """A delay drawn uniformly from ``delay ± jitter``, clamped at 0."""
    if not jitter:
        return delay
    return max(0.0, rng.uniform(delay - jitter, delay + jitter))


@attrs.define
class Fired:
    """The faults that fire on one request: all latencies, and at most one outcome."""

    delay: float = 0.0
    outcome: Fault | None = None
    status: int | None = None


class FaultPlan:
    """The faults the emulator injects, checked in the order they were added.

    Every matching ``latency`` fault adds its delay; of the other kinds, the first
    matching fault that fires decides the outcome of the request. Whether a fault fires is
    drawn from the emulator's seeded random generator, so a run is reproducible.

    The emulator makes its own (``fake.faults``); a plan is rarely built by hand.

    Args:
        rng: The random generator that decides whether a fault fires.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        path: str = "*",
        rate: float = 1.0,
        times: int | None = None,
        status: int | None = None,
        delay: float = 0.0,
        jitter: float = 0.0,
        edit: EditFn | None = None,
    ) -> Fault:
        """Add a fault and return it (its ``hits`` count how often it fired).

        Args:
            kind: See :class:`Fault`.
            method: Only requests with this method (any case); ``None`` for all.
            path: Only requests whose path (without ``/v3.1``) matches this glob.
            rate: Probability of firing on a matching request, in [0, 1].
            times: Fire at most this many times; ``None`` for no limit.
            status: For ``status`` (default: random 500/502/503/504) and ``html_error``
                (default 500): the status to answer, 400 to 599.
            delay: For ``latency``: seconds to wait.
            jitter: For ``latency``: spread of the wait, uniform in ``delay ± jitter``.
            edit: For ``concurrent_edit``: receives a copy of the record and returns the
                changes to make (or ``None`` to change nothing but the timestamp and ETag).

        Returns:
            The fault, to read its ``hits`` or :meth:`remove` it later.

        Raises:
            ValueError: an argument is out of range or does not suit ``kind``.
        """
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {sorted(_KINDS)}, not {kind!r}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be within [0, 1], not {rate!r}")
        if times is not None and times < 0:
            raise ValueError(f"times must be >= 0 or None, not {times!r}")
        if status is not None:
            if kind not in ("status", "html_error"):
                raise ValueError(
                    f"status applies to 'status' and 'html_error' faults, not {kind!r}"
                )
            if not 400 <= status <= 599:
                raise ValueError(f"status must be an error status (400-599), not {status!r}")
        if delay < 0 or jitter < 0:
            raise ValueError("delay and jitter must be >= 0")
        if (delay or jitter) and kind != "latency":
            raise ValueError(f"delay and jitter apply to 'latency' faults, not {kind!r}")
        if edit is not None and kind != "concurrent_edit":
            raise ValueError(f"edit applies to 'concurrent_edit' faults, not {kind!r}")
        if kind == "html_error" and status is None:
            status = 500
        fault = Fault(
            kind=kind,
            method=method,
            path=path,
            rate=rate,
            times=times,
            status=status,
            delay=delay,
            jitter=jitter,
            edit=edit,
        )
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Take one fault out of the plan.

        Args:
            fault: A fault :meth:`add` returned.

        Raises:
            ValueError: it is not in the plan.
        """
        self._faults.remove(fault)

    def clear(self) -> None:
        """Take every fault out of the plan."""
        self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def __repr__(self) -> str:
        kinds = ", ".join(fault.kind for fault in self._faults)
        return f"<FaultPlan [{kinds}]>"

    def draw(self, method: str, path: str) -> Fired:
        """Decide which faults fire on a request, counting their hits.

        Args:
            method: The request's HTTP method.
            path: The request's path without ``/v3.1``.

        Returns:
            The sum of the latencies that fire, and the first other fault that does.
        """
        fired = Fired()
        for fault in self._faults:
            if fired.outcome is not None and fault.kind != "latency":
                continue
            if not fault.matches(method, path):
                continue
            if fault.rate < 1.0 and self._rng.random() >= fault.rate:
                continue
            fault.hits += 1
            if fault.kind == "latency":
                fired.delay += jittered(self._rng, fault.delay, fault.jitter)
                continue
            fired.outcome = fault
            if fault.kind == "status":
                fired.status = (
                    fault.status if fault.status is not None else self._rng.choice(GATEWAY_STATUSES)
                )
            elif fault.kind == "html_error":
                fired.status = fault.status
        return fired
