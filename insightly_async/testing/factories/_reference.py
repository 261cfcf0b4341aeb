"""Reference wiring: the account, its users and the lists it starts with.

Ids here depend only on the seed (realistic seven-digit values), so a record made later
puts its stage in its own pipeline and its status among the account's lead statuses.
Records built by hand go through :func:`ordered`, which lays them out in wire order.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from typing import Any

from insightly_async._facts.catalog import BY_NAME
from insightly_async._facts.fields import record_fields
from insightly_async._facts.spec import definition
from insightly_async.testing.factories._calendar import DAY, HISTORY_SECONDS, Calendar
from insightly_async.testing.factories._kit import Kit, Record, Row, work_email
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

__all__ = ["Account", "Reference", "account_users", "layout", "ordered"]


def layout(type_name: str) -> tuple[str, ...]:
    """The keys of a catalog type's records, in wire order."""
    return record_fields(BY_NAME[type_name]).layout


def ordered(keys: Sequence[str], values: Mapping[str, Any]) -> Record:
    """``values`` as a record in the order of ``keys``.

    Fails loudly if the hand-written values and the layout disagree, so a spec change
    cannot slip through as a silently missing key.
    """
    if set(values) != set(keys):
        raise AssertionError(f"keys differ from the layout: {sorted(set(values) ^ set(keys))}")
    return {key: values[key] for key in keys}


