"""Helpers for the emulator's tests: settable clocks, recorded samples, a tiny client."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDictProxy

from insightly_async.testing import FakeInsightly

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
START = datetime(2025, 4, 19, 0, 49, 32, tzinfo=timezone.utc)


def sample(name: str) -> Any:
    """A recorded real response from ``tests/samples``."""
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def basic(key: str, *, colon: bool = True) -> str:
    """An ``Authorization`` value: Basic with ``key`` (and a blank password)."""
    raw = f"{key}:" if colon else key
    return "Basic " + base64.b64encode(raw.encode()).decode()


class WallClock:
    """A settable UTC wall clock."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class MonoClock:
    """A settable monotonic clock."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@attrs.frozen
class Reply:
    """One answer: status, headers and the body (decoded JSON when it is JSON)."""

    status: int
    headers: CIMultiDictProxy[str]
    text: str
    body: Any

    @property
    def message(self) -> str:
        assert isinstance(self.body, dict), self.body
        message = self.body["Message"]
        assert isinstance(message, str)
        return message


@attrs.define
class Api:
    """Plain aiohttp calls against a served emulator, as the administrator by default."""

    session: aiohttp.ClientSession
    fake: FakeInsightly
    key: str

    async def call(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        auth: str | None = None,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
    ) -> Reply:
        all_headers = {"Authorization": auth if auth is not None else basic(key or self.key)}
        all_headers.update(headers or {})
        kwargs: dict[str, Any] = {"params": params, "headers": all_headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        if data is not None:
            kwargs["data"] = data
        async with self.session.request(method, self.fake.url(path), **kwargs) as response:
            text = await response.text()
            decoded: Any = text
            if text and response.content_type == "application/json":
                try:
                    decoded = json.loads(text)
                except ValueError:
                    decoded = text  # a malformed_json fault: the raw text is the body
            return Reply(response.status, response.headers, text, decoded)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("POST", path, body=body, **kwargs)

    async def put(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("PUT", path, body=body, **kwargs)

    async def delete(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return await self.call("DELETE", path, body=body, **kwargs)


StartFake = Callable[..., Awaitable[FakeInsightly]]


def api_for(fake: FakeInsightly, session: aiohttp.ClientSession) -> Api:
    """An :class:`Api` for another emulator."""
    return Api(session, fake, fake.api_key)
