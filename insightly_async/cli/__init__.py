"""The ``insightly-async`` command line (needs the ``cli`` extra: click and rich).

Importing this package needs neither: :func:`main` checks for them first and says how to
install them, and :data:`cli` (the click group) is loaded on first use.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import TYPE_CHECKING, Any

from insightly_async.cli._exit import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_QUOTA,
    EXIT_USAGE,
)

if TYPE_CHECKING:
    from insightly_async.cli._main import cli

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_QUOTA",
    "EXIT_USAGE",
    "cli",
    "main",
]

_INSTALL_HINT = (
    "insightly-async needs the 'cli' extra (click and rich): install the package with it, "
    "e.g. pip install '.[cli]' in a clone, or pip install click rich"
)
_EXTRA = ("click", "rich")


def _extra_missing() -> bool:
    for name in _EXTRA:
        try:
            importlib.import_module(name)
        except ImportError:
            return True
    return False


def main() -> None:
    """The console script ``insightly-async``."""
    if _extra_missing():
        print(_INSTALL_HINT, file=sys.stderr)
        sys.exit(EXIT_USAGE)
    from insightly_async.cli._main import main as run  # noqa: PLC0415 - needs the extra

    # A command line process lives for one run and holds its imports to the end: moving
    # them out of the collector's reach spares every later collection a pass over them,
    # and collections are the longest pauses of an export's event loop (tens of ms).
    gc.freeze()
    # Pages of records are mostly strings and numbers that hold no cycles, yet every 700
    # new containers (2,000 from Python 3.13) start a young collection: fewer, larger
    # ones cost the same in all and land less often inside one page's decoding. The older
    # generations are collected every 20 young collections instead of 10: a full pass is
    # the longest pause of all, and a streaming export keeps few objects long enough to
    # need it.
    gc.set_threshold(20_000, 20, 20)
    # The export's writer thread encodes and writes pages while the event loop paces and
    # decodes: ask the interpreter to switch threads every 1 ms rather than 5. (A thread
    # inside one C call, such as encoding a page's lines, still holds it to the call's end.)
    sys.setswitchinterval(0.001)
    run()


def __getattr__(name: str) -> Any:
    if name == "cli":
        from insightly_async.cli._main import cli  # noqa: PLC0415 - needs the extra

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
