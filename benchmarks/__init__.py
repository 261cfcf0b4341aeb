"""Benchmarks of insightly_async against its own emulator.

Run them with ``python -m benchmarks`` (or ``make bench``)::

    python -m benchmarks                  # every benchmark
    python -m benchmarks pacing models    # some of them
    python -m benchmarks all --quick      # shorter runs (under ~20 s each)

The output is a markdown report: the command line that produced it, the versions it ran
with, and one or more tables per benchmark.

Adding a benchmark: create ``benchmarks/bench_<name>.py`` with a ``run`` function, either

* ``def run(options: benchmarks._common.Options) -> benchmarks._common.Report``
  (tables, setup lines, findings, whether the stated goals were met), or
* ``def run(quick: bool = False) -> str``, returning ready-made markdown;

and optionally ``SUMMARY: str`` for ``--list`` (else the docstring's first line).
``python -m benchmarks`` finds it by its file name (``bench_export.py`` runs as
``export``); nothing else needs registering. Keep a default run under ~60 s and a
``--quick`` one under ~20 s.
"""
