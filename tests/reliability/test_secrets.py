"""The secrets sweep: a distinctive API key never shows anywhere the SDK or the CLI writes.

The key, a revoked one, and their HTTP Basic forms are looked for in every repr (session,
views, resources, pacer, quota, transport, requests, answers, models), every exception of
every path that can fail (its message, its args, its attributes and every exception chained
to it), every log record of every logger at every level (DEBUG included, with asyncio's
debug mode on), and every byte the CLI writes: stdout, stderr, progress bars, the export's
files and manifest, the backfill's journal (and its SQLite side files), in-process and in a
``python -X dev`` process that logs everything at DEBUG.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import subprocess
import sys
import traceback
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backfill_support import people, person, write_jsonl
from click.testing import CliRunner, Result
from export_support import ThreadedFake

from insightly_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    Contact,
    InsightlyError,
    InsightlySession,
    MalformedResponseError,
    NotFoundError,
    QuotaExhaustedError,
    RateLimitError,
    ServerError,
    SessionClosedError,
    ValidationError,
)
from insightly_async._sansio import Backoff
from insightly_async.cli import EXIT_FAILURE, EXIT_OK, EXIT_QUOTA, EXIT_USAGE, cli
from insightly_async.testing import FakeInsightly, MockTransport
from insightly_async.testing._faults import FaultKind
from insightly_async.transport import Response

KEY = "secret-KEY-5f3a9c1e7b2d4a60"
REVOKED = "secret-KEY-5f3a-REVOKED-c0ffee42"


def _basic(key: str) -> str:
    return base64.b64encode(f"{key}:".encode()).decode()


def _bare(key: str) -> str:
    return base64.b64encode(key.encode()).decode()


FORMS = [form for key in (KEY, REVOKED) for form in (key, key.lower(), _basic(key), _bare(key))]
FAST = Backoff(base=0.001, cap=0.01)


class Sweep:
    """Everything looked at, and every place a form of a key showed up."""

    def __init__(self) -> None:
        self.looked = 0
        self.found: list[str] = []

    def text(self, where: str, text: str) -> None:
        self.looked += 1
        self.found += [f"{where}: {form!r}" for form in FORMS if form in text]

    def data(self, where: str, data: bytes) -> None:
        self.text(where, data.decode("utf-8", errors="replace"))
        self.text(where, data.decode("latin-1"))

    def obj(self, where: str, *objects: object) -> None:
        for obj in objects:
            self.text(f"{where} repr", repr(obj))
            self.text(f"{where} str", str(obj))

    def error(self, where: str, error: BaseException) -> None:
        """The exception, its args and attributes, and every exception chained to it."""
        self.text(f"{where} traceback", "".join(traceback.format_exception(error)))
        for link in _chain(error):
            name = f"{where} {type(link).__name__}"
            self.obj(name, link)
            self.obj(f"{name} args", *link.args)
            for attribute, value in vars(link).items():
                self.obj(f"{name}.{attribute}", value)

    def records(self, where: str, records: list[logging.LogRecord]) -> None:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        for record in records:
            self.text(f"{where} log {record.name}", formatter.format(record))
            self.obj(f"{where} log args", record.args)

    def files(self, where: str, root: Path) -> int:
        files = [path for path in root.rglob("*") if path.is_file()]
        for path in files:
            self.data(f"{where} {path.relative_to(root)}", path.read_bytes())
        return len(files)

    def result(self, where: str, result: Result) -> None:
        self.text(f"{where} stdout", result.stdout)
        self.text(f"{where} stderr", result.stderr)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.error(where, result.exception)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [error]
    while todo:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo += [e for e in (link.__cause__, link.__context__) if e is not None]
        todo += list(getattr(link, "exceptions", ()))


def test_the_sweep_finds_a_key_wherever_it_hides() -> None:
    sweep = Sweep()
    sweep.text("plain", f"key={KEY}")
    sweep.text("header", f"Authorization: Basic {_basic(KEY)}")
    inner = ValueError(f"Basic {_basic(REVOKED)}")
    try:
        try:
            raise inner
        except ValueError as exc:
            raise RuntimeError("outer") from exc
    except RuntimeError as outer:
        sweep.error("chain", outer)
    assert len(sweep.found) >= 4
    assert any("chain ValueError" in found for found in sweep.found)


def _admin(fake: FakeInsightly) -> dict[str, Any]:
    user = fake.user(fake.api_key)
    del user["USER_ID"]
    user.update(ACCOUNT_OWNER=False, EMAIL_ADDRESS="sweep@example.com")
    return user


async def _raises(
    sweep: Sweep, where: str, kind: type[BaseException], call: Awaitable[Any]
) -> BaseException:
    with pytest.raises(kind) as info:
        await call
    sweep.error(where, info.value)
    return info.value


# --- the SDK ----------------------------------------------------------------------------------


async def test_no_repr_error_or_log_record_of_the_sdk_holds_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    asyncio.get_running_loop().set_debug(True)
    sweep = Sweep()
    async with FakeInsightly(seed=61, rate_limit=None) as fake:
        fake.add_user(_admin(fake), api_key=KEY)
        [contact_id] = fake.seed({"contacts": 1})["contacts"]
        crm = InsightlySession(
            api_key=KEY, base_url=fake.base_url, rate=1000.0, max_retries=1, backoff=FAST
        )
        async with crm:
            me = await crm.users.me()
            contact = await crm.contacts.get(contact_id)
            sweep.obj("objects", crm, crm.with_options(max_retries=0), crm.contacts, me, contact)
            sweep.obj("objects", crm.limiter, crm.quota, crm.timeout, crm._client)
            sweep.obj("transport", crm._client.transport, vars(crm._client.transport))

            async with InsightlySession(api_key=REVOKED, base_url=fake.base_url) as wrong:
                await _raises(sweep, "401", AuthenticationError, wrong.users.me())
                sweep.obj("revoked session", wrong)

            path = f"/Contacts/{contact_id}"
            failures: list[tuple[str, type[InsightlyError], FaultKind, int | None]] = [
                ("500", ServerError, "status", 500),
                ("503", ServerError, "status", 503),
                ("html 502", ServerError, "html_error", 502),
                ("429", RateLimitError, "status", 429),
                ("malformed", MalformedResponseError, "malformed_json", None),
                ("dropped", APIConnectionError, "drop_before", None),
            ]
            for where, kind, fault, status in failures:
                added = fake.faults.add(fault, path=path, status=status)
                await _raises(sweep, where, kind, crm.contacts.get(contact_id))
                fake.faults.remove(added)

            slow = fake.faults.add("latency", delay=1.0, path=path)
            hasty = crm.with_options(timeout=0.2, max_retries=0)
            await _raises(sweep, "timeout", APITimeoutError, hasty.contacts.get(contact_id))
            fake.faults.remove(slow)

            lost = fake.faults.add("drop_after", method="POST", path="/Contacts")
            error = await _raises(
                sweep,
                "lost create",
                APIConnectionError,
                crm.contacts.create(Contact(first_name="A")),
            )
            assert isinstance(error, APIConnectionError)
            assert error.outcome_unknown
            fake.faults.remove(lost)

            await _raises(sweep, "404", NotFoundError, crm.contacts.get(999_999_999))
            bad = crm.contacts.create(Contact(first_name="A", organisation_id=999_999_999))
            await _raises(sweep, "400", BadRequestError, bad)
            stale = crm.contacts.update(contact_id, {"title": "x"}, if_match='"stale"')
            await _raises(sweep, "stale etag", ConflictError, stale)
            await _raises(sweep, "no name", ValidationError, crm.contacts.create({"title": "x"}))

            fake.set_remaining(0)
            await _raises(sweep, "quota", QuotaExhaustedError, crm.contacts.get(contact_id))
            sweep.obj("spent quota", crm.quota)
        await _raises(sweep, "closed", SessionClosedError, crm.contacts.get(contact_id))
        sweep.obj("closed session", crm)

        for where, api_key, pod in [
            ("key with a colon", f"{KEY}:x", "na1"),
            ("key with a space", f"{KEY} x", "na1"),
            ("key with a line break", f"{KEY}\r\nX-Injected: 1", "na1"),
            ("bad pod", KEY, "na 1"),
        ]:
            with pytest.raises(ValidationError) as info:
                InsightlySession(api_key=api_key, pod=pod)
            sweep.error(where, info.value)

    # In unit tests: the requests a MockTransport saw, and the answers it gave.
    transport = MockTransport(lambda request: Response.with_json({"USER_ID": 1}))
    async with InsightlySession(KEY, pod="na1", transport=transport, rate=1000.0) as mocked:
        await mocked.users.me()
    assert transport.requests[0].headers["Authorization"] == f"Basic {_basic(KEY)}"
    sweep.obj("mock", transport, transport.requests, *transport.requests)

    sweep.records("sdk", caplog.records)
    assert len(caplog.records) > 20  # the retries and answers were logged at DEBUG
    assert sweep.looked > 200
    assert sweep.found == []


# --- the CLI, in-process ------------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[ThreadedFake]:
    with ThreadedFake(seed=62, rate_limit=None) as threaded:
        fake = threaded.fake
        threaded.call(lambda: fake.add_user(_admin(fake), api_key=KEY))
        threaded.call(lambda: fake.seed({"contacts": 30, "leads": 10}))
        yield threaded


def _env(served: ThreadedFake, key: str = KEY) -> dict[str, str]:
    return {**served.env(), "INSIGHTLY_API_KEY": key}


def test_no_output_file_journal_or_log_record_of_the_cli_holds_the_key(
    served: ThreadedFake,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("insightly_async.session.DEFAULT_RATE", 1000.0)
    caplog.set_level(logging.DEBUG)
    sweep = Sweep()
    fake = served.fake

    def cli_run(where: str, args: list[str], key: str = KEY) -> Result:
        result = CliRunner().invoke(cli, args, env=_env(served, key), catch_exceptions=False)
        sweep.result(where, result)
        return result

    out = tmp_path / "export"
    export = ["export", "--out", str(out), "--types", "contacts,leads", "--progress"]
    served.call(lambda: fake.set_remaining(1))
    assert cli_run("export stopped", export).exit_code == EXIT_QUOTA
    served.call(lambda: fake.set_remaining(fake.options.daily_limit))
    assert cli_run("export resumed", [*export, "--resume"]).exit_code == EXIT_OK
    assert (out / "contacts.jsonl").exists()

    failing = served.call(lambda: fake.faults.add("status", status=400, path="/Leads"))
    bad = ["export", "--out", str(tmp_path / "failed"), "--types", "leads", "--no-progress"]
    assert cli_run("export failed", bad).exit_code == EXIT_FAILURE
    served.call(lambda: fake.faults.remove(failing))
    wrong = ["export", "--out", str(tmp_path / "wrong"), "--types", "contacts"]
    assert cli_run("export 401", wrong, REVOKED).exit_code == EXIT_FAILURE

    def backfill(name: str, lines: list[dict[str, Any]], *options: str) -> list[str]:
        source = write_jsonl(tmp_path / f"{name}.jsonl", lines)
        return ["backfill", "contacts", str(source), "--progress", *options]

    match = ("--match-on", "EMAIL_ADDRESS", "--timeout", "1")
    lost = backfill("lost", people(6))
    served.call(lambda: fake.faults.add("drop_after", method="POST", path="/Contacts", times=1))
    assert cli_run("backfill decision", lost).exit_code == EXIT_FAILURE
    assert cli_run("backfill resolved", [*lost, *match]).exit_code == EXIT_OK
    spent = backfill("spent", people(5, start=20), *match)
    served.call(lambda: fake.set_remaining(2))
    assert cli_run("backfill quota", spent).exit_code == EXIT_QUOTA
    served.call(lambda: fake.set_remaining(fake.options.daily_limit))
    assert cli_run("backfill finished", spent).exit_code == EXIT_OK
    invalid = backfill("invalid", [person(30), {"FIRST_NAME": "No address"}], *match)
    assert cli_run("backfill invalid", invalid).exit_code == EXIT_USAGE
    assert (
        cli_run("backfill 401", backfill("revoked", people(2)), REVOKED).exit_code == EXIT_FAILURE
    )

    assert cli_run("quota", ["quota"]).exit_code == EXIT_OK
    assert cli_run("quota 401", ["quota"], REVOKED).exit_code == EXIT_FAILURE
    served.call(lambda: fake.set_remaining(0))
    assert cli_run("quota spent", ["quota"]).exit_code == EXIT_QUOTA
    on_argv = ["quota", "--api-key", KEY, "--pod", "na1", "--base-url", fake.base_url]
    assert cli_run("usage error", on_argv).exit_code == EXIT_USAGE

    assert sweep.files("files", tmp_path) >= 6  # files, manifests, journals
    sweep.records("cli", caplog.records)
    assert len(caplog.records) > 20
    assert sweep.found == []


# --- the CLI in a process of its own, -X dev, everything logged at DEBUG --------------------

LOUD_CLI = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "from insightly_async.cli import main; main()"
)


@pytest.mark.slow
def test_a_dev_mode_process_logging_everything_never_prints_the_key(
    served: ThreadedFake, tmp_path: Path
) -> None:
    sweep = Sweep()
    fake = served.fake

    def process(where: str, *args: str, key: str = KEY) -> int:
        done = subprocess.run(
            [sys.executable, "-X", "dev", "-c", LOUD_CLI, *args],
            env=_env(served, key),
            capture_output=True,
            timeout=60,
            check=False,
        )
        sweep.data(f"{where} stdout", done.stdout)
        sweep.data(f"{where} stderr", done.stderr)
        assert b"DEBUG" in done.stderr, done.stderr  # it did log everything
        return done.returncode

    out = tmp_path / "export"
    served.call(lambda: fake.faults.add("drop_after", path="/Leads", times=1))
    assert process("export", "export", "--out", str(out), "--types", "leads") == EXIT_OK
    source = write_jsonl(tmp_path / "people.jsonl", people(3))
    served.call(lambda: fake.faults.add("html_error", method="POST", status=502, times=1))
    assert process("backfill", "backfill", "contacts", str(source)) == EXIT_FAILURE
    assert process("quota 401", "quota", key=REVOKED) == EXIT_FAILURE
    assert sweep.files("files", tmp_path) >= 3
    assert sweep.found == []


# --- a key inside a base URL ----------------------------------------------------------------

WELL_FORMED = [f"http://{KEY}@127.0.0.1:1/v3.1", f"https://u:{KEY}@api.na1.insightly.com/v3.1"]
MALFORMED = [
    f"https://u:{KEY}@api.na1.insightly.com:4430x/v3.1",  # a port that is no number
    f"https://{KEY}@[api.na1.insightly.com/v3.1",  # a bracket left open
    f"https://:{KEY}@",  # no host
]


def _refused_without_the_key(base_url: str) -> list[str]:
    sweep = Sweep()
    with pytest.raises(ValidationError) as info:
        InsightlySession(api_key=KEY, base_url=base_url)
    sweep.error("session", info.value)
    env = {"INSIGHTLY_API_KEY": KEY, "INSIGHTLY_BASE_URL": base_url, "INSIGHTLY_POD": None}
    result = CliRunner().invoke(cli, ["quota"], env=env)
    assert result.exit_code == EXIT_USAGE, result.output
    sweep.result("cli", result)
    return sweep.found


@pytest.mark.parametrize("base_url", WELL_FORMED, ids=["user", "password"])
def test_a_base_url_with_the_key_in_it_is_refused_without_repeating_it(base_url: str) -> None:
    assert _refused_without_the_key(base_url) == []


# A URL that does not parse was repeated whole in the error, credentials included, and the
# CLI printed that message on stderr.
@pytest.mark.parametrize("base_url", MALFORMED, ids=["bad port", "open bracket", "no host"])
def test_a_malformed_base_url_with_the_key_in_it_is_refused_without_repeating_it(
    base_url: str,
) -> None:
    assert _refused_without_the_key(base_url) == []