class Reference:
    """The account's reference lists: names and ids fixed by the seed, owners by the users."""

    def __init__(self, rng: random.Random, cal: Calendar) -> None:
        self._cal = cal

        def ids(base: int, n: int) -> list[int]:
            current = base + rng.randrange(90_000)
            out: list[int] = []
            for _ in range(n):
                current += 1 + rng.randrange(30)
                out.append(current)
            return out

        self.pipeline_ids = ids(1_130_000, len(PIPELINES))
        stage_ids = ids(4_870_000, sum(len(p[3]) for p in PIPELINES))
        self.activity_set_ids = ids(2_770_000, len(ACTIVITY_SETS))
        self.activity_ids = ids(8_120_000, sum(len(a[6]) for a in ACTIVITY_SETS))
        self.lead_source_ids = ids(3_794_000, len(LEAD_SOURCES))
        self.lead_status_ids = ids(3_724_000, len(LEAD_STATUSES))
        self.converted_status = self.lead_status_ids[-1]
        self.category_ids = {
            "opportunity_categories": ids(6_110_000, len(OPPORTUNITY_CATEGORIES)),
            "project_categories": ids(6_210_000, len(PROJECT_CATEGORIES)),
            "task_categories": ids(6_310_000, len(TASK_CATEGORIES)),
        }
        self.state_reason_ids = ids(2_410_000, len(STATE_REASONS))
        self.relationship_ids = ids(1_540_000, len(RELATIONSHIPS))
        self.team_ids = ids(1_180_000, len(TEAM_NAMES))
        self.permission_base = 7_350_000 + rng.randrange(90_000)
        self.created = cal.now - HISTORY_SECONDS - 29 * DAY + rng.randrange(DAY)
        # (pipeline id, for opportunities, for projects, its stage ids in order)
        layout: list[tuple[int, bool, bool, tuple[int, ...]]] = []
        stages = iter(stage_ids)
        for pipeline_id, (_name, for_opps, for_projects, names) in zip(
            self.pipeline_ids, PIPELINES, strict=True
        ):
            layout.append((pipeline_id, for_opps, for_projects, tuple(next(stages) for _ in names)))
        self.pipeline_layout: tuple[tuple[int, bool, bool, tuple[int, ...]], ...] = tuple(layout)

    def records(self, users: Sequence[int]) -> dict[str, list[Record]]:
        """The reference records by type name, owned by the first of ``users``."""
        owner = users[0] if users else None
        stamp = self._cal.stamp
        out: dict[str, list[Record]] = {}

        def put(type_name: str, values: Mapping[str, Any]) -> None:
            out.setdefault(type_name, []).append(ordered(layout(type_name), values))

        for name in COUNTRIES:
            put("countries", {"COUNTRY_NAME": name})
        for code, symbol in CURRENCIES:
            put("currencies", {"CURRENCY_CODE": code, "CURRENCY_SYMBOL": symbol})
        for rel_id, values in zip(self.relationship_ids, RELATIONSHIPS, strict=True):
            keys = ("FORWARD_TITLE", "FORWARD", "REVERSE_TITLE", "REVERSE")
            put(
                "relationships",
                {
                    "RELATIONSHIP_ID": rel_id,
                    **dict(zip(keys, values[:4], strict=True)),
                    "FOR_CONTACTS": values[4],
                    "FOR_ORGANISATIONS": values[5],
                },
            )
        for order, (source_id, name) in enumerate(
            zip(self.lead_source_ids, LEAD_SOURCES, strict=True)
        ):
            put(
                "lead_sources",
                {
                    "LEAD_SOURCE_ID": source_id,
                    "LEAD_SOURCE": name,
                    "DEFAULT_VALUE": order == 0,
                    "FIELD_ORDER": order + 1,
                },
            )
        for order, (status_id, (name, kind)) in enumerate(
            zip(self.lead_status_ids, LEAD_STATUSES, strict=True)
        ):
            put(
                "lead_statuses",
                {
                    "LEAD_STATUS_ID": status_id,
                    "LEAD_STATUS": name,
                    "DEFAULT_STATUS": order == 0,
                    "STATUS_TYPE": kind,
                    "FIELD_ORDER": order + 1,
                },
            )
        for type_name, vocabulary in (
            ("opportunity_categories", OPPORTUNITY_CATEGORIES),
            ("project_categories", PROJECT_CATEGORIES),
            ("task_categories", TASK_CATEGORIES),
        ):
            for category_id, (name, colour, active) in zip(
                self.category_ids[type_name], vocabulary, strict=True
            ):
                put(
                    type_name,
                    {
                        "CATEGORY_ID": category_id,
                        "CATEGORY_NAME": name,
                        "ACTIVE": active,
                        "BACKGROUND_COLOR": colour,
                    },
                )
        for reason_id, (reason, state) in zip(self.state_reason_ids, STATE_REASONS, strict=True):
            put(
                "opportunity_state_reasons",
                {
                    "STATE_REASON_ID": reason_id,
                    "STATE_REASON": reason,
                    "FOR_OPPORTUNITY_STATE": state,
                },
            )
        activity_ids = iter(self.activity_ids)
        task_categories = self.category_ids["task_categories"]
        # Tasks of an activity set are calls, its events meetings.
        category = {"TASK": task_categories[0], "EVENT": task_categories[2]}
        for set_id, spec in zip(self.activity_set_ids, ACTIVITY_SETS, strict=True):
            name, for_contacts, for_organisations, for_opportunities, for_projects = spec[:5]
            put(
                "activity_sets",
                {
                    "ACTIVITYSET_ID": set_id,
                    "NAME": name,
                    "FOR_CONTACTS": for_contacts,
                    "FOR_ORGANISATIONS": for_organisations,
                    "FOR_OPPORTUNITIES": for_opportunities,
                    "FOR_PROJECTS": for_projects,
                    "FOR_LEADS": spec[5],
                    "OWNER_USER_ID": owner,
                    "ACTIVITIES": [
                        _activity(
                            next(activity_ids), set_id, activity, owner, category[activity[1]]
                        )
                        for activity in spec[6]
                    ],
                },
            )
        for (pipeline_id, for_opps, for_projects, _stages), pipeline in zip(
            self.pipeline_layout, PIPELINES, strict=True
        ):
            put(
                "pipelines",
                {
                    "PIPELINE_ID": pipeline_id,
                    "PIPELINE_NAME": pipeline[0],
                    "FOR_OPPORTUNITIES": for_opps,
                    "FOR_PROJECTS": for_projects,
                    "OWNER_USER_ID": owner,
                },
            )
        # The first stage of each pipeline starts the activity set of its kind.
        sales_set, kickoff_set = self.activity_set_ids[1], self.activity_set_ids[2]
        for (pipeline_id, for_opps, _for_projects, stage_ids), pipeline in zip(
            self.pipeline_layout, PIPELINES, strict=True
        ):
            names = pipeline[3]
            for order, (stage_id, stage_name) in enumerate(
                zip(stage_ids, names, strict=True), start=1
            ):
                activity_set = (sales_set if for_opps else kickoff_set) if order == 1 else None
                put(
                    "pipeline_stages",
                    {
                        "STAGE_ID": stage_id,
                        "PIPELINE_ID": pipeline_id,
                        "STAGE_NAME": stage_name,
                        "STAGE_ORDER": order,
                        "ACTIVITYSET_ID": activity_set,
                        "OWNER_USER_ID": owner,
                    },
                )
        members = self._members(users)
        out["team_members"] = members
        for team_id, name in zip(self.team_ids, TEAM_NAMES, strict=True):
            put(
                "teams",
                {
                    "TEAM_ID": team_id,
                    "TEAM_NAME": name,
                    "DATE_CREATED_UTC": stamp(self.created),
                    "DATE_UPDATED_UTC": stamp(self.created + 7 * DAY),
                    "TEAMMEMBERS": [dict(m) for m in members if m["TEAM_ID"] == team_id],
                },
            )
        return out

    def _members(self, users: Sequence[int]) -> list[Record]:
        # Management: the administrator. Sales: the regular and the disabled user, then
        # every other further user; Customer Support: the regular user and the rest.
        sales, support, management = self.team_ids
        pairs: list[tuple[int, int]] = []
        if users:
            pairs.append((management, users[0]))
        pairs.extend((sales, user) for user in users[1:3])
        pairs.extend((sales if i % 2 else support, user) for i, user in enumerate(users[3:]))
        if len(users) > 1:
            pairs.append((support, users[1]))
        pairs.sort()
        keys = layout("team_members")
        return [
            ordered(
                keys,
                {
                    "PERMISSION_ID": self.permission_base + 3 * index + 1,
                    "TEAM_ID": team_id,
                    "MEMBER_USER_ID": user_id,
                },
            )
            for index, (team_id, user_id) in enumerate(pairs)
        ]


