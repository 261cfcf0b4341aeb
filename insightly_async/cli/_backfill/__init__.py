"""``insightly-async backfill``: create or update a record per JSON line, exactly once.

The file is read twice. The first pass (:mod:`._check`) parses and validates every line
and sends nothing: one bad line stops the run with every bad line reported (unless
``--skip-invalid``). The second pass (:mod:`._engine`) feeds the lines to
``--concurrency`` workers that share one session (which paces them under the API's
ceiling).

A SQLite journal (:mod:`._journal`, ``FILE.journal`` by default) records each line's fate,
keyed by line number and a hash of the line's text. A create is written ``sending`` (and
committed) before its POST goes out and ``done`` with the new id after the answer, so a
rerun skips what is done, and a line whose create may or may not have been applied (the
process was killed mid-request, or the connection broke after sending) is never resent
blindly: with ``--match-on`` it is looked up first, without it is reported for a decision.
Updates (PUT) are idempotent and are simply redone.

A create sent less than the request timeout ago may still be under way at the server (the
process was killed while the API was slow to answer): looked up now, it would not be found
yet and would be created again. So such a line is looked up only once its send, as the
journal records it, is older than the request timeout.

:mod:`._command` runs the two passes for the command and turns the outcome into a report
and an exit code.
"""

from insightly_async.cli._backfill._command import run_backfill
from insightly_async.cli._backfill._journal import (
    Journal,
    JournalError,
    default_journal,
    line_digest,
)

__all__ = ["Journal", "JournalError", "default_journal", "line_digest", "run_backfill"]
