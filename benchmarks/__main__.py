"""``python -m benchmarks [NAME ...|all] [--quick] [--seed S] [--strict] [--list]``.

Runs the chosen benchmarks (every ``benchmarks/bench_<name>.py``, found by file name) and
prints a markdown report headed by the command line that reproduces it.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import inspect
import pkgutil
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from types import ModuleType

import benchmarks
from benchmarks._common import Options, Report, render_table

PREFIX = "bench_"


def available() -> list[str]:
    """Benchmark names, from the ``bench_*`` modules of the package (not imported)."""
    return sorted(
        info.name.removeprefix(PREFIX)
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith(PREFIX)
    )


def load(name: str) -> ModuleType:
    module = importlib.import_module(f"benchmarks.{PREFIX}{name}")
    if not callable(getattr(module, "run", None)):
        raise SystemExit(f"benchmarks/{PREFIX}{name}.py has no run(options) function")
    return module


def summary(module: ModuleType) -> str:
    text = getattr(module, "SUMMARY", None) or (module.__doc__ or "").strip()
    return str(text).splitlines()[0] if text else ""


def invoke(module: ModuleType, options: Options) -> Report:
    """Call ``module.run`` in whichever of the two supported forms it has."""
    run = module.run
    if "options" in inspect.signature(run).parameters:
        result = run(options)
    else:
        result = run(quick=options.quick)
    if isinstance(result, Report):
        return result
    if isinstance(result, str):
        return Report(text=result)
    raise SystemExit(f"{module.__name__}.run returned {type(result).__name__}, not a Report")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def environment() -> str:
    versions = ", ".join(
        f"{dist} {_version(dist)}"
        for dist in ("insightly-async", "aiohttp", "aiolimiter", "attrs", "cattrs")
    )
    return (
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}; {versions}"
    )


def parse(argv: Sequence[str], names: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of insightly_async against its emulator.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run: {', '.join(names)} or all (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs (~20 s each)")
    parser.add_argument("--seed", type=int, default=1, help="emulator seed (default 1)")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a benchmark misses a stated goal"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - {*names, "all"})
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (choose from {names} or all)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = available()
    args = parse(argv, names)
    if args.list:
        for name in names:
            print(f"{name:12} {summary(load(name))}")
        return 0
    chosen = names if not args.names or "all" in args.names else list(dict.fromkeys(args.names))
    options = Options(quick=args.quick, seed=args.seed)

    print("# insightly_async benchmarks")
    print()
    print(f"    $ {shlex.join(['python', '-m', 'benchmarks', *argv])}")
    print()
    print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {environment()}")
    all_met = True
    for name in chosen:
        module = load(name)
        started = time.perf_counter()
        report = invoke(module, options)
        took = time.perf_counter() - started
        all_met = all_met and report.goals_met
        blocks = [f"## {name} ({took:.1f} s)"]
        if report.setup:
            blocks.append("\n".join(report.setup))
        blocks.extend(render_table(table) for table in report.tables)
        if report.text:
            blocks.append(report.text.strip("\n"))
        if report.findings:
            blocks.append("\n".join(f"- {line}" for line in report.findings))
        print()
        print("\n\n".join(blocks), flush=True)
    return 1 if args.strict and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
