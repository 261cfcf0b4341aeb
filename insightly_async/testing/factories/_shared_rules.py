"""Rules for the fields many record types share: names, contacts, places, lists.

:func:`common_rules` runs for every catalog type before its own rules, keyed by wire
name (a type without the field skips the rule); the other functions here are the
building blocks that types call with their own odds (links, pipelines, addresses).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final

from insightly_async._facts.catalog import CATALOG
from insightly_async._facts.wire import format_body_date
from insightly_async.testing.factories._calendar import DAY
from insightly_async.testing.factories._engine import Builder
from insightly_async.testing.factories._kit import Gen, GroupGen, Kit, Record, Row
from insightly_async.testing.factories._people import (
    FIRST,
    FIRST_SLUGS,
    LAST,
    LAST_SLUGS,
    PLACES,
    SALUTATIONS_F,
    SALUTATIONS_M,
)
from insightly_async.testing.factories._phrases import (
    INDUSTRIES,
    JOB_TITLES,
    LINK_ROLES,
    OCCASIONS,
    TAGS,
)

__all__ = ["address_gen", "basics", "common_rules", "links", "pipeline", "visibility"]

# Catalog types by the singular name links use (``Contact``).
_BY_OBJECT_NAME: Final = {rtype.object_name: rtype for rtype in CATALOG}

_ADDRESS_KEY = re.compile(r"^(ADDRESS_(?:[A-Z]+_)?)(NAME|STREET|CITY|STATE|POSTCODE|COUNTRY)$")


def basics(b: Builder) -> None:
    """Times, owner, creator and visibility: what every type that has them fills alike."""
    kit, cal = b.kit, b.kit.cal
    b.maybe("DATE_CREATED_UTC", 1.0, lambda row: cal.stamp(row.created))
    b.maybe("DATE_UPDATED_UTC", 1.0, lambda row: cal.stamp(row.updated))
    b.maybe("OWNER_USER_ID", 1.0, lambda row: row.owner)
    b.maybe("CREATED_USER_ID", 1.0, lambda row: row.creator)
    if b.has("VISIBLE_TO"):
        b.group(("VISIBLE_TO", "VISIBLE_TEAM_ID"), 1.0, visibility(kit))


def common_rules(b: Builder) -> None:
    """Rules for the fields many types share, by wire name."""
    kit, cal, r = b.kit, b.kit.cal, b.kit.r
    person = b.has("FIRST_NAME")
    basics(b)
    b.maybe("RESPONSIBLE_USER_ID", 1.0, lambda row: row.owner if r() < 0.8 else kit.user())
    b.maybe(
        "SALUTATION",
        0.6,
        lambda row: kit.pick(SALUTATIONS_F if row.female else SALUTATIONS_M),
    )
    b.maybe("FIRST_NAME", 1.0, lambda row: row.first)
    b.maybe("LAST_NAME", 1.0, lambda row: row.last)
    b.maybe("EMAIL_ADDRESS", 0.9, lambda row: row.email)
    b.maybe("TITLE", 0.6, lambda row: kit.pick(JOB_TITLES))
    for key, p in (
        ("PHONE", 0.6),
        ("PHONE_HOME", 0.15),
        ("PHONE_MOBILE", 0.45),
        ("PHONE_OTHER", 0.04),
        ("PHONE_ASSISTANT", 0.04),
        ("PHONE_FAX", 0.05),
        ("MOBILE", 0.4),
        ("FAX", 0.04),
    ):
        b.maybe(key, p, kit.phone)
    if person:
        b.maybe(
            "SOCIAL_LINKEDIN",
            0.3,
            lambda row: (
                f"https://www.linkedin.com/in/{FIRST_SLUGS[row.first]}-"
                f"{LAST_SLUGS[row.last]}-{int(r() * 9000) + 1000}"
            ),
        )
        b.maybe(
            "SOCIAL_FACEBOOK",
            0.08,
            lambda row: f"https://www.facebook.com/{FIRST_SLUGS[row.first]}.{LAST_SLUGS[row.last]}",
        )
        b.maybe(
            "SOCIAL_TWITTER",
            0.1,
            lambda row: f"@{FIRST_SLUGS[row.first]}{LAST_SLUGS[row.last][:6]}",
        )
    else:
        b.maybe(
            "SOCIAL_LINKEDIN",
            0.3,
            lambda row: f"https://www.linkedin.com/company/{row.short.lower()}",
        )
        b.maybe("SOCIAL_FACEBOOK", 0.1, lambda row: f"https://www.facebook.com/{row.short}")
        b.maybe("SOCIAL_TWITTER", 0.15, lambda row: f"@{row.short}")
    b.maybe(
        "DATE_OF_BIRTH",
        0.12,
        lambda row: format_body_date(
            date(1955 + int(r() * 48), int(r() * 12) + 1, int(r() * 28) + 1)
        ),
    )
    b.maybe(
        "ASSISTANT_NAME",
        0.04,
        lambda row: f"{kit.pick(FIRST)[0]} {kit.pick(LAST)}",
    )
    b.maybe("WEBSITE", 0.55, lambda row: f"https://www.{row.domain}")
    b.maybe("ORGANISATION_NAME", 0.6, lambda row: row.company)
    b.maybe("BACKGROUND", 0.25, lambda row: kit.prose(3))
    b.maybe("LAST_ACTIVITY_DATE_UTC", 0.3, lambda row: cal.stamp(kit.between(row)))
    b.maybe("NEXT_ACTIVITY_DATE_UTC", 0.1, lambda row: cal.stamp(kit.soon(45)))
    if b.has("ORGANISATION_ID"):
        b.ref("ORGANISATION_ID", "organisations", 0.6)
    b.maybe("EMAIL_OPTED_OUT", 1.0, lambda row: r() < 0.07)
    b.maybe("INDUSTRY", 0.45, lambda row: kit.pick(INDUSTRIES))
    if b.has("TAGS"):
        b.set("TAGS", 1.0, _tags_gen(kit))
    if b.has("DATES"):
        b.set("DATES", 1.0, _dates_gen(kit))
    if b.has("EMAILDOMAINS"):
        b.set("EMAILDOMAINS", 1.0, _email_domains_gen(kit))
    _address_groups(b)


def _address_groups(b: Builder) -> None:
    """One rule per address block (``ADDRESS_MAIL_*``…): all its lines, or none."""
    blocks: dict[str, dict[str, str]] = {}
    for key in b.keys:
        match = _ADDRESS_KEY.match(key)
        if match:
            blocks.setdefault(match.group(1), {})[match.group(2)] = key
    kit = b.kit
    first = True
    for prefix, parts in blocks.items():
        p = _ADDRESS_P.get(prefix, 0.4) if first else _ADDRESS_P.get(prefix, 0.15)
        keys = tuple(parts.values())
        kinds = tuple(parts)
        b.group(keys, p, address_gen(kit, kinds, fresh=not first))
        first = False


# How often each address block is filled (the first block of a type uses the record's own
# place, the others a place of their own).
_ADDRESS_P: Final[Mapping[str, float]] = {
    "ADDRESS_MAIL_": 0.5,
    "ADDRESS_OTHER_": 0.08,
    "ADDRESS_BILLING_": 0.55,
    "ADDRESS_SHIP_": 0.25,
    "ADDRESS_SHIPPING_": 0.35,
    "ADDRESS_": 0.35,
}


def address_gen(kit: Kit, kinds: tuple[str, ...], *, fresh: bool) -> GroupGen:
    def gen(row: Row) -> list[str]:
        place = kit.pick(PLACES) if fresh else row.place
        values: list[str] = []
        for kind in kinds:
            if kind == "STREET":
                values.append(kit.street(place))
            elif kind == "CITY":
                values.append(place[0])
            elif kind == "STATE":
                values.append(place[1])
            elif kind == "POSTCODE":
                values.append(kit.postcode(place))
            elif kind == "COUNTRY":
                values.append(place[2])
            else:
                values.append(row.company or f"{row.first} {row.last}")
        return values

    return gen


def visibility(kit: Kit) -> GroupGen:
    r = kit.r
    kit.ids("teams")

    def gen(row: Row) -> tuple[str, int | None]:
        x = r()
        if x < 0.86 or row.owner is None:
            return ("EVERYONE", None)
        if x < 0.96:
            return ("OWNER", None)
        teams = kit.bound["teams"]
        if teams:
            return ("TEAM", teams[int(r() * len(teams))])
        return ("EVERYONE", None)

    return gen


def _tags_gen(kit: Kit) -> Gen:
    r = kit.r

    def gen(row: Row) -> list[Record]:
        x = r()
        if x < 0.6:
            return []
        wanted = 1 if x < 0.88 else 2 if x < 0.96 else 3
        names: list[str] = []
        while len(names) < wanted:
            name = TAGS[int(r() * len(TAGS))]
            if name not in names:
                names.append(name)
        return [{"TAG_NAME": name} for name in names]

    return gen


def _dates_gen(kit: Kit) -> Gen:
    r, cal, sub_ids = kit.r, kit.cal, kit.sub_ids

    def gen(row: Row) -> list[Record]:
        if r() >= 0.05:
            return []
        return [
            {
                "DATE_ID": next(sub_ids),
                "OCCASION_NAME": kit.pick(OCCASIONS),
                "OCCASION_DATE": cal.day(row.created - int(r() * 3_650) * DAY),
                "REPEAT_YEARLY": True,
                "CREATE_TASK_YEARLY": r() < 0.3,
            }
        ]

    return gen


def _email_domains_gen(kit: Kit) -> Gen:
    r, sub_ids = kit.r, kit.sub_ids

    def gen(row: Row) -> list[Record]:
        if r() >= 0.2:
            return []
        return [{"EMAIL_DOMAIN_ID": next(sub_ids), "EMAIL_DOMAIN": row.domain}]

    return gen


def links(b: Builder, p: float, *targets: str) -> None:
    """LINKS: with probability ``p`` one or two links to existing records of ``targets``.

    ``targets`` are ``LINK_OBJECT_NAME`` values (``Contact``), the catalog's singular
    object names.
    """
    kit = b.kit
    r, bound, sub_ids = kit.r, kit.bound, kit.sub_ids
    own = b.rtype.object_name
    pairs = [(target, _BY_OBJECT_NAME[target].name) for target in targets]
    for _name, type_name in pairs:
        kit.ids(type_name)
    kit.ids("relationships")

    def gen(row: Row) -> list[Record]:
        if r() >= p:
            return []
        available = [(name, bound[type_name]) for name, type_name in pairs if bound[type_name]]
        if not available:
            return []
        links: list[Record] = []
        for _ in range(1 if r() < 0.85 else 2):
            name, ids = available[int(r() * len(available))]
            assert ids is not None
            relationships = bound["relationships"] if name == own else None
            links.append(
                {
                    "LINK_ID": next(sub_ids),
                    "OBJECT_NAME": own,
                    "OBJECT_ID": None,
                    "LINK_OBJECT_NAME": name,
                    "LINK_OBJECT_ID": ids[int(r() * len(ids))],
                    "ROLE": kit.pick(LINK_ROLES) if name == "Contact" else None,
                    "DETAILS": None,
                    "RELATIONSHIP_ID": (
                        relationships[int(r() * len(relationships))] if relationships else None
                    ),
                    "IS_FORWARD": True,
                }
            )
        return links

    b.set("LINKS", 1.0, gen)


def pipeline(b: Builder, p: float, *, for_projects: bool) -> None:
    """PIPELINE_ID and STAGE_ID: a pipeline of the right kind and one of its own stages."""
    kit = b.kit
    r = kit.r
    layout = b.reference.pipeline_layout
    kit.ids("pipelines")
    kit.ids("pipeline_stages")
    choices: list[tuple[int, list[int]]] = []

    def bind() -> None:
        choices.clear()
        pipelines, stages = kit.bound["pipelines"], kit.bound["pipeline_stages"]
        if not pipelines or not stages:
            return
        have_pipelines, have_stages = set(pipelines), set(stages)
        for pipeline_id, for_opportunities, for_project, stage_ids in layout:
            wanted = for_project if for_projects else for_opportunities
            if wanted and pipeline_id in have_pipelines:
                own = [stage for stage in stage_ids if stage in have_stages]
                if own:
                    choices.append((pipeline_id, own))

    def gen(row: Row) -> tuple[int | None, int | None]:
        if not choices:
            return (None, None)
        pipeline_id, stages = choices[int(r() * len(choices))]
        return (pipeline_id, stages[int(r() * len(stages))])

    b.per_call.append(bind)
    b.group(("PIPELINE_ID", "STAGE_ID"), p, gen)
