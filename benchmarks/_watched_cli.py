"""Run ``insightly-async`` as a user does, watching its event loop for stalls.

``python -m benchmarks._watched_cli export ...`` runs the command line in this process,
with one extra task on its event loop that sleeps 5 ms at a time and records how late each
wake-up is: the longest lateness is the longest time the loop was kept from running
anything else (a page decoded, a file written on the loop, a garbage collection). The
figures go to stderr as one JSON line, after the command's own output.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

from insightly_async.cli import main

T = TypeVar("T")
TICK = 0.005

_late: list[float] = []
_run = asyncio.run


def _watched_run(coro: Coroutine[Any, Any, T], **options: Any) -> T:
    async def watched() -> T:
        async def watch() -> None:
            loop = asyncio.get_running_loop()
            while True:
                before = loop.time()
                await asyncio.sleep(TICK)
                _late.append(loop.time() - before - TICK)

        watcher = asyncio.ensure_future(watch())
        try:
            return await coro
        finally:
            watcher.cancel()

    return _run(watched(), **options)


def _report() -> None:
    late = sorted(_late) or [0.0]
    stalls = {
        "longest_stall_ms": late[-1] * 1000,
        "p99_stall_ms": late[int(len(late) * 0.99)] * 1000,
        "ticks": len(late),
    }
    sys.stderr.write(json.dumps({"loop": stalls}) + "\n")


if __name__ == "__main__":
    asyncio.run = _watched_run  # type: ignore[assignment]
    atexit.register(_report)
    sys.argv[0] = "insightly-async"
    main()
