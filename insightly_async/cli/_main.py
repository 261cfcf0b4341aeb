"""``insightly-async``: export, backfill, sandbox and quota.

Exit codes: see :mod:`insightly_async.cli._exit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import attrs
import click
from rich.console import Console
from rich.table import Table

from insightly_async import (
    InsightlyError,
    InsightlySession,
    QuotaExhaustedError,
    ValidationError,
    __version__,
)
from insightly_async.cli._backfill import run_backfill
from insightly_async.cli._exit import EXIT_FAILURE, EXIT_QUOTA, EXIT_USAGE
from insightly_async.cli._export import (
    Exporter,
    ExportError,
    ExportOptions,
    ExportResult,
    TypeState,
    preflight,
)
from insightly_async.cli._export_state import MANIFEST
from insightly_async.cli._files import read_json
from insightly_async.cli._progress import RichReporter
from insightly_async.cli._targets import UnknownTypeError, resolve

__all__ = ["cli", "main"]

SANDBOX_RECORDS = 200  # records of each type in the --sandbox account
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@attrs.frozen
class Connection:
    """Where the session goes: an account (key, pod or base URL) or an in-process sandbox."""

    api_key: str | None
    pod: str | None
    base_url: str | None
    sandbox: bool
    timeout: float = 60.0
    redis: str | None = None


def connection_options(command: F) -> F:
    """The connection flags every subcommand takes."""
    options = [
        click.option(
            "--api-key",
            envvar="INSIGHTLY_API_KEY",
            show_envvar=True,
            help="The API key (better in the environment than on the command line).",
        ),
        click.option("--pod", envvar="INSIGHTLY_POD", show_envvar=True, help="e.g. na1"),
        click.option(
            "--base-url",
            envvar="INSIGHTLY_BASE_URL",
            show_envvar=True,
            help="The API root, e.g. https://api.na1.insightly.com/v3.1",
        ),
        click.option(
            "--sandbox",
            is_flag=True,
            help="Work against an in-process emulator seeded with demo data.",
        ),
        click.option(
            "--redis",
            envvar="INSIGHTLY_REDIS_URL",
            show_envvar=True,
            metavar="URL",
            help=(
                "Join the account's fleet in this Redis (redis://host:6379/0): the pacer, "
                "the slow-down after a 429, the quota and the reserve are shared with every "
                "other process on the account."
            ),
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1.0),
            default=60.0,
            show_default=True,
            metavar="SECONDS",
            help="Longest wait for one answer before the attempt counts as failed.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _connection(kwargs: dict[str, Any]) -> Connection:
    conn = Connection(
        api_key=kwargs.pop("api_key"),
        pod=kwargs.pop("pod"),
        base_url=kwargs.pop("base_url"),
        sandbox=kwargs.pop("sandbox"),
        timeout=kwargs.pop("timeout"),
        redis=kwargs.pop("redis") or None,
    )
    if not conn.sandbox and not conn.api_key:
        raise click.UsageError("no API key: pass --api-key, set INSIGHTLY_API_KEY, or --sandbox")
    if conn.pod and conn.base_url:
        raise click.UsageError("--pod and --base-url are exclusive")
    return conn


@contextlib.asynccontextmanager
async def open_session(conn: Connection, **options: Any) -> AsyncIterator[InsightlySession]:
    """A session on the connection (starting the sandbox emulator when asked)."""
    if conn.redis is not None:
        options["redis"] = conn.redis
    if conn.sandbox:
        from insightly_async.testing import FakeInsightly  # noqa: PLC0415 - only for --sandbox

        async with FakeInsightly(seed=0) as fake:
            fake.seed(SANDBOX_RECORDS)
            async with InsightlySession(
                api_key=fake.api_key, base_url=fake.base_url, timeout=conn.timeout, **options
            ) as crm:
                yield crm
        return
    try:
        crm = InsightlySession(
            api_key=conn.api_key,
            pod=conn.pod,
            base_url=conn.base_url,
            timeout=conn.timeout,
            **options,
        )
    except ValidationError as exc:
        raise click.UsageError(str(exc)) from None
    async with crm:
        yield crm


def _fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro``; turn the SDK's errors into one line and an exit code."""
    try:
        return asyncio.run(coro)
    except click.ClickException:
        raise
    except QuotaExhaustedError as exc:
        _fail(str(exc), EXIT_QUOTA)
    except ValidationError as exc:
        _fail(str(exc), EXIT_USAGE)
    except InsightlyError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted", 130)


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
    """Export, backfill and inspect an Insightly account at the API's rate ceiling."""


# --- export ------------------------------------------------------------------------------


