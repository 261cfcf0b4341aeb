"""Durable files: atomic replacement, fsync'd appends, JSON lines in the API's own order."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - where orjson has no wheel (not CPython)
    _orjson = None

__all__ = ["atomic_write", "dump_line", "fsync_dir", "read_json", "write_json"]


def dump_line(record: Any) -> str:
    """One JSON line, keys in the order the API sent them, text as it came (no escaping).

    Encoded by orjson where it is installed (about ten times faster, so the export's
    writer thread holds the interpreter lock only briefly), else by the json module; the
    two agree but for the exponent of small floats (``1.5e-7`` against ``1.5e-07``).
    """
    if _orjson is not None:
        try:
            line: bytes = _orjson.dumps(record, option=_orjson.OPT_APPEND_NEWLINE)
            return line.decode()
        except _orjson.JSONEncodeError:
            pass  # an integer beyond 64 bits: the json module takes those
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[IO[str]]:
    """Write ``path`` through a temporary file renamed into place only when complete.

    A crash at any point leaves either the old file or the new one, never a mix.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def write_json(path: Path, data: Any) -> None:
    """Replace ``path`` atomically with ``data`` as indented JSON."""
    with atomic_write(path) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)
