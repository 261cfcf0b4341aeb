"""What a user reads when something goes wrong, and the exit code that comes with it.

Every message says what happened and what to do next. Exit codes: 0 done, 1 failure, 2
usage error, 3 allowance reached, 130 interrupted (signals are sent to real processes).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import click
import pytest
from backfill_support import people, write_jsonl
from click.testing import CliRunner, Result
from export_support import ThreadedFake, cli_command, read_jsonl, wait_for

from insightly_async.cli import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    cli,
)

NO_ACCOUNT = dict.fromkeys(("INSIGHTLY_API_KEY", "INSIGHTLY_POD", "INSIGHTLY_BASE_URL"))


@pytest.fixture(autouse=True)
def _fast_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process runs pace at the real 9.8 requests per second otherwise.
    monkeypatch.setattr("insightly_async.session.DEFAULT_RATE", 1000.0)


@pytest.fixture
def served() -> Iterator[ThreadedFake]:
    with ThreadedFake(seed=6, rate_limit=None) as threaded:
        threaded.call(lambda: threaded.fake.seed({"contacts": 30}))
        yield threaded


def invoke(args: list[str], env: Mapping[str, str | None]) -> Result:
    return CliRunner().invoke(cli, args, env={**env, "COLUMNS": "200"}, catch_exceptions=False)


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def pages_done(manifest: Path, name: str = "contacts") -> int:
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return 0
    return int(data["types"].get(name, {}).get("pages", 0))


# --- 130: interrupted ---------------------------------------------------------------------


@pytest.fixture
def interruptible() -> Iterator[None]:
    """Let the commands started by the test be interrupted, however the suite was started.

    A suite started in the background by a non-interactive shell (``make test &``) runs
    with SIGINT ignored, and a process inherits that: the command would never see the
    Ctrl-C, as a background job should not. A handled signal is reset to its default
    in a new program instead.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def ctrl_c_once(process: subprocess.Popen[str], ready: Callable[[], bool]) -> str:
    """Send the command a Ctrl-C once ``ready()`` holds, while it still runs; its stderr."""
    try:
        wait_for(lambda: ready() or process.poll() is not None)
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return stderr