@cli.command()
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
@click.option("--since", help="Only records updated after this ISO 8601 time.")
@click.option(
    "--incremental", is_flag=True, help="Merge what changed since the previous export in --out."
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
    "--progress/--no-progress", default=None, help="Progress bars (default: on a terminal)."
)
@connection_options
def export(**kwargs: Any) -> None:
    """Write every record of the chosen types to DIR/<type>.jsonl, with DIR/manifest.json.

    A directory that already holds an export keeps the types this run does not export:
    the manifest lists every type the directory holds, and which ones this run refreshed.
    """
    conn = _connection(kwargs)
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
    result = _run(_export(conn, names, options, reserve=kwargs["reserve"], err=err, progress=show))
    _summary(result, out)
    if result.stopped_by_quota:
        click.echo(
            "stopped: the daily allowance (or --reserve) was reached; "
            f"the checkpoint is saved: rerun with --resume --out {out}",
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


def _note(state: TypeState) -> str:
    """What this run did to a type, as the summary says it."""
    if state.state == "skipped":
        return state.reason or "skipped"
    if state.state != "complete":
        return "not finished: --resume finishes it"
    if state.mode == "incremental":
        note = "unchanged" if not state.changed else f"{state.changed:,} changed"
        if state.total is not None and state.total != state.count:
            note += (
                f"; the API counts {state.total:,}: only a full export sees deletions "
                "(--types NAME without --incremental)"
            )
    elif state.mode == "since":
        note = "changed since --since"
        if state.reason is not None:
            note = f"exported in full: {state.reason}"
    else:
        note = "exported in full"
    if state.reconciled:
        note += f"; {state.reconciled} re-read: a page came back short"
    return note


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _summary(result: ExportResult, out: Path) -> None:
    console = Console()
    refreshed = [name for name in result.refreshed if name in result.types]
    kept = [name for name in result.types if name not in refreshed]
    title = f"export to {out}: {result.state}"
    if kept:
        title += f", {len(refreshed)} of {len(result.types)} types refreshed"
    table = Table(title=title)
    for column in ("type", "state", "records", "API total", "this run"):
        table.add_column(column, justify="right" if column in ("records", "API total") else "left")
    records = 0
    for name in refreshed:
        state = result.types[name]
        total = "" if state.total is None else f"{state.total:,}"
        table.add_row(name, state.state, f"{state.count:,}", total, _note(state))
        records += state.count
    console.print(table)
    if kept:
        console.print(
            f"kept as earlier runs left them ({_plural(len(kept), 'type')}, listed in "
            f"{out / MANIFEST}): {', '.join(kept)}",
            highlight=False,
        )
    left = "?" if result.quota_remaining is None else f"{result.quota_remaining:,}"
    line = (
        f"{_plural(records, 'record')}, {_plural(result.run_requests, 'request')} "
        f"in {result.elapsed:.1f} s"
    )
    if result.elapsed >= 1.0:  # a rate over less than a second says nothing
        line += f" ({result.run_requests / result.elapsed:.1f} req/s)"
    console.print(f"{line}; daily allowance left: {left}", highlight=False)


# --- backfill ----------------------------------------------------------------------------


@cli.command()
@click.argument("type_name", metavar="TYPE")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True)
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
    help="Send the valid lines even when some are invalid (those are reported).",
)
@click.option(
    "--progress/--no-progress", default=None, help="A progress bar (default: on a terminal)."
)
@connection_options
def backfill(**kwargs: Any) -> None:
    """Create (or update) a record for each line of FILE.jsonl, exactly once."""
    conn = _connection(kwargs)
    err = Console(stderr=True)
    show = kwargs["progress"] if kwargs["progress"] is not None else err.is_terminal
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
        )
    )
    sys.exit(code)


# --- sandbox and quota -------------------------------------------------------------------


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--records", type=click.IntRange(min=0), default=SANDBOX_RECORDS, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True)
@click.option("--daily-limit", type=click.IntRange(min=1), default=100_000, show_default=True)
def sandbox(port: int, records: int, seed: int, latency_ms: float, daily_limit: int) -> None:
    """Serve the Insightly emulator with seeded demo data until interrupted."""
    asyncio.run(_sandbox(port, records, seed, latency_ms / 1000, daily_limit))


async def _sandbox(port: int, records: int, seed: int, latency: float, daily_limit: int) -> None:
    from insightly_async.testing import FakeInsightly  # noqa: PLC0415

    fake = FakeInsightly(seed=seed, latency=latency, jitter=latency / 3, daily_limit=daily_limit)
    fake.seed(records)
    try:
        await fake.start(port)
    except OSError as exc:
        _fail(f"cannot serve on port {port}: {exc.strerror or exc}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    click.echo(f"base url: {fake.base_url}")
    click.echo(f"api key:  {fake.api_key}")
    click.echo(
        f"export:   insightly-async export --base-url {fake.base_url} "
        f"--api-key {fake.api_key} --out export/"
    )
    click.echo("Ctrl-C stops it.", err=True)
    try:
        await stop.wait()
    finally:
        await fake.close()


@cli.command()
@connection_options
def quota(**kwargs: Any) -> None:
    """Print the daily allowance and what is left of it (uses one request)."""
    conn = _connection(kwargs)
    limit, remaining, flying = _run(_quota(conn))
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
