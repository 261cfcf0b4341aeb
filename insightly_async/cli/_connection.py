"""Where a command's requests go, the session that sends them, and what a failure means.

The connection flags (``--api-key``, ``--pod``, ``--base-url``, ``--sandbox`` and the
rest) are options of every command that talks to an account. What they resolve to:

- A flag beats its ``INSIGHTLY_*`` variable. ``--pod`` and ``--base-url`` both on the
  command line, or ``INSIGHTLY_POD`` and ``INSIGHTLY_BASE_URL`` both set with neither flag,
  are a usage error: both name the account's address.
- ``--sandbox`` with ``--api-key``, ``--pod`` or ``--base-url`` is a usage error (the
  sandbox is its own account). ``INSIGHTLY_API_KEY``, ``INSIGHTLY_POD`` and
  ``INSIGHTLY_BASE_URL`` set in the environment are ignored under ``--sandbox``, and a
  note on stderr says so: a shell set up for the real account can still try the sandbox.

Before the first request, the API's host name is looked up once: a name that does not
resolve (a mistyped pod) fails at once, naming the pod and the host, instead of after a
retry. A name that stops resolving later fails the same way, after one retry.

:func:`explain` turns an SDK error into the message a user reads: what happened, where,
and what to do next.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import ipaddress
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs
import click
from click.core import ParameterSource

from insightly_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InsightlyError,
    InsightlySession,
    MalformedResponseError,
    PermissionDeniedError,
    ServerError,
    ValidationError,
)
from insightly_async.cli._log import command_logging
from insightly_async.cli._sandbox import sandbox_account

__all__ = [
    "Connection",
    "HostNotFoundError",
    "connection_options",
    "explain",
    "make_connection",
    "open_session",
]

F = TypeVar("F", bound=Callable[..., Any])

#: What the SDK does when a command does not say (one home: the session's signature).
DEFAULT_MAX_RETRIES: int = inspect.signature(InsightlySession).parameters["max_retries"].default
KEY_HELP = "Insightly shows the key under User Settings, API Key"
POD_HELP = (
    "the pod is in the API URL shown beside the key in Insightly "
    "(https://api.na1.insightly.com means --pod na1)"
)


class HostNotFoundError(Exception):
    """The API's host name does not resolve (nothing was sent)."""


@attrs.frozen
class Connection:
    """Where the session goes: an account (key, pod or base URL) or an in-process sandbox.

    ``*_from`` say where a value came from (``--pod``, ``INSIGHTLY_POD``), for messages.
    """

    api_key: str | None
    pod: str | None
    base_url: str | None
    sandbox: bool
    timeout: float = 60.0
    redis: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    verbose: bool = False
    key_from: str = "--api-key"
    address_from: str | None = None

    def where(self, base_url: str) -> str:
        """The account's address as a message names it."""
        if self.sandbox:
            return f"the sandbox at {base_url}"
        if self.pod is not None:
            return f"pod {self.pod} ({base_url}, from {self.address_from})"
        return f"{base_url} (from {self.address_from})"


def _verbose_option(command: F) -> F:
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        help=(
            "Show each request on stderr as it happens: method, path, status, attempt, "
            "and every retry with its wait and cause (never the key)."
        ),
    )(command)


def connection_options(command: F) -> F:
    """The connection flags every command that talks to an account takes."""
    options = [
        click.option(
            "--api-key",
            envvar="INSIGHTLY_API_KEY",
            show_envvar=True,
            metavar="KEY",
            help=(
                f"The API key ({KEY_HELP}). Better in the environment than on the command "
                "line, where other users of the machine can see it."
            ),
        ),
        click.option(
            "--pod",
            envvar="INSIGHTLY_POD",
            show_envvar=True,
            metavar="POD",
            help=f"The account's pod, e.g. na1 or eu1: {POD_HELP}.",
        ),
        click.option(
            "--base-url",
            envvar="INSIGHTLY_BASE_URL",
            show_envvar=True,
            metavar="URL",
            help="The API root instead of a pod, e.g. https://api.na1.insightly.com/v3.1.",
        ),
        click.option(
            "--sandbox",
            is_flag=True,
            help=(
                "Work against an in-process emulator seeded with demo data (and a custom "
                "object, Fruit__c). Not with --api-key, --pod or --base-url; INSIGHTLY_* "
                "variables are ignored, with a note."
            ),
        ),
        click.option(
            "--redis",
            envvar="INSIGHTLY_REDIS_URL",
            show_envvar=True,
            metavar="URL",
            help=(
                "Join the account's fleet in this Redis (redis://host:6379/0): the pacer, "
                "the slow-down after a 429, the quota and the reserve are shared with every "
                "other process on the account."
            ),
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1.0),
            default=60.0,
            show_default=True,
            metavar="SECONDS",
            help="Longest wait for one answer before the attempt counts as failed.",
        ),
        click.option(
            "--max-retries",
            type=click.IntRange(0, 20),
            default=DEFAULT_MAX_RETRIES,
            show_default=True,
            metavar="N",
            help=(
                "Retries of a request that got no answer, a 5xx or a per-second 429, with "
                "growing waits in between (0: fail at the first error)."
            ),
        ),
        _verbose_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _source(ctx: click.Context, name: str) -> ParameterSource | None:
    return ctx.get_parameter_source(name)


