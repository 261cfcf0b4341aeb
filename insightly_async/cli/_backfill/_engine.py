"""The second pass of a backfill: workers that send the checked lines, once each.

``--concurrency`` workers share one session (which paces them under the API's ceiling).
Lines that may touch the same record (the same id, or the same ``--match-on`` value) run
one after the other. Every outcome is written to the journal as it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

import attrs

from insightly_async import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InsightlyError,
    InsightlySession,
    MalformedResponseError,
    NotFoundError,
    QuotaExhaustedError,
    ServerError,
    SessionClosedError,
    ValidationError,
)
from insightly_async._facts.wire import OUTCOME_UNKNOWN_STATUSES
from insightly_async.cli._backfill._check import Checker, Plan, Scan, read_lines
from insightly_async.cli._backfill._journal import UNCERTAIN, Journal, Row, line_digest
from insightly_async.cli._exit import EXIT_FAILURE, EXIT_QUOTA
from insightly_async.models import Record

__all__ = ["Backfill", "KeyedLocks", "StopError"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


# Errors that end the whole run (the worker stops it): a line's own handling lets them by.
_RUN_STOPPERS: Final = (QuotaExhaustedError, AuthenticationError, SessionClosedError)
# What else a create can fail with; see _create_failure.
_CREATE_ERRORS: Final = (
    APIConnectionError,
    MalformedResponseError,
    APIStatusError,
    ValidationError,
)


@attrs.define
class Work:
    plan: Plan
    uncertain: bool  # a create of this line may have been applied already
    sent_at: datetime | None = None  # when that create was sent (at the latest)


class KeyedLocks:
    """One lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[None]:
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class StopError(Exception):
    """Ends the run early: the quota is spent, or the key was refused.

    Attributes:
        code: The exit code.
        error: The SDK's error that stopped the run, if one did.
    """

    def __init__(self, code: int, message: str, *, error: InsightlyError | None = None) -> None:
        self.code = code
        self.error = error
        super().__init__(message)


