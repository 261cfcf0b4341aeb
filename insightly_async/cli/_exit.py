"""The exit codes of ``insightly-async``, the same for every command.

0 done; 1 failure (one line says why); 2 usage error (nothing was sent); 3 the daily
allowance or the ``--reserve`` was reached (a checkpoint is saved: rerun later with
``--resume``, or rerun the backfill).
"""

from __future__ import annotations

from typing import Final

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_QUOTA", "EXIT_USAGE"]

EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2
EXIT_QUOTA: Final = 3
