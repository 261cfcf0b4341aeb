"""The ``insightly_async`` logger on a command's stderr.

The SDK logs a DEBUG line per attempt (method, path, status or "no answer", attempt
number, time queued and taken), a DEBUG line per retry (which one, the wait, the error
that caused it), and WARNINGs (a Redis fleet lost and back). A command shows:

- WARNING and above, always;
- with ``--verbose``, every DEBUG line too, with the time of day;
- without it, one line at the first retry caused by something other than pacing (no
  answer, a timeout, a 5xx): what the command is trying and that it retries, so that a
  command waiting out retries is never silent.

The lines go through ``sys.stderr`` as it is when they are written, so that a live
progress display (which redirects it) keeps them above its rows. They never hold the API
key: the SDK logs paths, never headers, and the key is blanked should it appear anyway.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator

__all__ = ["CommandLog", "command_logging"]

LOGGER = "insightly_async"
MIN_SECRET = 8
# Retries caused by pacing (a per-second 429) are the pacer's business, not news.
_PACING = frozenset({"RateLimitError"})
_CAUSES = {
    "APIConnectionError": "no answer (cannot connect, or the connection broke)",
    "APITimeoutError": "no answer within --timeout",
    "ServerError": "a server error (5xx)",
    "MalformedResponseError": "an answer that is not the API's JSON",
}


class CommandLog(logging.Handler):
    """The handler a command puts on the ``insightly_async`` logger while it runs."""

    def __init__(self, *, verbose: bool, secret: str | None) -> None:
        super().__init__(logging.DEBUG)
        self.verbose = verbose
        self.where = "the API"
        # (A key too short to be real would blank parts of words: left alone.)
        self._secret = secret if secret and len(secret) >= MIN_SECRET else None
        self._told = False

    def debug(self, text: str) -> None:
        """A line of the command's own, shown with ``--verbose`` only."""
        if self.verbose:
            self._write(f"{_stamp(time.time())} {text}")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.levelno >= logging.WARNING:
                self._write(f"warning: {text}")
            elif self.verbose:
                self._write(f"{_stamp(record.created)} {text}")
            elif not self._told:
                cause = _retry_cause(record)
                if cause is not None and cause not in _PACING:
                    self._told = True
                    allowed = _retries_allowed(record)
                    times = "time" if allowed == 1 else "times"
                    limit = "" if allowed is None else f" up to {allowed} {times}"
                    self._write(
                        f"{self.where}: {_CAUSES.get(cause, cause)}; retrying{limit} with "
                        "growing waits (--max-retries sets how often; --verbose shows each "
                        "attempt)"
                    )
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)

    def _write(self, text: str) -> None:
        if self._secret is not None:
            text = text.replace(self._secret, "***")
        # sys.stderr as it is now: a live display puts a proxy there that prints above it.
        stream = sys.stderr
        stream.write(text + "\n")
        stream.flush()


def _retry_cause(record: logging.LogRecord) -> str | None:
    """The error class a retry line names, or ``None`` if ``record`` is not one.

    The SDK's line is ``"%s %s: retry %d of %d in %.2fs after %s"`` (method, path, retry,
    retries allowed, wait, the error's class name).
    """
    args = record.args
    if isinstance(record.msg, str) and ": retry %d of %d" in record.msg and isinstance(args, tuple):
        cause = args[-1] if args else None
        return cause if isinstance(cause, str) else None
    return None


def _retries_allowed(record: logging.LogRecord) -> int | None:
    """How many retries a retry line says are allowed for its request (the ``of %d``)."""
    args = record.args
    if isinstance(args, tuple) and len(args) >= 4 and isinstance(args[3], int):
        return args[3]
    return None


def _stamp(moment: float) -> str:
    millis = int((moment % 1) * 1000)
    return f"{time.strftime('%H:%M:%S', time.localtime(moment))}.{millis:03d}"


@contextlib.contextmanager
def command_logging(*, verbose: bool, secret: str | None) -> Iterator[CommandLog]:
    """The ``insightly_async`` logger on stderr while the block runs (then as it was)."""
    logger = logging.getLogger(LOGGER)
    handler = CommandLog(verbose=verbose, secret=secret)
    level = logger.level
    # (Records still go on to the root logger's handlers, if an embedding program has any.)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
