"""``MockTransport``: a session whose requests are answered by a function, not a server.

For unit tests that need no sockets: the session's whole funnel (quota, pacing, retries,
decoding) runs as it does against the real API, and only the network is replaced, in the
manner of ``httpx.MockTransport``::

    from insightly_async import InsightlySession
    from insightly_async.testing import MockTransport
    from insightly_async.transport import Request, Response, ResponseTooLargeError

    def handler(request: Request) -> Response:
        if request.url.endswith("/Contacts/42"):
            return Response.with_json({"CONTACT_ID": 42, "FIRST_NAME": "Ada"})
        return Response.with_json({"Message": "not found"}, status=404)

    transport = MockTransport(handler)
    async with InsightlySession("key", pod="na1", transport=transport) as crm:
        contact = await crm.contacts.get(42)
    assert transport.requests[0].method == "GET"

The handler may be a coroutine function, and may raise
:class:`~insightly_async.transport.TransportError` to play a connection that fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from insightly_async.transport import Request, Response, ResponseTooLargeError

__all__ = ["Handler", "MockTransport"]

#: Answers one request: a :class:`Response`, or raises ``TransportError``.
Handler = Callable[[Request], "Response | Awaitable[Response]"]


class MockTransport:
    """A transport that hands every request to ``handler`` and returns its answer.

    Pass it as ``InsightlySession(transport=...)``.

    Args:
        handler: Takes a :class:`~insightly_async.transport.Request` and returns a
            :class:`~insightly_async.transport.Response` (or a coroutine of one); raises
            :class:`~insightly_async.transport.TransportError` to play a failed connection.

    Raises:
        TypeError: ``handler`` is not callable.

    Attributes:
        requests: Every request sent through it, in order (retries included).
        closed: Whether the session using it was closed.
    """

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, got {type(handler).__name__}")
        self._handler = handler
        self.requests: list[Request] = []
        self.closed = False

    async def send(self, request: Request) -> Response:
        """Record ``request`` in :attr:`requests` and answer it with the handler.

        Args:
            request: The attempt, as the session's funnel built it.

        Returns:
            The handler's answer.

        Raises:
            RuntimeError: the transport was closed.
            TypeError: the handler returned something other than a ``Response``.
            ResponseTooLargeError: the answer's body is longer than the session's
                ``max_response_bytes`` (as a real transport would stop reading).
        """
        if self.closed:
            raise RuntimeError("this MockTransport was closed")
        self.requests.append(request)
        if request.on_written is not None:
            request.on_written(False)  # no connection to open: written at once
        answer = self._handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        if not isinstance(answer, Response):
            raise TypeError(
                f"the handler must return a transport Response, not {type(answer).__name__}"
            )
        if request.max_body is not None and len(answer.body) > request.max_body:
            raise ResponseTooLargeError(answer.status, answer.headers, request.max_body)
        return answer

    async def aclose(self) -> None:
        """Mark the transport closed (the session closes it on ``aclose``)."""
        self.closed = True

    def __repr__(self) -> str:
        return f"<MockTransport {len(self.requests)} requests>"
