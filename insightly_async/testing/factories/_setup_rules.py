"""Rules of an account's setup: users, pipelines and stages, the lists (sources,
statuses, categories, reasons, relationships, countries, currencies) and teams."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from insightly_async.testing.factories._engine import Builder
from insightly_async.testing.factories._kit import Row, work_email
from insightly_async.testing.factories._lists import (
    ACTIVITY_SETS,
    COUNTRIES,
    CURRENCIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    OPPORTUNITY_CATEGORIES,
    PIPELINES,
    PROJECT_CATEGORIES,
    RELATIONSHIPS,
    STATE_REASONS,
    TASK_CATEGORIES,
    TEAM_NAMES,
)
from insightly_async.testing.factories._phrases import TIMEZONES

__all__ = ["RULES"]

_PIPELINE_NAMES: Final = tuple(pipeline[0] for pipeline in PIPELINES)
_STAGE_NAMES: Final = ("Qualification", "Proposal", "Negotiation", "Kickoff", "Build", "Launch")


def _pipelines(b: Builder) -> None:
    kit, r = b.kit, b.kit.r
    b.set("PIPELINE_NAME", 1.0, lambda row: kit.pick(_PIPELINE_NAMES))
    b.group(
        ("FOR_OPPORTUNITIES", "FOR_PROJECTS"),
        1.0,
        lambda row: (True, False) if r() < 0.6 else (False, True),
    )


def _pipeline_stages(b: Builder) -> None:
    kit = b.kit
    b.ref("PIPELINE_ID", "pipelines")
    b.set("STAGE_NAME", 1.0, lambda row: kit.pick(_STAGE_NAMES))
    b.set("STAGE_ORDER", 1.0, lambda row: kit.count("STAGE_ORDER"))
    b.ref("ACTIVITYSET_ID", "activity_sets", 0.2)


def _users(b: Builder) -> None:
    kit = b.kit
    account = b.account
    b.need_company = False
    b.set("EMAIL_ADDRESS", 1.0, lambda row: work_email(row, account.domain))
    b.set("TIMEZONE_ID", 1.0, lambda row: kit.pick(TIMEZONES))
    b.group(("EMAIL_DROPBOX_IDENTIFIER", "EMAIL_DROPBOX_ADDRESS"), 1.0, lambda row: kit.dropbox())
    b.const("ACTIVE", True)
    b.const("USER_CURRENCY", "USD")
    b.set("CONTACT_DISPLAY", 1.0, lambda row: kit.pick(("FirstLast", "LastFirst")))
    b.set("CONTACT_ORDER", 1.0, lambda row: kit.pick(("FirstLast", "LastFirst")))
    b.set("TASK_WEEK_START", 1.0, lambda row: kit.pick((1, 2)))
    b.const("INSTANCE_ID", account.instance_id)


def _lead_sources(b: Builder) -> None:
    kit = b.kit
    b.set("LEAD_SOURCE", 1.0, lambda row: kit.pick(LEAD_SOURCES))
    b.set("FIELD_ORDER", 1.0, lambda row: kit.count("FIELD_ORDER"))


def _lead_statuses(b: Builder) -> None:
    kit = b.kit
    b.set("LEAD_STATUS", 1.0, lambda row: kit.pick(LEAD_STATUSES)[0])
    b.const("STATUS_TYPE", 1)
    b.set("FIELD_ORDER", 1.0, lambda row: kit.count("FIELD_ORDER"))


def _categories(vocabulary: tuple[tuple[str, str, bool], ...]) -> Callable[[Builder], None]:
    def rules(b: Builder) -> None:
        kit = b.kit

        def category(row: Row) -> tuple[str, bool, str]:
            name, colour, _active = kit.pick(vocabulary)
            return (name, True, colour)

        b.group(("CATEGORY_NAME", "ACTIVE", "BACKGROUND_COLOR"), 1.0, category)

    return rules


def _opportunity_state_reasons(b: Builder) -> None:
    kit = b.kit

    def reason(row: Row) -> tuple[str, str]:
        text, state = kit.pick(STATE_REASONS)
        return (text, state)

    b.group(("STATE_REASON", "FOR_OPPORTUNITY_STATE"), 1.0, reason)


def _relationships(b: Builder) -> None:
    kit = b.kit
    b.group(
        (
            "FORWARD_TITLE",
            "FORWARD",
            "REVERSE_TITLE",
            "REVERSE",
            "FOR_CONTACTS",
            "FOR_ORGANISATIONS",
        ),
        1.0,
        lambda row: kit.pick(RELATIONSHIPS),
    )


def _teams(b: Builder) -> None:
    kit = b.kit
    b.set("TEAM_NAME", 1.0, lambda row: kit.pick(TEAM_NAMES))


def _team_members(b: Builder) -> None:
    b.ref("TEAM_ID", "teams")
    b.ref("MEMBER_USER_ID", "users")


def _activity_sets(b: Builder) -> None:
    kit = b.kit
    flags = ("FOR_CONTACTS", "FOR_ORGANISATIONS", "FOR_OPPORTUNITIES", "FOR_PROJECTS", "FOR_LEADS")

    def activity_set(row: Row) -> tuple[Any, ...]:
        name, *rest = kit.pick(ACTIVITY_SETS)
        return (name, *rest[:5])

    b.group(("NAME", *flags), 1.0, activity_set)


def _countries(b: Builder) -> None:
    kit = b.kit
    b.set("COUNTRY_NAME", 1.0, lambda row: kit.pick(COUNTRIES))


def _currencies(b: Builder) -> None:
    kit = b.kit
    b.group(("CURRENCY_CODE", "CURRENCY_SYMBOL"), 1.0, lambda row: kit.pick(CURRENCIES))


RULES: Final[Mapping[str, Callable[[Builder], None]]] = {
    "pipelines": _pipelines,
    "pipeline_stages": _pipeline_stages,
    "users": _users,
    "lead_sources": _lead_sources,
    "lead_statuses": _lead_statuses,
    "opportunity_categories": _categories(OPPORTUNITY_CATEGORIES),
    "project_categories": _categories(PROJECT_CATEGORIES),
    "task_categories": _categories(TASK_CATEGORIES),
    "opportunity_state_reasons": _opportunity_state_reasons,
    "relationships": _relationships,
    "teams": _teams,
    "team_members": _team_members,
    "activity_sets": _activity_sets,
    "countries": _countries,
    "currencies": _currencies,
}
