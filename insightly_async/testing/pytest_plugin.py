"""pytest plugin: the ``fake_insightly`` fixture, a started :class:`FakeInsightly`.

Loaded automatically (``pytest11`` entry point) wherever ``insightly_async`` is installed,
so it imports nothing heavy until the fixture is used and never breaks a session: without
pytest-asyncio the fixture fails with a message saying what to install.

Configure it per test with the marker::

    @pytest.mark.fake_insightly(seed=7, records={"contacts": 50}, rate_limit=None)
    async def test_export(fake_insightly):
        ...

``seed`` and every other keyword go to the :class:`FakeInsightly` constructor;
``records`` goes to :meth:`FakeInsightly.seed`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from insightly_async.testing import FakeInsightly

MARKER = "fake_insightly"
_MISSING_ASYNCIO = (
    "the fake_insightly fixture is async and needs pytest-asyncio: "
    "pip install pytest-asyncio (or install the package with its 'test' extra)"
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_insightly`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(seed=0, records=None, **options): configure the fake_insightly fixture "
        "(FakeInsightly constructor options; records is passed to FakeInsightly.seed)",
    )


def _options(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Any]:
    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
    records = options.pop("records", None)
    return options, records


def _make_fixture() -> Any:
    try:
        import pytest_asyncio  # noqa: PLC0415  (optional: absent in some user sessions)
    except ImportError:

        @pytest.fixture(name="fake_insightly")
        def unavailable() -> None:
            """Unavailable: pytest-asyncio is not installed."""
            pytest.fail(_MISSING_ASYNCIO, pytrace=False)

        return unavailable

    @pytest_asyncio.fixture(name="fake_insightly")
    async def fake_insightly(request: pytest.FixtureRequest) -> AsyncIterator[FakeInsightly]:
        """A started :class:`FakeInsightly`, configured by ``@pytest.mark.fake_insightly``."""
        # Imported here, not at module level: the plugin loads in every pytest session.
        from insightly_async.testing import FakeInsightly  # noqa: PLC0415

        options, records = _options(request)
        async with FakeInsightly(**options) as fake:
            if records is not None:
                fake.seed(records)
            yield fake

    return fake_insightly


fake_insightly = _make_fixture()
