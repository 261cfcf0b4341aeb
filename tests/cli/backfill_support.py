"""Helpers for the backfill tests: input files, the journal's rows, the emulator's store."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from export_support import ThreadedFake

from insightly_async.cli import cli


def person(n: int, **fields: Any) -> dict[str, Any]:
    """A contact line with a unique e-mail address."""
    line: dict[str, Any] = {
        "FIRST_NAME": f"Ada{n}",
        "LAST_NAME": f"Lovelace-{n}",
        "EMAIL_ADDRESS": f"ada{n}@backfill.test",
    }
    line.update(fields)
    return line


def people(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [person(n) for n in range(start, start + count)]


def write_jsonl(path: Path, lines: Iterable[dict[str, Any] | str]) -> Path:
    """One line per item: a dict as compact JSON, a string as it is."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            text = line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
            handle.write(text + "\n")
    return path


def journal_rows(path: Path) -> dict[int, tuple[str, str | None, int | None]]:
    """``{line: (state, action, record_id)}`` as the journal has them."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT line, state, action, record_id FROM lines").fetchall()
    return {line: (state, action, record_id) for line, state, action, record_id in rows}


def states(path: Path) -> Counter[str]:
    return Counter(state for state, _, _ in journal_rows(path).values())


def run(served: ThreadedFake, *args: str) -> Result:
    """``insightly-async backfill ARGS`` in-process, against ``served``."""
    return CliRunner().invoke(
        cli, ["backfill", *args, "--no-progress"], env=served.env(), catch_exceptions=False
    )


def writes(served: ThreadedFake) -> list[tuple[str, str, Any]]:
    """``(method, path, body)`` of every POST and PUT the emulator received."""
    return served.call(
        lambda: [
            (entry.method, entry.path, entry.body)
            for entry in served.fake.log
            if entry.method in ("POST", "PUT")
        ]
    )


def requests(served: ThreadedFake) -> int:
    return served.call(lambda: len(served.fake.log))


def clear_log(served: ThreadedFake) -> None:
    served.call(served.fake.log.clear)


def contacts(served: ThreadedFake) -> list[dict[str, Any]]:
    return served.call(lambda: served.fake.store.records("contacts"))


def emails(served: ThreadedFake) -> Counter[str]:
    """How many contacts carry each e-mail address."""
    return Counter(c["EMAIL_ADDRESS"] for c in contacts(served) if c.get("EMAIL_ADDRESS"))