class Backfill:
    """The second pass: N workers, one session, one journal."""

    def __init__(
        self,
        crm: InsightlySession,
        checker: Checker,
        journal: Journal,
        *,
        path: Path,
        scan: Scan,
        rows: dict[int, Row],
        concurrency: int,
        advance: Callable[[], None],
        settle: float = 60.0,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.crm = crm
        self.checker = checker
        self.resource = checker.target.resource
        self.journal = journal
        self.path = path
        self.scan = scan
        self.rows = rows
        self.concurrency = concurrency
        self._advance_bar = advance
        self._settle = settle
        self._clock = clock
        self.counts: Counter[str] = Counter()
        self.failures: list[tuple[int, str]] = []
        self.decisions: list[tuple[int, str]] = []
        self.stop: StopError | None = None
        self._locks = KeyedLocks()

    # --- the run -------------------------------------------------------------------------

    async def run(self) -> None:
        queue: asyncio.Queue[Work | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        tasks = [asyncio.ensure_future(self._produce(queue))]
        tasks += [asyncio.ensure_future(self._worker(queue)) for _ in range(self.concurrency)]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                error = task.exception()
                if error is not None:
                    raise error
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _stopped(self) -> bool:
        return self.stop is not None

    def _halt(self, stop: StopError) -> None:
        if self.stop is None:
            self.stop = stop

    def _advance(self, outcome: str) -> None:
        self.counts[outcome] += 1
        self._advance_bar()

    async def _produce(self, queue: asyncio.Queue[Work | None]) -> None:
        with contextlib.closing(read_lines(self.path)) as lines:
            for number, text in lines:
                if self._stopped():
                    break
                digest = line_digest(text)
                if digest != self.scan.digests.get(number):
                    self._halt(StopError(EXIT_FAILURE, f"{self.path} changed while it was sent"))
                    break
                row = self.rows.get(number)
                if row is not None and row.digest != digest:
                    row = None  # an invalid or failed line since edited: a new line
                if row is not None and row.state == "done":
                    self._advance("skipped")
                    continue
                if number in self.scan.invalid:
                    message = self.scan.invalid[number]
                    if row is not None and row.state in UNCERTAIN:
                        # It keeps its state: were it "invalid", a rerun with other
                        # options could send its create again. It still needs a decision.
                        why = (
                            f"it is invalid now ({message}), and an earlier run's create of "
                            "it may have been applied"
                        )
                        self.decisions.append((number, why))
                        self._advance("decision")
                        continue
                    self.journal.mark(number, digest, "invalid", message=message)
                    self._advance("invalid")
                    continue
                plan = self.checker.check(number, text)
                uncertain = row is not None and row.state in UNCERTAIN
                if uncertain and self.checker.match_on is None:
                    message = (
                        row.message
                        if row is not None and row.message
                        else "an earlier run sent its create and stopped before the answer"
                    )
                    if row is not None and row.state == "sending":
                        self.journal.mark(number, digest, "unknown", message=message)
                    self._decide(plan, message)
                    continue
                sent_at = row.recorded() if uncertain and row is not None else None
                await queue.put(Work(plan, uncertain, sent_at))
        for _ in range(self.concurrency):
            await queue.put(None)

    async def _worker(self, queue: asyncio.Queue[Work | None]) -> None:
        while True:
            work = await queue.get()
            if work is None:
                return
            if self._stopped():
                continue  # left for the rerun
            async with self._locks.hold(work.plan.lock_key):
                if self._stopped():
                    continue
                try:
                    await self._process(work)
                except QuotaExhaustedError as exc:
                    self._halt(StopError(EXIT_QUOTA, str(exc), error=exc))
                except (AuthenticationError, SessionClosedError) as exc:
                    self._halt(StopError(EXIT_FAILURE, str(exc), error=exc))

    async def _process(self, work: Work) -> None:
        plan = work.plan
        if plan.record_id is not None:
            record = self.checker.update_record(plan, plan.record_id)
            await self._update(work, record, "updated")
            return
        if plan.match_value is not None:
            if work.uncertain:
                await self._settled(work)
            try:
                found = await self._search(plan.match_value)
            except _RUN_STOPPERS:
                raise
            except InsightlyError as exc:
                self._fail(work, f"looking it up failed: {exc}")
                return
            if len(found) > 1:
                self._fail(
                    work,
                    f"ambiguous: several {self.checker.target.name} records have "
                    f"{self.checker.match_on} = {plan.match_value!r}; none was changed",
                )
                return
            if found:
                action = "recovered" if work.uncertain else "updated"
                record = self.checker.merged_record(plan, found[0])
                await self._update(work, record, action)
                return
            work.uncertain = False  # looked up: it is not there
        await self._create(work)

    async def _settled(self, work: Work) -> None:
        """Wait until a create an earlier run sent can no longer be in flight.

        A create sent just before a crash may still be on its way, or under way at the
        server: a lookup now would not find it, and the line would be created twice. So
        a line whose create was sent less than the request timeout ago is looked up only
        once that much time has passed since (the journal records when it was sent).
        """
        if work.sent_at is None:
            return
        wait = self._settle - (self._clock() - work.sent_at).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _search(self, value: str | int | float | bool) -> list[dict[str, Any]]:
        """The records whose match field equals ``value`` (two at most), as wire dicts."""
        checker = self.checker
        assert checker.match_on is not None
        paginator = self.resource.search(
            field_name=checker.match_on, field_value=value, page_size=2, raw=True
        )
        page = await paginator.fetch_page(0)
        return list(page.items)

    async def _update(self, work: Work, record: Record, action: str) -> None:
        plan = work.plan
        record_id = record.id
        assert record_id is not None
        try:
            await self.resource.update(record)
        except _RUN_STOPPERS:
            raise
        except NotFoundError:
            self._fail(work, f"no {self.checker.target.name} record has the id {record_id}")
            return
        except InsightlyError as exc:
            self._fail(work, f"the update of record {record_id} failed: {exc}")
            return
        self.journal.mark(plan.line, plan.digest, "done", action=action, record_id=record_id)
        self._advance("updated")

    async def _create(self, work: Work) -> None:
        plan = work.plan
        self.journal.mark(plan.line, plan.digest, "sending")
        try:
            created = await self.resource.create(self.checker.create_record(plan))
        except _RUN_STOPPERS:
            self.journal.forget(plan.line)  # refused before anything was applied
            raise
        except _CREATE_ERRORS as exc:
            applied_maybe, message = _create_failure(exc)
            if applied_maybe:
                self._unknown(plan, message)
            else:
                self._fail(work, message)
            return
        record_id = created.id
        self.journal.mark(plan.line, plan.digest, "done", action="created", record_id=record_id)
        self._advance("created")

    # --- outcomes --------------------------------------------------------------------------

    def _fail(self, work: Work, message: str) -> None:
        plan = work.plan
        # A line whose earlier create may have been applied stays undecided: were it
        # "failed", a rerun without --match-on would create it again.
        state = "unknown" if work.uncertain else "failed"
        self.journal.mark(plan.line, plan.digest, state, message=message)
        self.failures.append((plan.line, message))
        self._advance("failed")

    def _unknown(self, plan: Plan, message: str) -> None:
        self.journal.mark(plan.line, plan.digest, "unknown", message=message)
        self._decide(plan, message)

    def _decide(self, plan: Plan, message: str) -> None:
        self.decisions.append((plan.line, message))
        self._advance("decision")


def _create_failure(exc: InsightlyError) -> tuple[bool, str]:
    """Whether a create that raised ``exc`` (one of ``_CREATE_ERRORS``) may have been
    applied nonetheless, and what to say of it."""
    if isinstance(exc, APIConnectionError):
        if exc.outcome_unknown:
            return True, f"the connection broke after the create was sent ({exc})"
        return False, f"the create was not sent: {exc}"
    if isinstance(exc, MalformedResponseError):
        return True, f"the answer to the create could not be read ({exc})"
    if isinstance(exc, ServerError) and exc.status in OUTCOME_UNKNOWN_STATUSES:
        return True, f"the server failed while creating it ({exc})"
    if isinstance(exc, ServerError):
        return False, f"the create failed: {exc}"
    if isinstance(exc, APIStatusError):
        return False, f"the create was refused: {exc}"
    # A ValidationError: the line was checked before, so it is not expected; nothing was sent.
    return False, f"the create was not sent: {exc}"
