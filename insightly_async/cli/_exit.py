"""The exit codes of ``insightly-async``, the same for every command.

====  ==================================================================================
0     Done. A ``backfill --skip-invalid`` whose valid lines all succeeded is done too:
      it asked to skip the invalid lines, which it lists (with their line numbers and
      why) on stderr and counts in its summary.
1     A failure; a line says what happened and what to do. An export that fails after
      it began keeps its checkpoint (``--resume`` finishes it); a backfill's journal
      keeps every line done (rerunning the same command sends the rest). For a backfill
      also: some line failed, or needs a decision (listed on stderr).
2     A usage error: bad options, bad input lines, a directory or journal that does not
      fit the command. Nothing was sent.
3     The daily allowance, or ``--reserve``, was reached: the export's checkpoint is
      saved (rerun with ``--resume`` later), the backfill's journal too (rerun the same
      command later).
130   Interrupted (Ctrl-C): the export's checkpoint or the backfill's journal is saved, as
      for 1.
====  ==================================================================================
"""

from __future__ import annotations

from typing import Final

__all__ = ["EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_QUOTA", "EXIT_USAGE"]

EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2
EXIT_QUOTA: Final = 3
EXIT_INTERRUPTED: Final = 130  # 128 + SIGINT, as shells report a Ctrl-C
