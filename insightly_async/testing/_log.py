"""The emulator's request log: one entry per request that reached the server."""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs

__all__ = ["LoggedRequest", "RequestLog", "path_matches"]


def path_matches(pattern: str, path: str) -> bool:
    """Whether ``path`` (``/Contacts/5``) matches the glob ``pattern`` (``/Contacts*``).

    Matching is case-sensitive, like the API's own paths.
    """
    return fnmatch.fnmatchcase(path, pattern)


@attrs.define
class LoggedRequest:
    """One request as the emulator saw it.

    Attributes:
        arrival: When it arrived, on the emulator's monotonic clock (seconds).
        wall: When it arrived, on the emulator's wall clock (UTC).
        method: The HTTP method, upper case.
        path: The path without the ``/v3.1`` prefix (``/Contacts/5``); paths outside the
            API keep their full form.
        query: The query parameters (the last value wins when one is repeated).
        status: The status sent, or ``None`` when the connection was dropped without an
            answer (or the request is still being handled).
        body: The decoded JSON body of a POST, PUT or DELETE (``None`` when there was none;
            the raw text when it was not JSON; a dict of the form fields for multipart).
        user_id: The calling user, or ``None`` when the request was not authenticated.
        fault: The kind of the injected fault that decided the outcome, if any.
    """

    arrival: float
    wall: datetime
    method: str
    path: str
    query: dict[str, str]
    status: int | None = None
    body: Any = None
    user_id: int | None = None
    fault: str | None = None


class RequestLog:
    """Every request that reached the emulator, in arrival order.

    The log is a plain in-memory list; :meth:`clear` empties it. Iterating, ``len()`` and
    indexing see the entries in arrival order.
    """

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        """Add an entry (the emulator calls this when a request arrives).

        Args:
            entry: The request as it arrived.
        """
        self._entries.append(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(list(self._entries))

    def __getitem__(self, index: int) -> LoggedRequest:
        return self._entries[index]

    def __repr__(self) -> str:
        return f"<RequestLog of {len(self._entries)} requests>"

    @property
    def entries(self) -> list[LoggedRequest]:
        """A copy of the entries, in arrival order."""
        return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def filter(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        """The entries with this method and a path matching this glob.

        Args:
            method: An HTTP method (any case); ``None`` for all.
            path: A glob over the path without ``/v3.1`` (``/Contacts*``); ``None`` for all.

        Returns:
            The matching entries, in arrival order.
        """
        wanted = method.upper() if method is not None else None
        return [
            entry
            for entry in self._entries
            if (wanted is None or entry.method == wanted)
            and (path is None or path_matches(path, entry.path))
        ]

    def max_in_window(
        self, window: float = 1.0, *, method: str | None = None, path: str | None = None
    ) -> int:
        """The most requests whose arrivals fall in any half-open window ``[t, t + window)``.

        This is what a server enforcing "at most N per sliding window" would count.

        Args:
            window: The window length in seconds (> 0).
            method: Only count requests with this method.
            path: Only count requests whose path matches this glob.

        Returns:
            The count (0 for an empty log).

        Raises:
            ValueError: ``window`` is not positive.
        """
        if not window > 0:
            raise ValueError(f"window must be > 0, not {window!r}")
        arrivals = sorted(entry.arrival for entry in self.filter(method, path))
        best = 0
        start = 0
        for end, moment in enumerate(arrivals):
            while moment - arrivals[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def status_counts(self) -> Counter[int | None]:
        """How many requests got each status.

        Returns:
            Counts by status (``None``: dropped without an answer, or still handled).
        """
        return Counter(entry.status for entry in self._entries)

    def rate(self) -> float:
        """Requests per second achieved between the first and the last arrival.

        That is ``(n - 1) / (last - first)``: ``n`` requests evenly spaced ``d`` seconds
        apart give ``1 / d``. Fewer than two requests, or all at the same instant, give 0.

        Returns:
            Requests per second.
        """
        if len(self._entries) < 2:
            return 0.0
        arrivals = [entry.arrival for entry in self._entries]
        span = max(arrivals) - min(arrivals)
        if span <= 0:
            return 0.0
        return (len(arrivals) - 1) / span
