"""``insightly-async backfill``: the options, the two passes, the report and the exit code."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console

from insightly_async import InsightlyError, InsightlySession
from insightly_async.cli._backfill._check import Checker, MatchOnError, prepass
from insightly_async.cli._backfill._engine import Backfill, StopError
from insightly_async.cli._backfill._journal import (
    UNCERTAIN,
    Journal,
    JournalError,
    Row,
    default_journal,
)
from insightly_async.cli._exit import EXIT_FAILURE, EXIT_OK, EXIT_QUOTA, EXIT_USAGE
from insightly_async.cli._progress import LineBar
from insightly_async.cli._targets import UnknownTypeError, resolve

__all__ = ["run_backfill"]


def _announce_settling(err: Console, rows: dict[int, Row], settle: float) -> None:
    """Say why a rerun waits before looking up creates an earlier run left under way."""
    now = datetime.now(timezone.utc)
    waits = [
        settle - (now - at).total_seconds()
        for row in rows.values()
        if row.state in UNCERTAIN and (at := row.recorded()) is not None
    ]
    pending = [wait for wait in waits if wait > 0]
    if pending:
        count = len(pending)
        _print(
            err,
            f"{count} create{'s' if count != 1 else ''} of an earlier run may still be under "
            f"way: looked up within {max(pending):.0f} s, once older than the request "
            "timeout (--timeout)",
        )


def _print(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


async def run_backfill(
    open_session: Callable[..., AbstractAsyncContextManager[InsightlySession]],
    *,
    type_name: str,
    path: Path,
    concurrency: int,
    match_on: str | None,
    journal: Path | None,
    skip_invalid: bool,
    console: Console,
    err: Console,
    progress: bool,
    explain: Callable[[InsightlyError], str] = str,
) -> int:
    """Create or update a record for each line of ``path``; the exit code.

    0: every valid line done (with ``skip_invalid``, the invalid lines are listed on
    stderr and counted in the summary, and do not change the code); 1: some line failed
    or needs a decision; 2: bad input or options, nothing sent; 3: the daily allowance was
    spent (rerun later to continue). ``explain`` words an error that stopped the run.
    """
    journal_path = journal if journal is not None else default_journal(path)
    if type_name == "all":
        raise click.BadParameter("a backfill writes one record type: name it", param_hint="TYPE")
    async with open_session(max_in_flight=concurrency) as crm:
        try:
            [target] = await resolve(crm, [type_name], writable=True)
        except UnknownTypeError as exc:
            raise click.BadParameter(str(exc), param_hint="TYPE") from None
        try:
            checker = Checker(target, match_on)
        except MatchOnError as exc:
            raise click.BadParameter(str(exc), param_hint="--match-on") from None
        try:
            book = Journal(journal_path)
        except JournalError as exc:
            _print(err, f"error: {exc}")
            return EXIT_USAGE
        discard = True
        try:
            try:
                book.check_type(target.name)
                rows = book.rows()
                scan = prepass(path, checker, rows)
            except JournalError as exc:
                _print(err, f"error: {exc}")
                return EXIT_USAGE
            for number, message in sorted(scan.invalid.items()):
                _print(err, f"{path}:{number}: {message}")
            if scan.invalid and not skip_invalid:
                count = len(scan.invalid)
                _print(
                    err,
                    f"{count} invalid line{'s' if count != 1 else ''}: nothing was sent. Fix "
                    f"{'them' if count != 1 else 'it'}, or pass --skip-invalid to send the others.",
                )
                return EXIT_USAGE
            book.start(type_name=target.name, source=path)
            discard = False
            settle = crm.timeout.total or 60.0
            if checker.match_on is not None:
                _announce_settling(err, rows, settle)
            with LineBar(err, enabled=progress, name=target.name, total=scan.total) as bar:
                run = Backfill(
                    crm,
                    checker,
                    book,
                    path=path,
                    scan=scan,
                    rows=rows,
                    concurrency=concurrency,
                    advance=bar.advance,
                    settle=settle,
                )
                try:
                    await run.run()
                except sqlite3.Error as exc:
                    # A create under way stays "sending" (committed before it was sent), so
                    # the rerun looks it up rather than sending it again.
                    run.stop = StopError(
                        EXIT_FAILURE, f"the journal {journal_path} could not be written: {exc}"
                    )
            return _report(run, console=console, err=err, journal=journal_path, explain=explain)
        finally:
            book.close(discard=discard)


def _report(
    run: Backfill,
    *,
    console: Console,
    err: Console,
    journal: Path,
    explain: Callable[[InsightlyError], str] = str,
) -> int:
    path = run.path
    for number, message in sorted(run.failures):
        _print(err, f"{path}:{number}: failed: {message}")
    match_on = run.checker.match_on
    for number, message in sorted(run.decisions):
        _print(err, f"{path}:{number}: needs a decision: {message}; it was not resent")
    counts = run.counts
    finished = sum(counts.values())
    left = run.scan.total - finished
    summary = (
        f"{run.checker.target.name}: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['skipped']} skipped (already done), {counts['invalid']} invalid, "
        f"{counts['failed']} failed, {counts['decision']} need a decision"
    )
    if left:
        summary += f", {left} not sent yet"
    _print(console, summary)
    if run.decisions:
        hint = (
            "rerun with --match-on FIELD, a field that tells records apart such as "
            "EMAIL_ADDRESS: each is looked up, then updated if found or created if not"
            if match_on is None
            else "rerun the same command: each is looked up before anything is sent again"
        )
        _print(
            err,
            f"{len(run.decisions)} line(s) may or may not have been created: {hint}. "
            f"The journal is {journal}.",
        )
    if run.stop is not None:
        error = run.stop.error
        reason = explain(error) if error is not None and run.stop.code != EXIT_QUOTA else run.stop
        _print(err, f"stopped: {reason}")
        if run.stop.code == EXIT_QUOTA:
            _print(
                err,
                f"the journal {journal} is saved: rerun the same command once the allowance "
                "is back to send the rest",
            )
        return run.stop.code
    if counts["invalid"]:
        count = counts["invalid"]
        _print(
            err,
            f"{count} invalid line{'s' if count != 1 else ''} skipped (--skip-invalid), "
            "listed above: fix them and run the same command again to send them.",
        )
    if counts["failed"] or counts["decision"]:
        return EXIT_FAILURE
    return EXIT_OK
