"""The sandbox account: the emulator with demo data, for ``--sandbox`` and ``sandbox``.

Besides records of every type it defines a custom object, ``Fruit__c`` (a name, and the
custom fields ``Color__c`` and ``Weight__c``) with a few records, so the custom object
examples of the README can be tried on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

import click

if TYPE_CHECKING:
    from insightly_async.testing import FakeInsightly

__all__ = [
    "FRUIT",
    "SANDBOX_RECORDS",
    "PortUnavailableError",
    "add_fruit",
    "sandbox_account",
    "serve",
]

SANDBOX_RECORDS: Final = 200  # records of each type in the --sandbox account
FRUIT: Final = "Fruit__c"

_DEFINITION: Final = {
    "OBJECT_NAME": FRUIT,
    "SINGULAR_LABEL": "Fruit",
    "PLURAL_LABEL": "Fruits",
    "DESCRIPTION": "The sandbox's custom object",
    "RECORD_NAME_LABEL": "Fruit Name",
    "RECORD_NAME_TYPE": "TEXT",
    "RECORD_NAME_DISPLAY_FORMAT": None,
    "ENABLE_NAVBAR": True,
    "ENABLE_WORKFLOWS": True,
}


def _field(name: str, order: int, label: str, kind: str, default: str | None) -> dict[str, Any]:
    return {
        "FIELD_NAME": name,
        "FIELD_ORDER": order,
        "FIELD_FOR": FRUIT.upper(),
        "FIELD_LABEL": label,
        "FIELD_TYPE": kind,
        "FIELD_HELP_TEXT": None,
        "DEFAULT_VALUE": default,
        "EDITABLE": True,
        "VISIBLE": True,
        "CUSTOM_FIELD_OPTIONS": [],
        "DEPENDENCY": None,
        "JOIN_OBJECT": None,
    }


_FIELDS: Final = (
    _field("Weight__c", 1, "Weight", "NUMERIC", "0"),
    _field("Color__c", 2, "Color", "TEXT", None),
)
_FRUITS: Final = (
    ("Apple", "Green", 182),
    ("Banana", "Yellow", 118),
    ("Cherry", "Red", 8),
    ("Plum", "Purple", 66),
    ("Lemon", "Yellow", 58),
)


def add_fruit(fake: FakeInsightly) -> int:
    """Define ``Fruit__c`` in ``fake`` and create its records; how many."""
    fake.store.define_custom_object(_DEFINITION, _FIELDS)
    for name, color, grams in _FRUITS:
        fields = [
            {"FIELD_NAME": "Color__c", "FIELD_VALUE": color},
            {"FIELD_NAME": "Weight__c", "FIELD_VALUE": grams},
        ]
        fake.create(FRUIT, {"RECORD_NAME": name, "CUSTOMFIELDS": fields})
    return len(_FRUITS)


@contextlib.asynccontextmanager
async def sandbox_account(
    *, records: int = SANDBOX_RECORDS, seed: int = 0, port: int = 0, **options: Any
) -> AsyncIterator[FakeInsightly]:
    """A started emulator holding the sandbox account (``options`` go to FakeInsightly).

    Raises:
        OSError: the port cannot be served on.
    """
    from insightly_async.testing import FakeInsightly  # noqa: PLC0415 - loaded when used

    fake = FakeInsightly(seed=seed, **options)
    fake.seed(records)
    add_fruit(fake)
    await fake.start(port)
    try:
        yield fake
    finally:
        await fake.close()


class PortUnavailableError(Exception):
    """The sandbox cannot serve on the port it was given (the message says what to do)."""


async def serve(
    *, port: int, records: int, seed: int, latency_ms: float, daily_limit: int, verbose: bool
) -> None:
    """The ``sandbox`` command: serve the account, print how to reach it, stop on a signal.

    Raises:
        PortUnavailableError: ``port`` cannot be served on.
    """
    latency = latency_ms / 1000
    account = sandbox_account(
        records=records,
        seed=seed,
        port=port,
        latency=latency,
        jitter=latency / 3,
        daily_limit=daily_limit,
    )
    try:
        fake = await account.__aenter__()
    except OSError as exc:
        raise PortUnavailableError(
            f"cannot serve on port {port}: {exc.strerror or exc}. Choose another with --port "
            "(0 takes any free one)."
        ) from None
    try:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        click.echo(f"base url: {fake.base_url}")
        click.echo(f"api key:  {fake.api_key}")
        click.echo(f"custom object: {FRUIT} (a few records; try --types {FRUIT})")
        click.echo("Point the other commands at it from another shell:")
        click.echo(f"  export INSIGHTLY_BASE_URL={fake.base_url}")
        click.echo(f"  export INSIGHTLY_API_KEY={fake.api_key}")
        click.echo("  insightly-async export --out export/")
        click.echo("Ctrl-C stops it.", err=True)
        if verbose:
            await _echo_requests(fake, stop)
        else:
            await stop.wait()
    finally:
        await account.__aexit__(None, None, None)


async def _echo_requests(fake: FakeInsightly, stop: asyncio.Event) -> None:
    """Each request the emulator answers, on stderr, until ``stop`` is set."""
    shown = 0
    while True:
        last = stop.is_set()  # then whatever is left, once more
        entries = list(fake.log)
        while shown < len(entries):
            entry = entries[shown]
            if not last and entry.status is None and time.monotonic() - entry.arrival < 2.0:
                break  # still being answered
            query = f"?{urlencode(entry.query)}" if entry.query else ""
            status = entry.status if entry.status is not None else "no answer"
            moment = entry.wall.astimezone().strftime("%H:%M:%S.%f")[:-3]
            click.echo(f"{moment} {entry.method} {entry.path}{query} -> {status}", err=True)
            shown += 1
        if last:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.2)
