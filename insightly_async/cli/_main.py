"""``insightly-async``: export, backfill, sandbox and quota.

Exit codes (every command; the table is in :mod:`insightly_async.cli._exit`): 0 done
(a ``backfill --skip-invalid`` whose valid lines all succeeded included: the invalid
lines are listed on stderr); 1 failure, with what happened and what to do; 2 usage
error, nothing sent; 3 the daily allowance or ``--reserve`` reached; 130 interrupted
(Ctrl-C). An export stopped by 1, 3 or 130 keeps its checkpoint (``--resume`` finishes
it), a backfill its journal (the same command again sends the rest).

Where requests go, and what a failure says: :mod:`insightly_async.cli._connection`.
``--verbose`` shows the ``insightly_async`` logger's line for each attempt on stderr
(:mod:`insightly_async.cli._log`).
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console

from insightly_async import (
    InsightlyError,
    QuotaExhaustedError,
    ValidationError,
    __version__,
)
from insightly_async.cli._backfill import default_journal, run_backfill
from insightly_async.cli._connection import (
    Connection,
    HostNotFoundError,
    connection_options,
    explain,
    make_connection,
    open_session,
)
from insightly_async.cli._exit import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_QUOTA, EXIT_USAGE
from insightly_async.cli._export import (
    Exporter,
    ExportError,
    ExportOptions,
    ExportResult,
    preflight,
)
from insightly_async.cli._export_state import MANIFEST
from insightly_async.cli._files import read_json
from insightly_async.cli._progress import RichReporter
from insightly_async.cli._sandbox import FRUIT, SANDBOX_RECORDS, PortUnavailableError, serve
from insightly_async.cli._summary import print_summary
from insightly_async.cli._targets import UnknownTypeError, resolve

__all__ = ["cli", "main"]

T = TypeVar("T")

EXPORT_EPILOG = """\b
Exit codes:
  0    done
  1    failed: a line says what happened and what to do; the checkpoint
       is kept, and --resume finishes the export
  2    usage error: nothing was sent
  3    the daily allowance or --reserve was reached: the checkpoint is
       saved; rerun with --resume later
  130  interrupted (Ctrl-C): the checkpoint is saved; --resume finishes
"""
BACKFILL_EPILOG = """\b
Exit codes:
  0    every line done (with --skip-invalid: every valid line; the invalid
       ones are listed on stderr with their line numbers and why)
  1    failed, or some line failed or needs a decision (listed on stderr);
       the journal keeps every line done: rerun the same command
  2    usage error (bad options, invalid lines): nothing was sent
  3    the daily allowance was reached: the journal is saved; rerun the
       same command later
  130  interrupted (Ctrl-C): the journal is saved; rerun the same command
