"""``RecordFactory``: seeded, realistic Insightly v3.1 records, made by the record engine."""

from __future__ import annotations

import copy
import functools
import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Final

from insightly_async._facts.catalog import BY_NAME, RecordType, custom_object_type
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME
from insightly_async.testing.factories._activity_rules import RULES as ACTIVITY_RULES
from insightly_async.testing.factories._calendar import DAY, Calendar
from insightly_async.testing.factories._crm_rules import RULES as CRM_RULES
from insightly_async.testing.factories._custom_fields import definitions
from insightly_async.testing.factories._custom_rules import custom_fields, custom_object
from insightly_async.testing.factories._engine import Builder, Plan, Refs, run
from insightly_async.testing.factories._kit import Kit, Record
from insightly_async.testing.factories._reference import Account, Reference, account_users
from insightly_async.testing.factories._sales_rules import RULES as SALES_RULES
from insightly_async.testing.factories._setup_rules import RULES as SETUP_RULES
from insightly_async.testing.factories._shared_rules import common_rules

__all__ = ["RecordFactory"]

_UTC = timezone.utc

# Generated sub-collection items (LINK_ID, DATE_ID, EMAIL_DOMAIN_ID, team PERMISSION_ID of
# generated records) get ids from one counter per factory that starts here: below the
# range the emulator's store hands out for items added through the API (912 million up),
# so the two never collide.
_SUB_ID_START: Final = 600_000_001

# Each type's own rules, run after the common ones.
_TYPE_RULES: Final[Mapping[str, Callable[[Builder], None]]] = {
    **CRM_RULES,
    **ACTIVITY_RULES,
    **SALES_RULES,
    **SETUP_RULES,
}