def make_connection(kwargs: dict[str, Any]) -> Connection:
    """The connection the flags in ``kwargs`` name (popped from it).

    Raises:
        click.UsageError: a conflict between them, or no key or account named.
    """
    ctx = click.get_current_context()
    values = {name: kwargs.pop(name) for name in ("api_key", "pod", "base_url")}
    flags = {"api_key": "--api-key", "pod": "--pod", "base_url": "--base-url"}
    envs = {name: f"INSIGHTLY_{name.upper()}" for name in values}
    given = {name for name, value in values.items() if value}
    typed = {name for name in given if _source(ctx, name) is not ParameterSource.ENVIRONMENT}
    sandbox = bool(kwargs.pop("sandbox"))
    options: dict[str, Any] = {
        "timeout": kwargs.pop("timeout"),
        "redis": kwargs.pop("redis") or None,
        "max_retries": kwargs.pop("max_retries"),
        "verbose": bool(kwargs.pop("verbose")),
    }
    if sandbox:
        if typed:
            named = " and ".join(flags[name] for name in values if name in typed)
            raise click.UsageError(
                f"--sandbox is an account of its own: it cannot be combined with {named}. "
                "Drop --sandbox to use that account, or drop the other option(s)."
            )
        if given:
            named = ", ".join(envs[name] for name in values if name in given)
            click.echo(
                f"note: --sandbox ignores {named} set in the environment "
                "(the sandbox has its own key and address)",
                err=True,
            )
        return Connection(None, None, None, True, key_from="the sandbox", **options)
    if not values["api_key"]:
        raise click.UsageError(
            f"no API key: pass --api-key KEY or set INSIGHTLY_API_KEY ({KEY_HELP}), "
            "or try the demo account with --sandbox"
        )
    pod, base_url = values["pod"] or None, values["base_url"] or None
    if pod and base_url:
        if {"pod", "base_url"} <= typed:
            raise click.UsageError(
                "--pod and --base-url both name the account's address: give one of them"
            )
        if {"pod", "base_url"}.isdisjoint(typed):
            raise click.UsageError(
                "INSIGHTLY_POD and INSIGHTLY_BASE_URL are both set and both name the "
                "account's address: unset one, or choose with --pod or --base-url"
            )
        # A flag beats the variable of the other one.
        pod, base_url = (pod, None) if "pod" in typed else (None, base_url)
    if not pod and not base_url:
        raise click.UsageError(
            f"which account? pass --pod POD or set INSIGHTLY_POD ({POD_HELP}), or --base-url URL"
        )
    address = "pod" if pod else "base_url"
    return Connection(
        values["api_key"],
        pod,
        base_url,
        False,
        key_from=flags["api_key"] if "api_key" in typed else envs["api_key"],
        address_from=flags[address] if address in typed else envs[address],
        **options,
    )


@contextlib.asynccontextmanager
async def open_session(conn: Connection, **options: Any) -> AsyncIterator[InsightlySession]:
    """A session on the connection (starting the sandbox emulator when asked), with the
    ``insightly_async`` logger on stderr for as long as it is open.

    Raises:
        click.UsageError: the SDK refused the address or an option (nothing was sent).
        HostNotFoundError: the API's host name does not resolve (nothing was sent).
    """
    if conn.redis is not None:
        options["redis"] = conn.redis
    options.update(timeout=conn.timeout, max_retries=conn.max_retries)
    with command_logging(verbose=conn.verbose, secret=conn.api_key) as log:
        if conn.sandbox:
            async with (
                sandbox_account() as fake,
                InsightlySession(api_key=fake.api_key, base_url=fake.base_url, **options) as crm,
            ):
                log.where = conn.where(crm.base_url)
                log.debug(f"requests go to {log.where}")
                yield crm
            return
        try:
            crm = InsightlySession(
                api_key=conn.api_key, pod=conn.pod, base_url=conn.base_url, **options
            )
        except ValidationError as exc:
            raise click.UsageError(str(exc)) from None
        async with crm:
            log.where = conn.where(crm.base_url)
            log.debug(f"requests go to {log.where}; the key comes from {conn.key_from}")
            await _look_up(crm.base_url, conn)
            yield crm


