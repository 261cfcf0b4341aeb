"""Test helpers: ``FakeInsightly``, a faithful emulator of the Insightly REST API v3.1.

It serves the API on loopback with realistic data, per-user visibility, the rate limits
and injectable faults, so code that passes against it works against the real API::

    from insightly_async.testing import FakeInsightly

    async with FakeInsightly(seed=0) as fake:
        fake.seed({"contacts": 1000})
        ...  # point your client at fake.base_url with fake.api_key

With pytest and pytest-asyncio installed, the ``fake_insightly`` fixture gives a started
emulator (see :mod:`insightly_async.testing.pytest_plugin`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insightly_async.testing._churn import Churn
    from insightly_async.testing._fake import FakeInsightly
    from insightly_async.testing._faults import Fault, FaultPlan
    from insightly_async.testing._log import LoggedRequest, RequestLog
    from insightly_async.testing._transport import MockTransport
    from insightly_async.testing.factories import RecordFactory

__all__ = [
    "Churn",
    "FakeInsightly",
    "Fault",
    "FaultPlan",
    "LoggedRequest",
    "MockTransport",
    "RecordFactory",
    "RequestLog",
]

# The pytest plugin inside this package is imported by every pytest session of every
# project that installs insightly_async, so the package itself imports nothing until a
# name is used: a session that never touches the emulator pays nothing and cannot break.
_HOMES = {
    "Churn": "_churn",
    "FakeInsightly": "_fake",
    "Fault": "_faults",
    "FaultPlan": "_faults",
    "LoggedRequest": "_log",
    "MockTransport": "_transport",
    "RecordFactory": "factories",
    "RequestLog": "_log",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