class RecordFactory:
    """Seeded generator of realistic Insightly v3.1 records.

    Args:
        seed: Every value derives from it; different seeds give different data.
        now: The moment the data is generated at: an aware datetime (a naive one is
            taken as UTC; default: the real current time). Creation and update stamps lie
            before it; due dates and upcoming events may lie after it.

    Attributes:
        SEED_ORDER: Every catalog type name, ordered so that the types a record refers
            to come first (users and reference data, then organisations, contacts…).
            Seeding in this order lets each :meth:`make` call draw its references from
            the records made before it.

    Ids: records from :meth:`make` carry ``None`` in their id field, for the store to
    assign. :meth:`users` and :meth:`reference_data` return records with ids (realistic
    seven-digit values). Items inside generated records (``LINK_ID``, ``DATE_ID``,
    ``EMAIL_DOMAIN_ID``) get ids from a per-factory counter starting at 600,000,001. A
    generated link's ``OBJECT_ID`` and a record's ``LINKED_EMAIL_ADDRESS`` are built from
    the record's own id, so they are ``None`` until whoever stores the record fills them.
    """

    SEED_ORDER: tuple[str, ...] = (
        "users",
        "countries",
        "currencies",
        "relationships",
        "lead_sources",
        "lead_statuses",
        "opportunity_categories",
        "project_categories",
        "task_categories",
        "opportunity_state_reasons",
        "activity_sets",
        "pipelines",
        "pipeline_stages",
        "teams",
        "team_members",
        "organisations",
        "contacts",
        "products",
        "price_books",
        "price_book_entries",
        "opportunities",
        "opportunity_line_items",
        "quotes",
        "quote_line_items",
        "leads",
        "projects",
        "milestones",
        "emails",
        "tasks",
        "events",
        "notes",
        "tickets",
        "prospects",
        "knowledge_articles",
    )

    def __init__(self, seed: int = 0, *, now: datetime | None = None) -> None:
        if now is None:
            now = datetime.now(_UTC)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=_UTC)
        self.seed = seed
        self.now = now.astimezone(_UTC)
        self._cal = Calendar(int(self.now.timestamp()))
        self._plans: dict[str, tuple[Plan, Kit]] = {}
        self._sub_ids = itertools.count(_SUB_ID_START)

    def _rng(self, purpose: str) -> random.Random:
        # One stream per purpose, so what one method returns does not depend on which
        # other methods were called before it.
        return random.Random(f"insightly-factory:{self.seed}:{purpose}")

    @functools.cached_property
    def _account(self) -> Account:
        return Account(self._rng("account"), self._cal)

    @functools.cached_property
    def _reference(self) -> Reference:
        return Reference(self._rng("reference"), self._cal)

    # --- users --------------------------------------------------------------------------

    def users(self) -> list[Record]:
        """The account's users, with ``USER_ID`` set (realistic seven-digit ids).

        The first is the administrator and account owner, the second a regular user, the
        third a user whose access is switched off (``ACTIVE`` false). Each has every field
        of the User schema.

        Returns:
            The user records (wire dicts).
        """
        kit = Kit(self._rng("users"), self._cal, {}, iter(()))
        return account_users(kit, self._account, self._reference.created - DAY)

    # --- reference data -----------------------------------------------------------------

    def reference_data(self, users: Sequence[Mapping[str, Any]]) -> dict[str, list[Record]]:
        """The lists an account starts with, ids assigned, by catalog type name.

        Pipelines (for opportunities and for projects) with their stages, lead sources and
        statuses, opportunity, project and task categories, opportunity state reasons
        (for WON, LOST, ABANDONED and SUSPENDED), relationships, countries, currencies,
        activity sets, and teams with their members (``TEAMMEMBERS`` holds copies of the
        ``team_members`` records). Owners are the first user; team members come from
        ``users``.

        The ids depend only on the seed, so :meth:`make` puts a record's stage in its own
        pipeline whenever ``refs`` holds these ids.

        Args:
            users: The account's users (from :meth:`users`), with their ``USER_ID``.

        Returns:
            The records (wire dicts), by catalog type name (``"pipelines"``…).
        """
        ids = [int(u["USER_ID"]) for u in users if u.get("USER_ID") is not None]
        return self._reference.records(ids)

    # --- custom fields ------------------------------------------------------------------

    def custom_field_definitions(self, object_name: str) -> list[Record]:
        """What ``GET /CustomFields/{object_name}`` returns: one field per FIELD_TYPE.

        Args:
            object_name: As in ``RecordType.custom_fields`` (``Contacts``,
                ``Opportunities``, ``Product``) or a custom object (``Fruit__c``).

        The fields depend only on ``object_name`` (contacts get the recorded account's
        own): TEXT, MULTISELECT, BIT, DROPDOWN, DATE, DATETIME, MULTILINETEXT, NUMERIC,
        PERCENT and AUTONUMBER, in that order; DROPDOWN and MULTISELECT carry options.
        ``FIELD_FOR`` is the singular object in upper case (``CONTACT``).

        Returns:
            The definitions (wire dicts; copies).
        """
        return copy.deepcopy(list(definitions(object_name)))

    # --- records ------------------------------------------------------------------------

    def make(self, type_name: str, count: int, *, refs: Refs | None = None) -> list[Record]:
        """``count`` new records of a catalog type, or of a custom object (``Fruit__c``).

        Args:
            type_name: A catalog type name (``contacts``, ``price_books``) or a custom
                object name, whose fields are then :meth:`custom_field_definitions`.
            count: How many.
            refs: Existing ids by type name (``users``, ``organisations``,
                ``lead_sources``, ``pipelines``, ``pipeline_stages``…). Reference fields
                pick from them and stay ``None`` for types missing or empty here; a
                record's stage is one of its pipeline's own (see :meth:`reference_data`).

        Returns:
            Records with every key in wire order and ``None`` in the id field.

        Raises:
            KeyError: an unknown type.
            ValueError: a negative count, or ``refs`` lacks a type that a required field
                refers to (leads need ``lead_sources`` and ``lead_statuses``, quotes
                ``opportunities``…).
        """
        if count < 0:
            raise ValueError(f"count must be >= 0, not {count!r}")
        if type_name not in BY_NAME:
            if CUSTOM_OBJECT_NAME.fullmatch(type_name):
                definition = {"OBJECT_NAME": type_name, "RECORD_NAME_TYPE": "TEXT"}
                fields = definitions(type_name)
                return self.make_custom_object_records(definition, fields, count, refs=refs)
            raise KeyError(f"unknown record type {type_name!r}")
        plan, kit = self._plan(type_name)
        return run(plan, kit, count, refs, type_name)

    def make_custom_object_records(
        self,
        definition: Mapping[str, Any],
        fields: Sequence[Mapping[str, Any]],
        count: int,
        *,
        refs: Refs | None = None,
    ) -> list[Record]:
        """``count`` records of a custom object, shaped like the recorded ``Fruit__c`` ones.

        Args:
            definition: The object as ``GET /CustomObjects/{name}`` returns it
                (``OBJECT_NAME``; ``RECORD_NAME_TYPE`` AUTONUMBER gives numbered names).
            fields: Its custom field definitions; ``CUSTOMFIELDS`` follows them.
            count: How many.
            refs: Existing ids by type name (``users``, ``teams``).

        Returns:
            Records with ``RECORD_ID`` ``None``, ``RECORD_NAME``, owner, dates,
            visibility and ``CUSTOMFIELDS``.

        Raises:
            ValueError: a negative count, or ``OBJECT_NAME`` is not a custom object name.
        """
        if count < 0:
            raise ValueError(f"count must be >= 0, not {count!r}")
        name = definition.get("OBJECT_NAME")
        rtype = custom_object_type(name if isinstance(name, str) else "")
        key = f"custom:{rtype.name}"
        previous = self._plans.get(key)
        # The fields may change between calls; the object's random stream and counters
        # carry on.
        kit = previous[1] if previous else self._kit(f"make:{rtype.name}")
        b = self._builder(kit, rtype)
        custom_object(b, definition, fields)
        plan = b.compile()
        self._plans[key] = (plan, kit)
        return run(plan, kit, count, refs, rtype.name)

    def _kit(self, purpose: str) -> Kit:
        bound: dict[str, Sequence[int] | None] = {"users": None, "teams": None}
        return Kit(self._rng(purpose), self._cal, bound, self._sub_ids)

    def _builder(self, kit: Kit, rtype: RecordType) -> Builder:
        return Builder(kit, rtype, account=self._account, reference=self._reference)

    def _plan(self, type_name: str) -> tuple[Plan, Kit]:
        found = self._plans.get(type_name)
        if found is None:
            kit = self._kit(f"make:{type_name}")
            b = self._builder(kit, BY_NAME[type_name])
            common_rules(b)
            custom_fields(b)
            type_rules = _TYPE_RULES.get(type_name)
            if type_rules is not None:
                type_rules(b)
            found = self._plans[type_name] = (b.compile(), kit)
        return found
