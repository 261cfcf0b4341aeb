"""The ``insightly-async`` command line (needs the ``cli`` extra: click and rich)."""

from insightly_async.cli._exit import EXIT_FAILURE, EXIT_OK, EXIT_QUOTA, EXIT_USAGE
from insightly_async.cli._main import cli, main

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_QUOTA", "EXIT_USAGE", "cli", "main"]