async def _look_up(base_url: str, conn: Connection) -> None:
    """Resolve the API's host name once; fail at once, with a way forward, if it does not.

    A name that does not resolve is a mistyped pod or address far more often than a
    passing fault, and retrying it only delays the answer.
    """
    parts = urlsplit(base_url)
    host = parts.hostname
    if host is None or _is_address(host):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        reason = exc.strerror or str(exc)
        if conn.pod is not None:
            what = f"pod {conn.pod} (from {conn.address_from})"
        else:
            what = f"{base_url} (from {conn.address_from})"
        raise HostNotFoundError(
            f"the host {host} of {what} cannot be found: {reason}. {_address_fix(conn)} "
            "If it is right, check this machine's network and DNS."
        ) from None


def _address_fix(conn: Connection) -> str:
    """How to correct the account's address, by where it came from."""
    if conn.pod is not None:
        return f"Check the pod: {POD_HELP}."
    return "Check the URL (--base-url or INSIGHTLY_BASE_URL)."


def _is_address(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _root(url: str) -> str:
    """The API root of a request's URL (what --base-url names)."""
    parts = urlsplit(url)
    path = parts.path
    at = path.find("/v3.1")
    return f"{parts.scheme}://{parts.netloc}{path[: at + 5] if at >= 0 else ''}"


def _reason(exc: APIConnectionError | APIStatusError) -> str:
    """The error's message without the request it names first."""
    text = str(exc)
    prefix = f"{exc.method} {exc.url}"
    for start in (prefix + ": ", prefix + " -> "):
        if text.startswith(start):
            return text[len(start) :]
    return text


def explain(exc: InsightlyError, conn: Connection) -> str:
    """What a failed command says: what happened, where, and what to do next."""
    url = getattr(exc, "url", None)
    where = conn.where(_root(url)) if isinstance(url, str) else "the API"
    retries = f"after {conn.max_retries} retr{'y' if conn.max_retries == 1 else 'ies'}"
    if isinstance(exc, AuthenticationError):
        return (
            f"the API key was refused ({exc.status}) by {where}; the key came from "
            f"{conn.key_from}.\nCopy the key again ({KEY_HELP}) and pass it with --api-key "
            "or set INSIGHTLY_API_KEY. A key works only on its own pod: "
            f"{POD_HELP}; set it with --pod or INSIGHTLY_POD."
        )
    if isinstance(exc, PermissionDeniedError):
        return (
            f"the key may not do this: {exc.method} {_path(exc.url)} was refused "
            f"({exc.status}) by {where}.\nUse the key of a user with that permission, or "
            "ask the account's administrator for it."
        )
    if isinstance(exc, APITimeoutError):
        return (
            f"no answer from {where} within --timeout {conn.timeout:g} s, {retries} "
            f"({_reason(exc)}).\nIs the server up and reachable from here? --verbose shows "
            "each attempt; a slow server needs a larger --timeout."
        )
    if isinstance(exc, APIConnectionError) and exc.host_unknown:
        return (
            f"the host of {where} cannot be found: {_reason(exc)}.\n{_address_fix(conn)} "
            "If it is right, check this machine's network and DNS."
        )
    if isinstance(exc, APIConnectionError):
        return (
            f"cannot reach {where}: {_reason(exc)}, {retries}.\nCheck that the address is "
            "right and that the server is up and reachable from here; --verbose shows each "
            "attempt."
        )
    if isinstance(exc, ServerError):
        return (
            f"{where} failed to answer {exc.method} {_path(exc.url)}: {_reason(exc)}, "
            f"{retries}.\nThe fault is the server's: try again later."
        )
    if isinstance(exc, MalformedResponseError):
        return (
            f"{exc}.\nIs the address the Insightly API root (https://api.<pod>."
            "insightly.com/v3.1)? If it is, try again later."
        )
    return str(exc)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path
