"""The ``insightly-async`` command line (needs the ``cli`` extra: click and rich)."""

from insightly_async.cli._main import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_QUOTA,
    EXIT_USAGE,
    cli,
    main,
)

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_QUOTA", "EXIT_USAGE", "cli", "main"]