@functools.cache
def _activity_keys() -> tuple[str, ...]:
    return tuple(definition("APIActivity")["properties"])


def _activity(
    activity_id: int,
    set_id: int,
    activity: tuple[str, str, int],
    owner: int | None,
    category: int,
) -> Record:
    name, kind, days = activity
    event = kind == "EVENT"
    values: Record = {
        "ACTIVITY_ID": activity_id,
        "ACTIVITYSET_ID": set_id,
        "ACTIVITY_NAME": name,
        "ACTIVITY_DETAILS": None,
        "ACTIVITY_TYPE": kind,
        "CATEGORY_ID": category,
        "REMINDER": False,
        "REMINDER_DAYS_BEFORE_DUE": None,
        "REMINDER_TIME": None,
        "PUBLICLY_VISIBLE": True,
        "OWNER_VISIBLE": False,
        "OWNER_USER_ID": owner,
        "RESPONSIBLE_USER_ID": owner,
        "ASSIGNED_TEAM_ID": None,
        "SKIP_SUN": True,
        "SKIP_MON": False,
        "SKIP_TUE": False,
        "SKIP_WED": False,
        "SKIP_THU": False,
        "SKIP_FRI": False,
        "SKIP_SAT": True,
        "DUE_DAYS_AFTER_START": None if event else days,
        "DUE_DAYS_BEFORE_END": None,
        "EVENT_DAYS_AFTER_START": days if event else None,
        "EVENT_DAYS_BEFORE_END": None,
        "EVENT_TIME": "10:00" if event else None,
        "ALL_DAY": False,
        "DURATION": 60 if event else None,
    }
    return ordered(_activity_keys(), values)


class Account:
    """Facts about the account itself: its domain, instance id and article folders."""

    def __init__(self, rng: random.Random, cal: Calendar) -> None:
        row = Row()
        Kit(rng, cal, {}, iter(())).company(row)
        self.domain = row.domain
        self.instance_id = 500_000 + rng.randrange(400_000)
        first = 3_100_000 + rng.randrange(90_000)
        self.folder_ids = (first, first + 7, first + 19)


def account_users(kit: Kit, account: Account, first_created: int) -> list[Record]:
    """The account's three users: its administrator, a regular user and a disabled one.

    ``kit`` draws from the users' own stream; the administrator signed up at
    ``first_created``, before anything else existed.
    """
    rng = kit.rng
    keys = layout("users")
    user_id = 1_000_000 + rng.randrange(7_000_000)
    contact_id = 300_000_000 + rng.randrange(50_000_000)
    profile = 1_800_000 + rng.randrange(100_000)
    users: list[Record] = []
    for admin, active in ((True, True), (False, True), (False, False)):
        row = Row()
        kit.person(row)
        kit.times(row)
        if admin:
            row.created = row.updated = first_created
        dropbox, dropbox_address = kit.dropbox()
        users.append(
            ordered(
                keys,
                {
                    "USER_ID": user_id,
                    "CONTACT_ID": contact_id,
                    "FIRST_NAME": row.first,
                    "LAST_NAME": row.last,
                    "TIMEZONE_ID": kit.pick(TIMEZONES),
                    "EMAIL_ADDRESS": work_email(row, account.domain),
                    "EMAIL_DROPBOX_IDENTIFIER": dropbox,
                    "EMAIL_DROPBOX_ADDRESS": dropbox_address,
                    "ADMINISTRATOR": admin,
                    "ACCOUNT_OWNER": admin,
                    "ACTIVE": active,
                    "DATE_CREATED_UTC": kit.cal.stamp(row.created),
                    "DATE_UPDATED_UTC": kit.cal.stamp(row.updated),
                    "USER_CURRENCY": "USD",
                    "CONTACT_DISPLAY": kit.pick(("FirstLast", "LastFirst")),
                    "CONTACT_ORDER": kit.pick(("FirstLast", "LastFirst")),
                    "TASK_WEEK_START": kit.pick((1, 2)),
                    "INSTANCE_ID": account.instance_id,
                    "PROFILE_ID": profile if admin else profile + 1,
                    "ROLE_ID": None if admin else profile + 17,
                },
            )
        )
        user_id += 1 + rng.randrange(40)
        contact_id += 1 + rng.randrange(5_000)
    return users
