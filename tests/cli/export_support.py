"""Helpers for the export tests: an emulator on its own thread, JSONL reading, CLI runs."""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from insightly_async.testing import FakeInsightly

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "samples"
T = TypeVar("T")


class ThreadedFake:
    """A started FakeInsightly served by an event loop on a background thread.

    The CLI runs its own ``asyncio.run``, which cannot nest in a test's loop; with the
    emulator on another thread, a synchronous test can drive the CLI in-process or as a
    subprocess. ``call`` runs a function on the emulator's thread (its store is not
    thread-safe).
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.fake: FakeInsightly

    def __enter__(self) -> ThreadedFake:
        self._thread.start()
        self.fake = self._submit(self._start())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._submit(self.fake.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> FakeInsightly:
        fake = FakeInsightly(**self._options)
        await fake.start()
        return fake

    def _submit(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    def call(self, fn: Callable[[], T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result(timeout=60)

    def env(self) -> dict[str, str]:
        """Environment for a CLI run against this emulator (the key never on argv)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTLY_")}
        env["INSIGHTLY_API_KEY"] = self.fake.api_key
        env["INSIGHTLY_BASE_URL"] = self.fake.base_url
        return env


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ids_of(records: list[dict[str, Any]], id_field: str) -> list[int]:
    return [record[id_field] for record in records]


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def define_fruit(fake: FakeInsightly) -> list[dict[str, Any]]:
    """The recorded ``Fruit__c`` custom object and its records, put into ``fake``."""
    fake.store.define_custom_object(
        sample("read__custom-objects__fruit"), sample("read__fruits-custom-object__custom-fields")
    )
    fruits: list[dict[str, Any]] = sample("read__fruits-custom-object__list")
    fake.store.insert_many("Fruit__c", copy.deepcopy(fruits))
    return fruits


def run_example(
    script: str, served: ThreadedFake, redis_url: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run a documentation example as a user would: a script of its own, warnings as
    errors, pointed at the emulator (and Redis) through the environment."""
    path = tmp_path / "example.py"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-W", "error", str(path)],
        env=served.env() | {"INSIGHTLY_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "insightly_async.cli", *args]


def lines_of(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        yield from handle


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it holds (real time, for subprocess tests)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)