@pytest.mark.usefixtures("interruptible")
def test_ctrl_c_mid_export_exits_130_and_says_resume_finishes_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with ThreadedFake(seed=8, rate_limit=None, latency=0.05) as served:
        served.call(lambda: served.fake.seed({"contacts": 6000}))
        process = subprocess.Popen(
            cli_command("export", "--out", str(out), "--types", "contacts"),
            env=served.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr = ctrl_c_once(process, lambda: pages_done(out / "manifest.json") >= 2)
        assert process.returncode == EXIT_INTERRUPTED, stderr
        assert "Traceback" not in stderr
        assert stderr.strip().splitlines()[-1] == (
            f"interrupted (Ctrl-C). The checkpoint is saved in {out / 'manifest.json'}: "
            f"`insightly-async export --out {out} --resume` (with the same connection "
            "options) finishes the export."
        )
        resumed = invoke(["export", "--out", str(out), "--resume", "--no-progress"], served.env())
        assert resumed.exit_code == EXIT_OK, resumed.output
        assert len(read_jsonl(out / "contacts.jsonl")) == 6000


@pytest.mark.usefixtures("interruptible")
def test_ctrl_c_mid_backfill_exits_130_and_says_the_journal_keeps_what_is_done(
    tmp_path: Path,
) -> None:
    source = write_jsonl(tmp_path / "people.jsonl", people(80))
    journal = tmp_path / "people.jsonl.journal"
    with ThreadedFake(seed=9, rate_limit=None, latency=0.02) as served:
        process = subprocess.Popen(
            cli_command("backfill", "contacts", str(source), "--no-progress"),
            env=served.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr = ctrl_c_once(
            process, lambda: served.call(lambda: served.fake.store.count("contacts")) >= 5
        )
        assert process.returncode == EXIT_INTERRUPTED, stderr
        assert "Traceback" not in stderr
        assert stderr.strip().splitlines()[-1] == (
            f"interrupted (Ctrl-C). The journal {journal} records every line done: run the "
            "same command again to send the rest. Nothing is sent twice: a create that was "
            "under way is looked up first with --match-on, or listed for a decision without it."
        )
        # (A create under way is looked up once older than --timeout: the shortest here.)
        args = ["backfill", "contacts", str(source), "--match-on", "EMAIL_ADDRESS"]
        again = invoke([*args, "--timeout", "1", "--no-progress"], served.env())
        assert again.exit_code == EXIT_OK, again.output
        emails = served.call(
            lambda: [c["EMAIL_ADDRESS"] for c in served.fake.store.records("contacts")]
        )
        assert sorted(emails) == sorted({line["EMAIL_ADDRESS"] for line in people(80)})


# --- 1: failures, each with a way forward ---------------------------------------------------


def test_a_server_lost_mid_export_says_the_checkpoint_is_saved(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Slow answers, so that the plug is pulled while pages are still to be read.
    with ThreadedFake(seed=8, rate_limit=None, latency=0.3) as served:
        served.call(lambda: served.fake.seed({"contacts": 6000}))
        port = served.fake.port

        def pull_the_plug() -> None:
            wait_for(lambda: pages_done(out / "manifest.json") >= 1)
            served._submit(served.fake.close())

        plug = threading.Thread(target=pull_the_plug)
        plug.start()
        try:
            args = ["export", "--out", str(out), "--types", "contacts", "--concurrency", "1"]
            lost = invoke([*args, "--max-retries", "1", "--no-progress"], served.env())
        finally:
            plug.join(timeout=30)
        assert lost.exit_code == EXIT_FAILURE, lost.output
        base = f"http://127.0.0.1:{port}/v3.1"
        assert lost.stderr.startswith(
            f"{base} (from INSIGHTLY_BASE_URL): no answer (cannot connect, or the connection "
            "broke); retrying up to 1 time with growing waits"
        ), lost.stderr
        assert f"error: cannot reach {base} (from INSIGHTLY_BASE_URL): " in lost.stderr
        assert ", after 1 retry.\nCheck that the address is right" in lost.stderr
        assert lost.stderr.rstrip().endswith(
            f"The checkpoint is saved in {out / 'manifest.json'}: `insightly-async export "
            f"--out {out} --resume` (with the same connection options) finishes the export."
        )
        assert json.loads((out / "manifest.json").read_text())["state"] == "partial"

        served.fake.options.latency = 0.0
        served._submit(served.fake.start(port))  # the server is back
        resumed = invoke(["export", "--out", str(out), "--resume", "--no-progress"], served.env())
        assert resumed.exit_code == EXIT_OK, resumed.output
        assert len(read_jsonl(out / "contacts.jsonl")) == 6000


def test_a_refused_key_says_so_where_it_came_from_and_how_to_set_it(
    served: ThreadedFake,
) -> None:
    env = {**served.env(), "INSIGHTLY_API_KEY": "not-the-key-at-all"}
    result = invoke(["quota"], env)
    assert result.exit_code == EXIT_FAILURE
    first, second = result.stderr.strip().splitlines()
    assert first == (
        f"error: the API key was refused (401) by {served.fake.base_url} (from "
        "INSIGHTLY_BASE_URL); the key came from INSIGHTLY_API_KEY."
    )
    assert "pass it with --api-key or set INSIGHTLY_API_KEY" in second
    assert "User Settings, API Key" in second
    assert "--pod or INSIGHTLY_POD" in second
    assert "not-the-key-at-all" not in result.output

    flag = invoke(["quota", "--api-key", "not-the-key-at-all"], served.env())
    assert "the key came from --api-key." in flag.stderr


def test_a_refused_key_stops_a_backfill_with_the_same_advice(
    served: ThreadedFake, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "people.jsonl", people(3))
    env = {**served.env(), "INSIGHTLY_API_KEY": "not-the-key-at-all"}
    result = invoke(["backfill", "contacts", str(source), "--no-progress"], env)
    assert result.exit_code == EXIT_FAILURE
    assert "stopped: the API key was refused (401)" in result.stderr
    assert "pass it with --api-key or set INSIGHTLY_API_KEY" in result.stderr


def test_a_pod_whose_host_does_not_resolve_fails_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "api.xx9.insightly.com":
            asked.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    started = time.monotonic()
    result = invoke(["quota", "--pod", "xx9"], {**NO_ACCOUNT, "INSIGHTLY_API_KEY": "k" * 36})
    assert time.monotonic() - started < 2.0
    assert result.exit_code == EXIT_FAILURE
    assert asked == ["api.xx9.insightly.com"]  # looked up once; no request, no retry
    assert result.stderr.startswith(
        "error: the host api.xx9.insightly.com of pod xx9 (from --pod) cannot be found: "
        "Name or service not known. Check the pod: the pod is in the API URL shown beside "
        "the key in Insightly (https://api.na1.insightly.com means --pod na1)."
    )


def test_a_host_that_stops_resolving_fails_after_one_retry_with_the_same_advice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "api.xx8.insightly.com":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        if len(asked) == 1:  # the command's own look-up finds it; the DNS then goes away
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    env = {**NO_ACCOUNT, "INSIGHTLY_API_KEY": "k" * 36}
    result = invoke(["quota", "--pod", "xx8", "--max-retries", "6"], env)
    assert result.exit_code == EXIT_FAILURE
    assert asked == ["api.xx8.insightly.com"] * 3  # the look-up, then two tries, not seven
    notice, error, advice = result.stderr.strip().splitlines()
    assert notice == (
        "pod xx8 (https://api.xx8.insightly.com/v3.1, from --pod): a host name that does not "
        "resolve; retrying up to 1 time with growing waits (--max-retries sets how often; "
        "--verbose shows each attempt)"
    )
    assert error.startswith(
        "error: the host of pod xx8 (https://api.xx8.insightly.com/v3.1, from --pod) "
        "cannot be found: cannot resolve the host name"
    )
    assert advice.startswith("Check the pod: the pod is in the API URL shown beside the key")
    assert "k" * 36 not in result.stderr


def test_an_unreachable_address_says_what_it_tries_and_that_it_retries() -> None:
    base = f"http://127.0.0.1:{closed_port()}/v3.1"
    env = {**NO_ACCOUNT, "INSIGHTLY_API_KEY": "k" * 36}
    result = invoke(["quota", "--base-url", base, "--max-retries", "2"], env)
    assert result.exit_code == EXIT_FAILURE
    notice, error, advice = result.stderr.strip().splitlines()
    assert notice == (
        f"{base} (from --base-url): no answer (cannot connect, or the connection broke); "
        "retrying up to 2 times with growing waits (--max-retries sets how often; "
        "--verbose shows each attempt)"
    )
    assert error.startswith(f"error: cannot reach {base} (from --base-url): cannot connect")
    assert error.endswith(", after 2 retries.")
    assert advice.startswith("Check that the address is right")


# --- --verbose ----------------------------------------------------------------------------------


def test_verbose_shows_each_attempt_and_retry_never_the_key(served: ThreadedFake) -> None:
    served.call(
        lambda: served.fake.faults.add(
            "status", status=503, method="GET", path="/Users/Me", times=1
        )
    )
    result = invoke(["quota", "--verbose"], served.env())
    assert result.exit_code == EXIT_OK, result.output
    lines = result.stderr.splitlines()
    stamp = r"\d\d:\d\d:\d\d\.\d{3}"
    assert re.fullmatch(
        rf"{stamp} requests go to {served.fake.base_url} \(from INSIGHTLY_BASE_URL\); the key "
        "comes from INSIGHTLY_API_KEY",
        lines[0],
    )
    assert re.fullmatch(rf"{stamp} GET /v3\.1/Users/Me -> 503 \(attempt 1, .*\)", lines[1])
    assert re.fullmatch(
        rf"{stamp} GET /v3\.1/Users/Me: retry 1 of 5 in \d+\.\d\ds after ServerError", lines[2]
    )
    assert re.fullmatch(rf"{stamp} GET /v3\.1/Users/Me -> 200 \(attempt 2, .*\)", lines[3])
    assert served.fake.api_key not in result.output


def test_every_command_takes_verbose() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert any("--verbose" in param.opts for param in command.params), name


# --- 2: usage errors, nothing sent --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api-key", "k"], "it cannot be combined with --api-key."),
        (["--base-url", "http://127.0.0.1:9/v3.1"], "it cannot be combined with --base-url."),
        (["--pod", "na1", "--api-key", "k"], "it cannot be combined with --api-key and --pod."),
    ],
)
def test_sandbox_with_an_account_option_is_a_usage_error(args: list[str], message: str) -> None:
    result = invoke(["quota", "--sandbox", *args], NO_ACCOUNT)
    assert result.exit_code == EXIT_USAGE
    assert "--sandbox is an account of its own: " + message in result.output
    assert "Drop --sandbox to use that account" in result.output


def test_a_sandbox_on_a_busy_port_says_to_choose_another() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke(["sandbox", "--port", str(port), "--records", "1"], NO_ACCOUNT)
    assert result.exit_code == EXIT_FAILURE
    assert f"error: cannot serve on port {port}" in result.stderr
    assert "Choose another with --port (0 takes any free one)." in result.stderr
    assert "Traceback" not in result.output


def test_sandbox_ignores_the_environment_and_says_so() -> None:
    env = {"INSIGHTLY_API_KEY": "k" * 36, "INSIGHTLY_POD": "na1", "INSIGHTLY_BASE_URL": None}
    result = invoke(["quota", "--sandbox"], env)
    assert result.exit_code == EXIT_OK, result.output
    assert result.stderr.splitlines()[0] == (
        "note: --sandbox ignores INSIGHTLY_API_KEY, INSIGHTLY_POD set in the environment "
        "(the sandbox has its own key and address)"
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ([], {}, "no API key: pass --api-key KEY or set INSIGHTLY_API_KEY"),
        (["--api-key", "k"], {}, "which account? pass --pod POD or set INSIGHTLY_POD"),
        (
            ["--api-key", "k", "--pod", "na1", "--base-url", "https://x.test/v3.1"],
            {},
            "--pod and --base-url both name the account's address: give one of them",
        ),
        (
            ["--api-key", "k"],
            {"INSIGHTLY_POD": "na1", "INSIGHTLY_BASE_URL": "https://x.test/v3.1"},
            "INSIGHTLY_POD and INSIGHTLY_BASE_URL are both set",
        ),
    ],
)
def test_a_missing_or_doubled_account_is_a_usage_error(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = invoke(["quota", *args], {**NO_ACCOUNT, **env})
    assert result.exit_code == EXIT_USAGE
    assert message in result.output


def test_a_flag_beats_the_other_address_variable(served: ThreadedFake) -> None:
    env = {**served.env(), "INSIGHTLY_BASE_URL": None, "INSIGHTLY_POD": "na1"}
    result = invoke(["quota", "--base-url", served.fake.base_url], env)
    assert result.exit_code == EXIT_OK, result.output


# --- help ---------------------------------------------------------------------------------------


def test_top_level_help_shows_each_command_whole_at_80_columns() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    assert result.exit_code == EXIT_OK
    assert isinstance(cli, click.Group)
    listed = result.output.split("Commands:")[1]
    for name, command in cli.commands.items():
        assert command.short_help
        assert f"{name}  " in listed
        assert command.short_help in " ".join(listed.split()), name
    assert "..." not in listed


def test_every_option_has_help() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


@pytest.mark.parametrize("name", ["export", "backfill"])
def test_help_lists_the_exit_codes(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"], terminal_width=80)
    codes = result.output.split("Exit codes:")[1]
    for code in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^\s+{code}\s+\S", codes, re.MULTILINE), code
    if name == "backfill":
        assert "(with --skip-invalid: every valid line; the invalid" in codes


# --- the sandbox ----------------------------------------------------------------------------------


def test_the_sandbox_has_a_custom_object_to_try(tmp_path: Path) -> None:
    result = invoke(
        ["export", "--sandbox", "--out", str(tmp_path), "--types", "Fruit__c", "--no-progress"],
        NO_ACCOUNT,
    )
    assert result.exit_code == EXIT_OK, result.output
    fruits = read_jsonl(tmp_path / "Fruit__c.jsonl")
    assert [fruit["RECORD_NAME"] for fruit in fruits] == [
        "Apple",
        "Banana",
        "Cherry",
        "Plum",
        "Lemon",
    ]
    assert {field["FIELD_NAME"] for field in fruits[0]["CUSTOMFIELDS"]} == {
        "Color__c",
        "Weight__c",
    }


def test_the_sandbox_prints_its_account_as_environment_variables(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTLY_")}
    process = subprocess.Popen(
        cli_command("sandbox", "--port", "0", "--records", "2", "--verbose"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline().rstrip("\n") for _ in range(7)]
        base_url = printed[0].split("base url:")[1].strip()
        api_key = printed[1].split("api key:")[1].strip()
        assert printed[2] == "custom object: Fruit__c (a few records; try --types Fruit__c)"
        assert printed[4:] == [
            f"  export INSIGHTLY_BASE_URL={base_url}",
            f"  export INSIGHTLY_API_KEY={api_key}",
            "  insightly-async export --out export/",
        ]
        assert not any("--api-key" in line for line in printed)
        quota = subprocess.run(
            cli_command("quota"),
            env={**env, "INSIGHTLY_BASE_URL": base_url, "INSIGHTLY_API_KEY": api_key},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert quota.returncode == EXIT_OK, quota.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    # --verbose: each request it answered.
    assert re.search(r"^\d\d:\d\d:\d\d\.\d{3} GET /Users/Me -> 200$", stderr, re.MULTILINE), stderr
