"""Export of N contacts through the CLI against the emulator at 150 ms latency and 10/s.

The emulator runs in its own process (so its CPU and memory are not counted), with the
strict sliding window of 10 requests per second and 150 ms ± 50 ms of latency. The export
runs as a user runs it, ``insightly-async export --types contacts``, in a child process
whose peak resident memory is read from the kernel when it exits.

The physical limit is 10 requests per second x 500 records = 5,000 records per second.

    python -m benchmarks.bench_export [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LIMIT = 5000.0  # records per second: 10 requests x 500 records
LATENCY = 0.150
JITTER = 0.050


def _serve(count: int) -> None:
    """Child process: serve an emulator with ``count`` contacts until stdin closes."""
    from insightly_async.testing import FakeInsightly

    async def serve() -> None:
        async with FakeInsightly(seed=1, latency=LATENCY, jitter=JITTER) as fake:
            fake.seed({"contacts": count})
            print(json.dumps({"base_url": fake.base_url, "api_key": fake.api_key}), flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            stats = {
                "statuses": {str(k): v for k, v in fake.log.status_counts().items()},
                "max_in_window": fake.log.max_in_window(1.0),
            }
            print(json.dumps(stats), flush=True)

    asyncio.run(serve())


def measure(count: int) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_export", "--serve", str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        where = json.loads(server.stdout.readline())
        env = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTLY_")}
        env["INSIGHTLY_API_KEY"] = where["api_key"]
        env["INSIGHTLY_BASE_URL"] = where["base_url"]
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, "-m", "insightly_async.cli", "export"]
            command += ["--types", "contacts", "--out", out, "--no-progress"]
            started = time.perf_counter()
            child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            assert child.stdout is not None
            summary = child.stdout.read()
            child.stdout.close()
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                raise RuntimeError(f"export failed ({child.returncode}): {summary}")
            manifest = json.loads((Path(out) / "manifest.json").read_text())
        found = re.search(r"([\d,]+) records, ([\d,]+) requests in ([\d.]+) s", summary)
        if found is None:
            raise RuntimeError(f"no summary line in {summary!r}")
        records = int(found.group(1).replace(",", ""))
        elapsed = float(found.group(3))
        server.stdin.close()
        stats = json.loads(server.stdout.readline())
    finally:
        if server.stdin and not server.stdin.closed:
            server.stdin.close()
        server.wait(timeout=60)
        server.stdout.close()
    return {
        "records": records,
        "expected": count,
        "requests": manifest["requests"],
        "export_seconds": elapsed,
        "process_seconds": wall,
        "records_per_second": records / elapsed,
        "share_of_limit": records / elapsed / LIMIT,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "statuses": stats["statuses"],
        "max_in_window": stats["max_in_window"],
    }


def run(quick: bool = False) -> str:
    """The results as a markdown table."""
    sizes = (2_000, 20_000) if quick else (10_000, 100_000)
    rows = [measure(count) for count in sizes]
    lines = [
        (
            "| contacts | records/s | of 5,000/s limit | export time | requests | 429s "
            "| max in any 1 s | peak RSS |"
        ),
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        assert row["records"] == row["expected"], row
        lines.append(
            f"| {row['records']:,} | {row['records_per_second']:,.0f} "
            f"| {row['share_of_limit']:.1%} | {row['export_seconds']:.1f} s "
            f"| {row['requests']} | {row['statuses'].get('429', 0)} "
            f"| {row['max_in_window']} | {row['peak_rss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 contacts")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        _serve(args.serve)
        return
    print(run(quick=args.quick))


if __name__ == "__main__":
    main()