"""


def _fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _run(
    coro: Coroutine[Any, Any, T],
    conn: Connection,
    *,
    saved: Callable[[], str | None] = lambda: None,
) -> T:
    """Run ``coro``; turn a failure into what happened, what to do, and an exit code.

    ``saved()`` says what a failed or interrupted run left for the next one (the export's
    checkpoint, the backfill's journal), or ``None``.
    """
    try:
        return asyncio.run(coro)
    except click.ClickException:
        raise
    except KeyboardInterrupt:
        click.echo(f"interrupted (Ctrl-C). {saved() or 'Nothing was saved.'}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except HostNotFoundError as exc:
        _fail(str(exc))
    except QuotaExhaustedError as exc:
        _fail(_then(str(exc), saved() or "Try again once the allowance is back."), EXIT_QUOTA)
    except ValidationError as exc:
        _fail(str(exc), EXIT_USAGE)
    except InsightlyError as exc:
        _fail(_then(explain(exc, conn), saved()))
    except OSError as exc:
        _fail(_then(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), saved()))


def _then(message: str, more: str | None) -> str:
    return message if not more else f"{message}\n{more}"


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (e.g. 2026-01-31T12:00:00Z)",
            param_hint="--since",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # a bare time is UTC, as the API's are
    return moment.astimezone(timezone.utc)


def _split_types(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("name at least one type, or all", param_hint="--types")
    return names


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="insightly-async")
def cli() -> None:
    """Export, backfill and inspect an Insightly account at the API's rate ceiling.

    Every command that talks to an account takes --api-key (or INSIGHTLY_API_KEY) and
    --pod or --base-url (or INSIGHTLY_POD / INSIGHTLY_BASE_URL), or --sandbox to try it
    on a demo account. Each command's --help tells more.
    """


# --- export ------------------------------------------------------------------------------


@cli.command(
    short_help="Write records to DIR/<type>.jsonl files, with a manifest.", epilog=EXPORT_EPILOG
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for <type>.jsonl files and manifest.json.",
)
@click.option(
    "--types",
    default=None,
    help=(
        "Comma-separated types (contacts,leads,Fruit__c…) or all. [default: all; with "
        "--incremental, the types the directory holds]"
    ),
)
@click.option(
    "--since",
    metavar="ISO",
    help="Only records updated after this time (2026-01-31 or 2026-01-31T12:00:00Z, UTC).",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Merge what changed since the previous export in --out into its files.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Types exported at once, and pages fetched ahead for each.",
)
@click.option(
    "--reserve",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Stop (exit 3) before the daily allowance falls below this.",
)
@click.option("--resume", is_flag=True, help="Finish the interrupted export in --out.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress display on stderr (default: when stderr is a terminal).",
)
@connection_options
def export(**kwargs: Any) -> None:
    """Write every record of the chosen types to DIR/<type>.jsonl, with DIR/manifest.json.

    A directory that already holds an export keeps the types this run does not export:
    the manifest lists every type the directory holds, and which ones this run refreshed.
    """
    conn = make_connection(kwargs)
    out: Path = kwargs["out"]
    since = _parse_since(kwargs["since"])
    if kwargs["incremental"] and since is not None:
        raise click.UsageError("--incremental takes its start from the manifest: drop --since")
    if kwargs["resume"] and (kwargs["incremental"] or since is not None):
        raise click.UsageError("--resume continues the run as it was started: drop the others")
    if kwargs["resume"]:
        names = _manifest_types(out)
        _same_types(kwargs["types"], names, out)
    elif kwargs["types"] is not None:
        names = _split_types(kwargs["types"])
    elif kwargs["incremental"]:
        names = _mirrored_types(out)
    else:
        names = ["all"]
    options = ExportOptions(
        out=out,
        since=since,
        incremental=kwargs["incremental"],
        resume=kwargs["resume"],
        concurrency=kwargs["concurrency"],
    )
    try:
        preflight(options)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    err = Console(stderr=True)
    show = kwargs["progress"] if kwargs["progress"] is not None else err.is_terminal
    result = _run(
        _export(conn, names, options, reserve=kwargs["reserve"], err=err, progress=show),
        conn,
        saved=functools.partial(_checkpoint_hint, out),
    )
    print_summary(result, out)
    if result.stopped_by_quota:
        click.echo(
            "stopped: the daily allowance (or --reserve) was reached. The checkpoint is "
            f"saved: rerun with --resume --out {out} once the allowance is back.",
            err=True,
        )
        sys.exit(EXIT_QUOTA)


def _manifest(out: Path) -> dict[str, Any] | None:
    try:
        data = read_json(out / MANIFEST)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("types"), dict) else None


def _manifest_types(out: Path) -> list[str]:
    """The types the unfinished run in ``out`` was started with."""
    manifest = _manifest(out)
    if manifest is None:
        raise click.UsageError(f"nothing to resume in {out}: no readable {MANIFEST}")
    refreshed = manifest.get("refreshed")
    return list(refreshed) if isinstance(refreshed, list) else list(manifest["types"])


def _same_types(given: str | None, started: list[str], out: Path) -> None:
    """Refuse a ``--types`` beside ``--resume`` that is not what the run started with (the
    same command again, with ``--resume`` added, is fine)."""
    if given is None:
        return
    names = _split_types(given)
    if names != ["all"] and set(names) != set(started):
        raise click.UsageError(
            f"the unfinished export in {out} is of {','.join(started)}: --resume finishes "
            "those; drop --types (or give the same ones)"
        )


def _mirrored_types(out: Path) -> list[str]:
    """What ``--incremental`` brings up to date by default: the types ``out`` holds."""
    manifest = _manifest(out)
    if manifest is None:
        return ["all"]  # the check before the run says what is wrong
    names = [
        name
        for name, entry in manifest["types"].items()
        if isinstance(entry, dict) and entry.get("state") == "complete"
    ]
    return names or ["all"]


def _checkpoint_hint(out: Path) -> str | None:
    """What an export that stopped left for ``--resume``, as the user is told."""
    manifest = _manifest(out)
    if manifest is None or manifest.get("state") != "partial":
        return None
    return (
        f"The checkpoint is saved in {out / MANIFEST}: `insightly-async export --out {out} "
        "--resume` (with the same connection options) finishes the export."
    )


async def _export(
    conn: Connection,
    names: list[str],
    options: ExportOptions,
    *,
    reserve: int,
    err: Console,
    progress: bool,
) -> ExportResult:
    async with open_session(
        conn, quota_reserve=reserve, max_in_flight=max(options.concurrency * 2, 8)
    ) as crm:
        try:
            targets = await resolve(crm, names)
        except UnknownTypeError as exc:
            raise click.BadParameter(str(exc), param_hint="--types") from None
        rows = [target.name for target in targets]
        with RichReporter(err, enabled=progress, names=rows) as reporter:
            try:
                return await Exporter(crm, targets, options, reporter=reporter).run()
            except ExportError as exc:
                raise click.UsageError(str(exc)) from None


# --- backfill ----------------------------------------------------------------------------


@cli.command(
    short_help="Create or update a record per line of a JSONL file, once.",
    epilog=BACKFILL_EPILOG,
)
@click.argument("type_name", metavar="TYPE")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Lines sent at once (all share the account's pace of 10 requests per second).",
)
@click.option(
    "--match-on",
    metavar="FIELD",
    help="Update the record whose FIELD equals the line's instead of creating one.",
)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The journal of outcomes (default: FILE.journal next to FILE).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help=(
        "Send the valid lines even when some are invalid; those are listed on stderr and "
        "do not make the exit code 1."
    ),
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress display on stderr (default: when stderr is a terminal).",
)
@connection_options
def backfill(**kwargs: Any) -> None:
    """Create (or update) a record for each line of FILE.jsonl, exactly once.

    TYPE is a record type as the export names it (contacts, leads, Fruit__c…); each line
    is a record in the API's wire form, as an export writes them.
    """
    conn = make_connection(kwargs)
    err = Console(stderr=True)
    show = kwargs["progress"] if kwargs["progress"] is not None else err.is_terminal
    journal: Path = kwargs["journal"] or default_journal(kwargs["file"])

    def saved() -> str | None:
        if not journal.exists():
            return None
        return (
            f"The journal {journal} records every line done: run the same command again "
            "to send the rest. Nothing is sent twice: a create that was under way is looked "
            "up first with --match-on, or listed for a decision without it."
        )

    code = _run(
        run_backfill(
            functools.partial(open_session, conn),
            type_name=kwargs["type_name"],
            path=kwargs["file"],
            concurrency=kwargs["concurrency"],
            match_on=kwargs["match_on"],
            journal=kwargs["journal"],
            skip_invalid=kwargs["skip_invalid"],
            console=Console(),
            err=err,
            progress=show,
            explain=functools.partial(_explain, conn=conn),
        ),
        conn,
        saved=saved,
    )
    sys.exit(code)


def _explain(exc: InsightlyError, *, conn: Connection) -> str:
    return explain(exc, conn)


# --- sandbox and quota -------------------------------------------------------------------


@cli.command(short_help="Serve a demo account (the emulator) for trying the commands.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 to serve on (0: any free port).",
)
@click.option(
    "--records",
    type=click.IntRange(min=0),
    default=SANDBOX_RECORDS,
    show_default=True,
    help=f"Demo records of each type (plus the {FRUIT} custom object's few).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the demo data and the key: the same seed gives the same account.",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Delay each answer by about this much (± a third), like a distant server.",
)
@click.option(
    "--daily-limit",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="The daily allowance of requests (small ones show what happens when it runs out).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show each request the emulator answers on stderr: method, path, status.",
)
def sandbox(**kwargs: Any) -> None:
    """Serve the Insightly emulator with seeded demo data until interrupted.

    It behaves like the v3.1 API (10 requests per second, the daily allowance, every
    record type) and holds a custom object, Fruit__c, with a few records. It prints its
    address and key, as the INSIGHTLY_* variables that the other commands read.
    """
    try:
        asyncio.run(serve(**kwargs))
    except PortUnavailableError as exc:
        _fail(str(exc))


@cli.command(short_help="Print the daily allowance and what is left of it.")
@connection_options
def quota(**kwargs: Any) -> None:
    """Print the daily allowance and what is left of it (uses one request).

    Exits 3 when nothing is left.
    """
    conn = make_connection(kwargs)
    limit, remaining, flying = _run(_quota(conn), conn)
    click.echo(f"daily limit: {'?' if limit is None else f'{limit:,}'}")
    click.echo(f"remaining:   {'?' if remaining is None else f'{remaining:,}'}")
    if flying is not None:
        click.echo(f"in flight:   {flying:,} across the fleet in Redis")
    if remaining == 0:
        sys.exit(EXIT_QUOTA)


async def _quota(conn: Connection) -> tuple[int | None, int | None, int | None]:
    async with open_session(conn) as crm:
        flying = None
        try:
            await crm.users.me()
        except QuotaExhaustedError as exc:
            return exc.limit, 0, flying  # the answer that says so carries the figures
        if conn.redis is not None:
            flying = getattr(crm.quota, "in_flight", None)
        return crm.quota.limit, crm.quota.remaining, flying


def main() -> None:
    """Run the command group (the console script, once the extra is known to be there)."""
    cli(prog_name="insightly-async")
