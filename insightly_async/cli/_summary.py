"""What an export did, as the user reads it at the end of the run."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from insightly_async.cli._export_state import MANIFEST, ExportResult, TypeState

__all__ = ["print_summary"]


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


def print_summary(result: ExportResult, out: Path) -> None:
    """Print what the export did: a row per type it refreshed, the types it kept as they
    were, the records and requests of the run, and the daily allowance left.

    Args:
        result: The export's result.
        out: The export's directory.
    """
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
