"""Rules of the CRM's own records: contacts, organisations, leads, opportunities,
projects and prospects."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from insightly_async.testing._schema import OPPORTUNITY_STATES
from insightly_async.testing.factories._calendar import DAY
from insightly_async.testing.factories._engine import Builder
from insightly_async.testing.factories._kit import Row
from insightly_async.testing.factories._people import SALUTATIONS_F, SALUTATIONS_M
from insightly_async.testing.factories._phrases import (
    BID_CURRENCIES,
    JOB_TITLES,
    OPPORTUNITY_DEALS,
    PROJECT_KINDS,
)
from insightly_async.testing.factories._shared_rules import address_gen, links, pipeline

__all__ = ["RULES"]


def _contacts(b: Builder) -> None:
    links(b, 0.15, "Organisation", "Contact", "Opportunity", "Project")


def _organisations(b: Builder) -> None:
    kit = b.kit
    b.set("ORGANISATION_NAME", 1.0, lambda row: row.company)
    b.set("BACKGROUND", 0.3, lambda row: kit.prose(3))
    b.set("PHONE", 0.75, kit.phone)
    b.set("PHONE_FAX", 0.1, kit.phone)
    b.set("WEBSITE", 0.65, lambda row: f"https://www.{row.domain}")
    links(b, 0.1, "Contact", "Organisation", "Opportunity", "Project")


def _leads(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.set("FIRST_NAME", 0.95, lambda row: row.first)
    b.set("TITLE", 0.5, lambda row: kit.pick(JOB_TITLES))
    b.ref("LEAD_SOURCE_ID", "lead_sources")
    b.set("EMAIL", 1.0, lambda row: row.email if r() < 0.75 else "")
    b.set(
        "EMPLOYEE_COUNT",
        1.0,
        lambda row: 0 if r() < 0.6 else int(10 ** (r() * 3.7)),
    )
    b.set(
        "LEAD_DESCRIPTION",
        1.0,
        lambda row: kit.prose(3) if r() < 0.3 else (None if r() < 0.5 else ""),
    )
    b.set("LEAD_RATING", 0.3, lambda row: int(r() * 5) + 1)
    b.set("MOBILE", 0.4, kit.phone)
    b.set("PHONE", 0.5, kit.phone)
    b.set("WEBSITE", 0.3, lambda row: f"https://www.{row.domain}")
    # Most leads carry only the account's default country, as the recorded ones do.
    address_keys = tuple(f"ADDRESS_{part}" for part in ("STREET", "CITY", "STATE", "POSTCODE"))
    full = address_gen(kit, ("STREET", "CITY", "STATE", "POSTCODE", "COUNTRY"), fresh=False)

    def address(row: Row) -> Sequence[str | None]:
        if r() < 0.35:
            return full(row)
        return (None, None, None, None, row.place[2] if r() < 0.7 else None)

    b.group((*address_keys, "ADDRESS_COUNTRY"), 1.0, address)
    links(b, 0.03, "Contact", "Organisation")
    # Conversion: a converted lead points at the contact (and organisation, opportunity)
    # it became, and has the account's converted status.
    reference = b.reference
    kit.ids("lead_statuses")
    contacts = kit.ref("contacts")
    organisations = kit.ref("organisations")
    opportunities = kit.ref("opportunities")
    statuses: dict[str, list[int]] = {"open": [], "converted": []}

    def bind() -> None:
        ids = kit.bound["lead_statuses"] or ()
        converted = [i for i in ids if i == reference.converted_status]
        statuses["converted"] = converted
        statuses["open"] = [i for i in ids if i != reference.converted_status] or list(ids)

    def conversion(row: Row) -> tuple[Any, ...]:
        if r() < 0.06 and kit.bound["contacts"]:
            pool = statuses["converted"] or statuses["open"]
            return (
                pool[int(r() * len(pool))],
                True,
                contacts(row),
                cal.stamp(row.updated),
                opportunities(row) if r() < 0.5 else None,
                organisations(row) if r() < 0.7 else None,
            )
        pool = statuses["open"]
        return (pool[int(r() * len(pool))], False, None, None, None, None)

    b.per_call.append(bind)
    b.required_refs["LEAD_STATUS_ID"] = "lead_statuses"
    b.group(
        (
            "LEAD_STATUS_ID",
            "CONVERTED",
            "CONVERTED_CONTACT_ID",
            "CONVERTED_DATE_UTC",
            "CONVERTED_OPPORTUNITY_ID",
            "CONVERTED_ORGANISATION_ID",
        ),
        1.0,
        conversion,
    )


# The opportunity states with cumulative weights: most deals are open, a fifth won.
_OPPORTUNITY_STATES: Final = tuple(
    zip(OPPORTUNITY_STATES, (0.55, 0.75, 0.90, 0.95, 1.0), strict=True)
)
_BID_TYPES: Final = ("Per Hour", "Per Day", "Per Week", "Per Month", "Per Year")


def _opportunities(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_company = True
    b.set("OPPORTUNITY_NAME", 1.0, lambda row: f"{row.short} - {kit.pick(OPPORTUNITY_DEALS)}")
    b.set("OPPORTUNITY_DETAILS", 0.4, lambda row: kit.prose(3))
    b.ref("CATEGORY_ID", "opportunity_categories", 0.7)
    b.ref("ORGANISATION_ID", "organisations", 0.75)
    b.ref("PRICEBOOK_ID", "price_books", 0.2)
    pipeline(b, 0.75, for_projects=False)
    links(b, 0.35, "Contact", "Organisation", "Project")

    def deal(row: Row) -> tuple[Any, ...]:
        state = kit.weighted(_OPPORTUNITY_STATES)
        amount = kit.amount(500, 250_000)
        if r() < 0.7:
            bid_type, duration = "Fixed Bid", None
        else:
            bid_type = kit.pick(_BID_TYPES)
            duration = {"Per Hour": 40, "Per Day": 10, "Per Week": 6, "Per Month": 12}.get(
                bid_type, 1 + int(r() * 3)
            )
            amount = kit.amount(50, 20_000)
        value = round(amount * (duration or 1), 2)
        if state == "OPEN":
            probability: int = 10 * (1 + int(r() * 9))
            forecast = kit.soon(180)
            closed = None
        else:
            probability = {"WON": 100, "SUSPENDED": 10 * (1 + int(r() * 5))}.get(state, 0)
            forecast = min(row.created + int(r() * 120) * DAY, row.updated)
            closed = cal.day(row.updated) if state != "SUSPENDED" else None
        return (
            state,
            kit.pick(BID_CURRENCIES),
            amount,
            bid_type,
            duration,
            closed,
            value,
            probability,
            cal.day(forecast),
        )

    b.group(
        (
            "OPPORTUNITY_STATE",
            "BID_CURRENCY",
            "BID_AMOUNT",
            "BID_TYPE",
            "BID_DURATION",
            "ACTUAL_CLOSE_DATE",
            "OPPORTUNITY_VALUE",
            "PROBABILITY",
            "FORECAST_CLOSE_DATE",
        ),
        1.0,
        deal,
    )


_PROJECT_STATUSES: Final = (
    ("NOT STARTED", 0.2),
    ("IN PROGRESS", 0.65),
    ("COMPLETED", 0.85),
    ("DEFERRED", 0.92),
    ("CANCELLED", 0.97),
    ("ABANDONED", 1.0),
)


def _projects(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.need_company = True
    b.set("PROJECT_NAME", 1.0, lambda row: f"{row.short} {kit.pick(PROJECT_KINDS)}")
    b.set("PROJECT_DETAILS", 0.4, lambda row: kit.prose(3))
    b.ref("OPPORTUNITY_ID", "opportunities", 0.25)
    b.ref("CATEGORY_ID", "project_categories", 0.7)
    pipeline(b, 0.5, for_projects=True)
    links(b, 0.3, "Contact", "Organisation", "Opportunity")

    def status(row: Row) -> tuple[str, str | None, str | None]:
        name = kit.weighted(_PROJECT_STATUSES)
        if name == "NOT STARTED":
            return (name, None, None)
        started = min(row.created + int(r() * 14) * DAY, row.updated)
        completed = cal.day(row.updated) if name == "COMPLETED" else None
        return (name, cal.day(started), completed)

    b.group(("STATUS", "STARTED_DATE", "COMPLETED_DATE"), 1.0, status)


def _prospects(b: Builder) -> None:
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    b.ref("CONTACT_ID", "contacts", 0.1)
    b.ref("ORGANISATION_ID", "organisations", 0.1)
    b.set("SALUTATION", 0.4, lambda row: kit.pick(SALUTATIONS_F if row.female else SALUTATIONS_M))
    b.set("FIRST_NAME", 0.9, lambda row: row.first)
    b.set("EMAIL_ADDRESS", 1.0, lambda row: row.email)
    b.set("TITLE", 0.5, lambda row: kit.pick(JOB_TITLES))
    b.set("WEBSITE", 0.3, lambda row: f"https://www.{row.domain}")
    b.set("EMPLOYEE_COUNT", 0.3, lambda row: int(10 ** (r() * 3.7)))
    b.set("DESCRIPTION", 0.2, lambda row: kit.prose(2))
    b.set("DO_NOT_EMAIL", 1.0, lambda row: r() < 0.05)
    b.set("DO_NOT_CALL", 1.0, lambda row: r() < 0.05)
    b.set("OPTED_OUT", 1.0, lambda row: r() < 0.04)
    b.set("DO_NOT_SYNC", 1.0, lambda row: r() < 0.02)
    leads = kit.ref("leads")

    def score(row: Row) -> tuple[int, str]:
        value = int(r() * 101)
        grade = "A+" if value >= 90 else "A" if value >= 75 else "B" if value >= 55 else "C"
        return (value, grade if value >= 35 else "D")

    def conversion(row: Row) -> tuple[int | None, str | None]:
        lead = leads(row)
        return (lead, cal.stamp(row.updated) if lead is not None else None)

    b.group(("SCORE", "GRADE"), 1.0, score)
    b.group(("LEAD_ID", "LEAD_CONVERSION_DATE_UTC"), 0.1, conversion)


RULES: Final[Mapping[str, Callable[[Builder], None]]] = {
    "contacts": _contacts,
    "organisations": _organisations,
    "leads": _leads,
    "opportunities": _opportunities,
    "projects": _projects,
    "prospects": _prospects,
}
