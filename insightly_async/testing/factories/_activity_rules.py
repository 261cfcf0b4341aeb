"""Rules of activities and service records: tasks, events, notes, e-mails, milestones,
tickets and knowledge articles."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from insightly_async.testing.factories._calendar import DAY
from insightly_async.testing.factories._engine import Builder
from insightly_async.testing.factories._kit import Row
from insightly_async.testing.factories._people import url_slug
from insightly_async.testing.factories._phrases import (
    ARTICLE_TITLES,
    EMAIL_SUBJECTS,
    EVENT_PLACES,
    EVENT_TITLES,
    MILESTONE_TITLES,
    NOTE_TITLES,
    TASK_TITLES,
    TICKET_SUBJECTS,
)
from insightly_async.testing.factories._shared_rules import links

__all__ = ["RULES"]

_TASK_STATUSES: Final = (
    ("NOT STARTED", 0.35),
    ("IN PROGRESS", 0.6),
    ("COMPLETED", 0.9),
    ("DEFERRED", 0.95),
    ("WAITING", 1.0),
)


def _tasks(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.set("TITLE", 1.0, lambda row: kit.pick(TASK_TITLES))
    b.ref("CATEGORY_ID", "task_categories", 0.6)
    b.set("DETAILS", 0.35, lambda row: kit.prose(2))
    b.set("PRIORITY", 1.0, lambda row: kit.pick((1, 2, 2, 2, 3)))
    b.ref("MILESTONE_ID", "milestones", 0.05)
    b.ref("EMAIL_ID", "emails", 0.05)
    b.ref("PROJECT_ID", "projects", 0.2)
    b.ref("OPPORTUNITY_ID", "opportunities", 0.2)
    b.ref("PARENT_TASK_ID", "tasks", 0.03)
    b.ref("ASSIGNED_TEAM_ID", "teams", 0.03)
    b.set("OWNER_VISIBLE", 1.0, lambda row: r() < 0.8)
    b.set("RECURRENCE", 0.05, lambda row: kit.pick(("FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY")))
    b.required_refs["OWNER_USER_ID"] = "users"
    b.group(
        ("ASSIGNED_BY_USER_ID", "ASSIGNED_DATE_UTC"),
        0.3,
        lambda row: (kit.user(), cal.stamp(row.created)),
    )
    links(b, 0.4, "Contact", "Organisation", "Opportunity", "Project", "Lead")
    now = cal.now

    def progress(row: Row) -> tuple[Any, ...]:
        status = kit.weighted(_TASK_STATUSES)
        done = status == "COMPLETED"
        percent = 100 if done else 0 if status == "NOT STARTED" else 10 * (1 + int(r() * 9))
        start = cal.day(row.created) if r() < 0.6 else None
        due_at = row.created + (1 + int(r() * 30)) * DAY if r() < 0.85 else None
        reminder = None
        if due_at is not None and r() < 0.15:
            reminder = due_at - DAY + 9 * 3_600
        return (
            status,
            done,
            percent,
            cal.stamp(row.updated) if done else None,
            start,
            cal.day(due_at) if due_at is not None else None,
            cal.stamp(reminder) if reminder is not None else None,
            reminder is not None and reminder < now,
        )

    b.group(
        (
            "STATUS",
            "COMPLETED",
            "PERCENT_COMPLETE",
            "COMPLETED_DATE_UTC",
            "START_DATE",
            "DUE_DATE",
            "REMINDER_DATE_UTC",
            "REMINDER_SENT",
        ),
        1.0,
        progress,
    )


def _events(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_place = True
    b.set("TITLE", 1.0, lambda row: kit.pick(EVENT_TITLES))
    b.set(
        "LOCATION",
        0.6,
        lambda row: kit.pick(EVENT_PLACES) if r() < 0.7 else row.place[0],
    )
    b.set("DETAILS", 0.3, lambda row: kit.prose(2))
    links(b, 0.4, "Contact", "Organisation", "Opportunity", "Project", "Lead")
    now = cal.now

    def schedule(row: Row) -> tuple[Any, ...]:
        day = (row.created + int(r() * 21) * DAY) // DAY * DAY + DAY
        if r() < 0.15:
            start, end, all_day = day, day + DAY, True
        else:
            start = day + (8 + int(r() * 9)) * 3_600 + int(r() * 4) * 900
            end = start + kit.pick((30, 45, 60, 60, 90, 120)) * 60
            all_day = False
        reminder = start - 900 if r() < 0.3 else None
        return (
            cal.stamp(start),
            cal.stamp(end),
            all_day,
            cal.stamp(reminder) if reminder is not None else None,
            reminder is not None and reminder < now,
        )

    b.group(
        ("START_DATE_UTC", "END_DATE_UTC", "ALL_DAY", "REMINDER_DATE_UTC", "REMINDER_SENT"),
        1.0,
        schedule,
    )


def _notes(b: Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("TITLE", 1.0, lambda row: kit.pick(NOTE_TITLES))
    b.set(
        "BODY",
        1.0,
        lambda row: f"<p>{kit.prose(4)}</p>" if r() < 0.6 else kit.prose(4),
    )
    links(b, 0.85, "Contact", "Organisation", "Opportunity", "Project", "Lead")


def _emails(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_person = b.need_company = True
    b.set("EMAIL_FROM", 1.0, lambda row: f"{row.first} {row.last} <{row.email}>")
    b.set("SUBJECT", 1.0, lambda row: kit.pick(EMAIL_SUBJECTS))
    b.set("EMAIL_DATE_UTC", 1.0, lambda row: cal.stamp(row.created - int(r() * 600)))
    b.set("FORMAT", 1.0, lambda row: "HTML" if r() < 0.8 else "TEXT")
    b.set("SIZE", 1.0, lambda row: 2_000 + int(r() * 250_000))
    links(b, 0.6, "Contact", "Organisation", "Opportunity", "Project", "Lead")


def _milestones(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.set("TITLE", 1.0, lambda row: kit.pick(MILESTONE_TITLES))
    b.ref("PROJECT_ID", "projects", 0.95)
    b.set("RESPONSIBLE_USER", 1.0, lambda row: row.owner)

    def progress(row: Row) -> tuple[bool, str, str | None]:
        done = r() < 0.4
        due = cal.day(row.created + (7 + int(r() * 90)) * DAY)
        return (done, due, cal.stamp(row.updated) if done else None)

    b.group(("COMPLETED", "DUE_DATE", "COMPLETED_DATE_UTC"), 1.0, progress)


_TICKET_STATUSES: Final = (
    ("NEW", 0.15),
    ("OPEN", 0.45),
    ("PENDING", 0.6),
    ("ON HOLD", 0.65),
    ("SOLVED", 0.85),
    ("CLOSED", 1.0),
)


def _tickets(b: Builder) -> None:
    kit, cal = b.kit, b.kit.cal
    account = b.account
    b.ref("ORGANISATION_ID", "organisations", 0.5)
    b.set(
        "TICKET_TYPE",
        0.85,
        lambda row: kit.pick(("Question", "Problem", "Incident", "Feature Request")),
    )
    b.set("SUBJECT", 1.0, lambda row: kit.pick(TICKET_SUBJECTS))
    b.set("PRIORITY", 1.0, lambda row: kit.pick(("LOW", "NORMAL", "NORMAL", "HIGH", "URGENT")))
    b.const("TO_EMAIL_ADDRESS", f"support@{account.domain}")
    b.ref("CONTACT_ID", "contacts")
    b.set("TICKET_NUMBER", 1.0, lambda row: f"{kit.count('TICKET_NUMBER', 1_001):06d}")
    b.set("SOURCE", 1.0, lambda row: kit.pick(("Email", "Email", "Web Form", "Phone", "API")))

    def status(row: Row) -> tuple[str, str | None, str | None]:
        name = kit.weighted(_TICKET_STATUSES)
        solved = cal.stamp(row.updated) if name in ("SOLVED", "CLOSED") else None
        closed = cal.stamp(row.updated) if name == "CLOSED" else None
        return (name, solved, closed)

    b.group(("TICKET_STATUS", "DATE_SOLVED_UTC", "DATE_CLOSED_UTC"), 1.0, status)


_ARTICLE_STATES: Final = (("Published", 0.7), ("Draft", 0.9), ("Archived", 1.0))


def _knowledge_articles(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    folders = b.account.folder_ids
    # Articles live in folders, which are not a catalog type: the account has a few.
    b.set("FOLDER_ID", 1.0, lambda row: folders[int(r() * len(folders))])
    b.set("ARTICLE_NO", 1.0, lambda row: kit.count("ARTICLE_NO", 1_000))
    b.set("ArticleVersion", 1.0, lambda row: str(1 + int(r() * 3)))
    b.const("Language", "en-US")
    b.set("Body", 1.0, lambda row: f"<p>{kit.prose(5)}</p><p>{kit.prose(3)}</p>")
    b.set("DOWNVOTE_COUNT", 1.0, lambda row: int(r() * 6))
    b.set("UPVOTE_COUNT", 1.0, lambda row: int(r() * 60))
    b.set("PROMOTED", 1.0, lambda row: r() < 0.1)
    b.set("ExternalLinkCount", 1.0, lambda row: str(int(r() * 4)))

    def title(row: Row) -> tuple[str, str]:
        text = kit.pick(ARTICLE_TITLES)
        number = kit.count("URL_SLUG")
        if number > len(ARTICLE_TITLES):
            text += f" (part {1 + number // len(ARTICLE_TITLES)})"
        return (text, f"{url_slug(text)}-{number}")

    def state(row: Row) -> tuple[str, str | None, str | None, str | None]:
        name = kit.weighted(_ARTICLE_STATES)
        if name == "Draft":
            return (name, None, None, None)
        first = cal.stamp(row.created)
        last = cal.stamp(row.updated)
        return (name, first, last, last if name == "Archived" else None)

    b.group(("Title", "URL_SLUG"), 1.0, title)
    b.group(
        ("Status", "FIRST_PUBLISHED_DATE_UTC", "LAST_PUBLISHED_DATE_UTC", "ARCHIVED_DATE_UTC"),
        1.0,
        state,
    )


RULES: Final[Mapping[str, Callable[[Builder], None]]] = {
    "tasks": _tasks,
    "events": _events,
    "notes": _notes,
    "emails": _emails,
    "milestones": _milestones,
    "tickets": _tickets,
    "knowledge_articles": _knowledge_articles,
}
