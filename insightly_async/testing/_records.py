"""Writing records as the API does: validation, defaults, sub-collections and links.

Everything here works on the store alone (no HTTP), so the request handlers, the store
helpers of ``FakeInsightly`` and the churn task all write through the same rules.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import attrs

from insightly_async._facts.catalog import BY_NAME, CATALOG, RecordType
from insightly_async.testing._schema import (
    OPPORTUNITY_STATES,
    VISIBILITY_VALUES,
    Shape,
    check_value,
    shape_of,
)
from insightly_async.testing._store import Store
from insightly_async.testing._wire import ApiError, parse_body_datetime

__all__ = ["OPPORTUNITY_STATES", "REFERENCES", "Caller", "Options", "Records"]

Record = dict[str, Any]
SubcollectionMode = Literal["replace", "merge"]
ListFilters = Literal["reject", "ignore", "apply"]
# Sub-collection items checked and normalised, by key (CUSTOMFIELDS, TAGS…).
Prepared = dict[str, list[Record]]

# Reference fields whose target must exist when a client writes them (see
# `Options.check_references`).
REFERENCES: Mapping[str, str] = {
    "OWNER_USER_ID": "users",
    "RESPONSIBLE_USER_ID": "users",
    "MEMBER_USER_ID": "users",
    "ORGANISATION_ID": "organisations",
    "CONTACT_ID": "contacts",
    "OPPORTUNITY_ID": "opportunities",
    "PROJECT_ID": "projects",
    "LEAD_SOURCE_ID": "lead_sources",
    "LEAD_STATUS_ID": "lead_statuses",
    "PIPELINE_ID": "pipelines",
    "STAGE_ID": "pipeline_stages",
    "PRICEBOOK_ID": "price_books",
    "PRODUCT_ID": "products",
    "PRICEBOOK_ENTRY_ID": "price_book_entries",
    "QUOTE_ID": "quotes",
    "MILESTONE_ID": "milestones",
    "TEAM_ID": "teams",
    "VISIBLE_TEAM_ID": "teams",
    "ASSIGNED_TEAM_ID": "teams",
}


Validator = Callable[[Any, Any, Any], None]


def _rule(test: Callable[[Any], bool], expected: str) -> Validator:
    def validate(instance: Any, attribute: Any, value: Any) -> None:
        if not test(value):
            raise ValueError(f"{attribute.name} must be {expected}, not {value!r}")

    return validate


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _one_of(*choices: object) -> Validator:
    return _rule(lambda value: value in choices, " or ".join(map(repr, choices)))


_POSITIVE = _rule(lambda v: _number(v) and v > 0, "> 0")
_NOT_NEGATIVE = _rule(lambda v: _number(v) and v >= 0, ">= 0")
_COUNT = _rule(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "an int >= 0")
_COUNT_OR_NONE = _rule(
    lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "an int >= 1 or None",
)
_FLAG = attrs.validators.instance_of(bool)


@attrs.define
class Options:
    """The behaviour switches of the emulator (documented on ``FakeInsightly``).

    They may be changed on a running emulator (``fake.options.rate_limit = None``); the
    next request sees the new values. Every value is checked when set.
    """

    rate_limit: int | None = attrs.field(default=10, validator=_COUNT_OR_NONE)
    rate_window: float = attrs.field(default=1.0, validator=_POSITIVE)
    count_rejected: bool = attrs.field(default=False, validator=_FLAG)
    retry_after: float | Literal["auto"] | None = attrs.field(
        default=None,
        validator=_rule(
            lambda v: v is None or v == "auto" or (_number(v) and v >= 0), "None, 'auto' or >= 0"
        ),
    )
    daily_limit: int = attrs.field(default=100_000, validator=_COUNT)
    daily_window: float = attrs.field(default=86_400.0, validator=_POSITIVE)
    max_concurrency: int | None = attrs.field(default=None, validator=_COUNT_OR_NONE)
    etag_mismatch_status: int = attrs.field(default=400, validator=_one_of(400, 412))
    put_status: int = attrs.field(
        default=200, validator=_rule(lambda v: v in range(200, 300), "a 2xx status")
    )
    subcollection_put: SubcollectionMode = attrs.field(
        default="replace", validator=_one_of("replace", "merge")
    )
    latency: float = attrs.field(default=0.0, validator=_NOT_NEGATIVE)
    jitter: float = attrs.field(default=0.0, validator=_NOT_NEGATIVE)
    check_references: bool = attrs.field(default=True, validator=_FLAG)
    list_filters: ListFilters = attrs.field(
        default="reject", validator=_one_of("reject", "ignore", "apply")
    )


@attrs.frozen
class Caller:
    """The authenticated user a write or a read is made for."""

    user: Record
    user_id: int
    admin: bool
    teams: frozenset[int]


class Records:
    """Creates, updates and deletes records in a store, enforcing the API's rules."""

    def __init__(self, store: Store, options: Options) -> None:
        self.store = store
        self.options = options
        # Singular object names that links may point at, and the plurals clients
        # mistakenly send instead.
        self._link_names: dict[str, str] = {}
        self._plural_names: dict[str, str] = {}
        for rtype in CATALOG:
            if "LINKS" in shape_of(rtype).fields:
                self._link_names[rtype.object_name] = rtype.name
                self._plural_names[rtype.path] = rtype.object_name
                self._plural_names[rtype.object_name + "s"] = rtype.object_name

    def caller(self, user: Mapping[str, Any]) -> Caller:
        """The :class:`Caller` for a user record."""
        user_id = int(user["USER_ID"])
        return Caller(
            user=dict(user),
            user_id=user_id,
            admin=user.get("ADMINISTRATOR") is True,
            teams=self.store.team_ids(user_id),
        )

    # --- checking a body ----------------------------------------------------------

    def _clean(self, rtype: RecordType, values: Mapping[str, Any]) -> tuple[Record, Prepared]:
        """The writable values of a body, checked and canonical, before anything changes.

        Returns the scalar values and the prepared sub-collections; unknown and read-only
        keys are dropped, like ASP.NET model binding does.

        Raises:
            ApiError: 400 naming the first invalid field.
        """
        shape = shape_of(rtype)
        scalars: Record = {}
        collections: Prepared = {}
        for key, value in values.items():
            if key not in shape.writable:
                continue
            field = shape.fields[key]
            checked = check_value(field, value)
            if field.kind == "collection":
                if key in _COLLECTION_KEYS:
                    collections[key] = self.prepare(rtype, key, checked or [])
                continue
            if key == "VISIBLE_TO" and checked is not None and checked not in VISIBILITY_VALUES:
                raise ApiError(
                    400,
                    f"The value '{checked}' is not valid for VISIBLE_TO: use one of "
                    f"{', '.join(VISIBILITY_VALUES)}.",
                )
            if key == "OPPORTUNITY_STATE" and checked is not None:
                checked = checked.upper()
                if checked not in OPPORTUNITY_STATES:
                    raise ApiError(
                        400,
                        f"The value '{value}' is not valid for OPPORTUNITY_STATE: use one of "
                        f"{', '.join(OPPORTUNITY_STATES)}.",
                    )
            scalars[key] = checked
        return scalars, collections

    def _check_references(self, rtype: RecordType, values: Mapping[str, Any]) -> None:
        if not self.options.check_references:
            return
        for key, value in values.items():
            target = REFERENCES.get(key)
            if target is None or value is None or target == rtype.name:
                continue
            if value not in self.store.table(target):
                raise ApiError(
                    400, f"The value {value} of {key} does not refer to an existing record."
                )

    @staticmethod
    def _check_visibility(record: Mapping[str, Any]) -> None:
        if record.get("VISIBLE_TO") == "TEAM" and record.get("VISIBLE_TEAM_ID") is None:
            raise ApiError(400, "VISIBLE_TEAM_ID is required when VISIBLE_TO is TEAM.")

    # --- create, update, delete ---------------------------------------------------

    def create(
        self,
        rtype: RecordType,
        body: Mapping[str, Any],
        caller: Caller,
        fixed: Mapping[str, Any] | None = None,
    ) -> Record:
        """Check and store a new record, as ``POST /{Type}`` does; the stored record.

        Args:
            rtype: The record's type.
            body: The request body.
            caller: Who creates it (the default owner, the creator).
            fixed: Values set by the path (a child's parent id), written even where the
                schema marks the field read-only (a milestone's PROJECT_ID).

        Raises:
            ApiError: 400 when the body is invalid; nothing is stored then.
        """
        shape = shape_of(rtype)
        values = {**body, **(fixed or {})}
        scalars, collections = self._clean(rtype, values)
        for name in rtype.required:
            if values.get(name) is None:
                raise ApiError(400, f"The {name} field is required.")
        self._check_references(rtype, scalars)
        record: Record = {}
        for key in shape.layout:
            kind = shape.fields[key].kind
            record[key] = [] if kind == "collection" else False if kind == "boolean" else None
        record.update(scalars)
        record.update(fixed or {})
        now = self.store.now_text()
        for key in ("DATE_CREATED_UTC", "DATE_UPDATED_UTC"):
            if key in record:
                record[key] = now
        if "CREATED_USER_ID" in record:
            record["CREATED_USER_ID"] = caller.user_id
        if "OWNER_USER_ID" in record and record["OWNER_USER_ID"] is None:
            record["OWNER_USER_ID"] = caller.user_id
        if shape.owned and record.get("VISIBLE_TO") is None:
            record["VISIBLE_TO"] = "EVERYONE"
        self._check_visibility(record)
        if rtype.id_field is not None:
            record[rtype.id_field] = self.store.next_id(rtype.name)
        self._defaults(rtype, record)
        self.apply_collections(rtype, record, collections, mode="replace")
        record = self.store.add(rtype.name, record)
        self._after_write(rtype, record, created=True, previous_state=None)
        return record

    def _defaults(self, rtype: RecordType, record: Record) -> None:
        if rtype.name == "opportunities" and record.get("OPPORTUNITY_STATE") is None:
            # A guess: new opportunities start open.
            record["OPPORTUNITY_STATE"] = "OPEN"
        self._linked_email_address(rtype, record)

    def _linked_email_address(self, rtype: RecordType, record: Record) -> None:
        record_id = record.get(rtype.id_field) if rtype.id_field else None
        if "LINKED_EMAIL_ADDRESS" in record and record_id is not None:
            letter = rtype.object_name[0].upper()
            subdomain = self.store.instance.get("INSTANCE_SUBDOMAIN") or "emulated"
            record["LINKED_EMAIL_ADDRESS"] = (
                f"{subdomain}-{letter}{record_id}-EMUL8@mailbox.insight.ly"
            )

    def complete_seeded(self, rtype: RecordType, record_ids: Iterable[int]) -> None:
        """Fill in what a seeded record's own id decides, as a create through the API does.

        The factory cannot know a record's id, so a stored seeded record gets here: its
        links' ``OBJECT_ID`` (and the links shown on their other end), its
        ``LINKED_EMAIL_ADDRESS``, and an opportunity's state history (opened when created,
        then its current state when it is not open). No date moves: seeded data keeps the
        times the factory gave it.
        """
        if rtype.id_field is None:
            return
        table = self.store.table(rtype.name)
        has_links = "LINKS" in table.shape.fields
        has_address = "LINKED_EMAIL_ADDRESS" in table.shape.fields
        opportunities = rtype.name == "opportunities"
        if not (has_links or has_address or opportunities):
            return
        for record_id in record_ids:
            record = table.rows[record_id]
            if has_address and record.get("LINKED_EMAIL_ADDRESS") is None:
                self._linked_email_address(rtype, record)
            for link in record.get("LINKS") or ():
                if link.get("OBJECT_ID") is None:
                    link["OBJECT_ID"] = record_id
                    self.mirror(link, stamp=False)
            if opportunities and record_id not in self.store.state_history:
                self._seed_state_history(record)

    def _seed_state_history(self, record: Record) -> None:
        state = record.get("OPPORTUNITY_STATE")
        created = record.get("DATE_CREATED_UTC")
        entries: list[Record] = [
            {
                "OPPORTUNITY_ID": record["OPPORTUNITY_ID"],
                "DATE_CHANGED_UTC": created,
                "FOR_OPPORTUNITY_STATE": "OPEN",
                "STATE_REASON_ID": None,
                "STATE_REASON": None,
            }
        ]
        if isinstance(state, str) and state.upper() != "OPEN":
            entries.append(
                {
                    **entries[0],
                    "DATE_CHANGED_UTC": record.get("DATE_UPDATED_UTC") or created,
                    "FOR_OPPORTUNITY_STATE": state,
                }
            )
        self.store.state_history[record["OPPORTUNITY_ID"]] = entries

    def update(
        self,
        rtype: RecordType,
        record: Record,
        body: Mapping[str, Any],
        fixed: Mapping[str, Any] | None = None,
    ) -> None:
        """Apply a partial update to a stored record, as ``PUT /{Type}`` does.

        Absent keys are left alone, ``null`` clears, a sub-collection replaces or merges
        (``Options.subcollection_put``); DATE_UPDATED_UTC and the ETag move.

        Raises:
            ApiError: 400 when the body is invalid; nothing changes then.
        """
        values = {key: value for key, value in body.items() if key not in (fixed or {})}
        scalars, collections = self._clean(rtype, values)
        for name in rtype.required:
            if name in values and values[name] is None:
                raise ApiError(400, f"The {name} field is required.")
        self._check_references(rtype, scalars)
        self._check_visibility({**record, **scalars})
        previous_state = record.get("OPPORTUNITY_STATE")
        record.update(scalars)
        self.apply_collections(rtype, record, collections, mode=self.options.subcollection_put)
        self._after_write(rtype, record, created=False, previous_state=previous_state)
        assert rtype.id_field is not None
        self.store.touch(rtype.name, record[rtype.id_field])

    def _after_write(
        self, rtype: RecordType, record: Record, *, created: bool, previous_state: Any
    ) -> None:
        if rtype.name == "opportunities":
            state = record.get("OPPORTUNITY_STATE")
            if created or state != previous_state:
                self.record_state(record, state, None, None)
        elif rtype.name == "team_members" and record.get("TEAM_ID") is not None:
            self.sync_team(record["TEAM_ID"])

    def record_state(
        self, record: Record, state: Any, reason_id: int | None, reason: str | None
    ) -> Record:
        """Append an opportunity's state change to its history; the history entry."""
        entry: Record = {
            "OPPORTUNITY_ID": record["OPPORTUNITY_ID"],
            "DATE_CHANGED_UTC": self.store.now_text(),
            "FOR_OPPORTUNITY_STATE": state,
            "STATE_REASON_ID": reason_id,
            "STATE_REASON": reason,
        }
        self.store.state_history.setdefault(record["OPPORTUNITY_ID"], []).append(entry)
        return entry

    def delete(self, type_name: str, record_id: int) -> None:
        """Remove a record and what hangs off it (links, follows, history, members)."""
        store = self.store
        record = store.table(type_name).remove(record_id)
        if record is None:
            return
        for link in record.get("LINKS") or ():
            self.unmirror(link)
        store.follows = {item for item in store.follows if item[1:] != (type_name, record_id)}
        if type_name == "opportunities":
            store.state_history.pop(record_id, None)
        store.attachments.pop((type_name, record_id), None)
        store.comments.pop((type_name, record_id), None)
        store.pipelines.pop((type_name, record_id), None)
        if type_name == "team_members" and record.get("TEAM_ID") is not None:
            self.sync_team(record["TEAM_ID"])
        elif type_name == "teams":
            members = store.table("team_members")
            for member in [m for m in members.records() if m.get("TEAM_ID") == record_id]:
                members.remove(member["PERMISSION_ID"])

    def sync_team(self, team_id: int) -> None:
        """Copy a team's members into its ``TEAMMEMBERS``."""
        team = self.store.table("teams").get(team_id)
        if team is None or "TEAMMEMBERS" not in team:
            return
        team["TEAMMEMBERS"] = self._members_of(team_id)
        self.store.touch("teams", team_id)

    def _members_of(self, team_id: int) -> list[Record]:
        return [
            copy.deepcopy(member)
            for member in self.store.table("team_members").records()
            if member.get("TEAM_ID") == team_id
        ]

    # --- sub-collections: prepare (check) first, then apply (cannot fail) ----------

    def prepare(self, rtype: RecordType, key: str, items: Iterable[Any]) -> list[Record]:
        """Check and normalise the items of a sub-collection (``TAGS``, ``LINKS``…).

        Raises:
            ApiError: 400 naming what is wrong.
        """
        items = list(items)
        if not all(isinstance(item, dict) for item in items):
            raise ApiError(400, f"The value of {key} is not valid: expected a list of objects.")
        if key == "CUSTOMFIELDS":
            return [self._custom_field_item(rtype, item) for item in items]
        if key == "TAGS":
            return [{"TAG_NAME": self.tag_name(item)} for item in items]
        if key == "LINKS":
            return [self.link_item(rtype, None, item) for item in items]
        if key == "DATES":
            return [self._date_item(item) for item in items]
        if key == "EMAILDOMAINS":
            return [self._email_domain_item(item) for item in items]
        return [self._team_member_item(item) for item in items]

    def apply_collections(
        self, rtype: RecordType, record: Record, collections: Prepared, *, mode: SubcollectionMode
    ) -> None:
        """Write prepared sub-collections into a record, replacing or merging."""
        for key, items in collections.items():
            if key == "CUSTOMFIELDS":
                record[key] = _merge_by(record.get(key), items, "FIELD_NAME", mode)
            elif key == "TAGS":
                record[key] = _merge_tags(record.get(key), items, mode)
            elif key == "LINKS":
                self._put_links(rtype, record, items, mode)
            elif key == "DATES":
                record[key] = self._merge_items(record.get(key), items, "DATE_ID", mode)
            elif key == "EMAILDOMAINS":
                record[key] = self._merge_items(record.get(key), items, "EMAIL_DOMAIN_ID", mode)
            elif key == "TEAMMEMBERS" and rtype.name == "teams":
                self._put_team_members(record, items, mode)

    def _merge_items(
        self, current: list[Record] | None, new: list[Record], id_key: str, mode: SubcollectionMode
    ) -> list[Record]:
        """Items with a known id update that item; the others are added with a fresh id."""
        by_id = {item.get(id_key): item for item in current or ()}
        result = [] if mode == "replace" else list(current or ())
        for item in new:
            existing = by_id.get(item[id_key]) if item[id_key] is not None else None
            if existing is not None:
                existing.update({k: v for k, v in item.items() if k != id_key})
                if mode == "replace":
                    result.append(existing)
            else:
                result.append({**item, id_key: self.store.next_sub_id()})
        return result

    @staticmethod
    def _date_item(item: Mapping[str, Any]) -> Record:
        occasion = item.get("OCCASION_DATE")
        canonical = parse_body_datetime(occasion) if isinstance(occasion, str) else None
        if occasion is not None and canonical is None:
            raise ApiError(
                400, "The value of OCCASION_DATE is not valid: expected a date and time."
            )
        name = item.get("OCCASION_NAME")
        if name is not None and not isinstance(name, str):
            raise ApiError(400, "The value of OCCASION_NAME is not valid: expected a string.")
        for flag in ("REPEAT_YEARLY", "CREATE_TASK_YEARLY"):
            if item.get(flag) is not None and not isinstance(item.get(flag), bool):
                raise ApiError(400, f"The value of {flag} is not valid: expected true or false.")
        return {
            "DATE_ID": _optional_id(item, "DATE_ID"),
            "OCCASION_NAME": name,
            "OCCASION_DATE": canonical,
            "REPEAT_YEARLY": bool(item.get("REPEAT_YEARLY") or False),
            "CREATE_TASK_YEARLY": bool(item.get("CREATE_TASK_YEARLY") or False),
        }

    @staticmethod
    def _email_domain_item(item: Mapping[str, Any]) -> Record:
        domain = item.get("EMAIL_DOMAIN")
        if not isinstance(domain, str) or not domain:
            raise ApiError(400, "The EMAIL_DOMAIN field is required.")
        return {"EMAIL_DOMAIN_ID": _optional_id(item, "EMAIL_DOMAIN_ID"), "EMAIL_DOMAIN": domain}

    @staticmethod
    def tag_name(item: Any) -> str:
        """The ``TAG_NAME`` of a tag object.

        Raises:
            ApiError: 400 when it is missing, empty or too long.
        """
        name = item.get("TAG_NAME") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "The TAG_NAME field is required.")
        if len(name) > 255:
            raise ApiError(400, "The field TAG_NAME must be a string with a maximum length of 255.")
        return name

    def _custom_field_item(self, rtype: RecordType, item: Mapping[str, Any]) -> Record:
        name = item.get("FIELD_NAME")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "The FIELD_NAME field of a custom field is required.")
        definitions = self.store.custom_fields(rtype.custom_fields) if rtype.custom_fields else []
        definition = next((d for d in definitions if d.get("FIELD_NAME") == name), None)
        if definition is None:
            raise ApiError(400, f"The custom field '{name}' is not defined for {rtype.path}.")
        value = _custom_value(name, definition, item.get("FIELD_VALUE"))
        return {"FIELD_NAME": name, "FIELD_VALUE": value, "CUSTOM_FIELD_ID": name}

    def _team_member_item(self, item: Mapping[str, Any]) -> Record:
        user_id = item.get("MEMBER_USER_ID")
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise ApiError(400, "The MEMBER_USER_ID field is required.")
        self._check_references(BY_NAME["team_members"], {"MEMBER_USER_ID": user_id})
        return {"MEMBER_USER_ID": user_id}

    def _put_team_members(self, team: Record, items: list[Record], mode: SubcollectionMode) -> None:
        members = self.store.table("team_members")
        team_id = team["TEAM_ID"]
        wanted = [item["MEMBER_USER_ID"] for item in items]
        existing = [m for m in members.records() if m.get("TEAM_ID") == team_id]
        if mode == "replace":
            for member in existing:
                if member.get("MEMBER_USER_ID") not in wanted:
                    members.remove(member["PERMISSION_ID"])
        have = {m.get("MEMBER_USER_ID") for m in existing}
        for user_id in wanted:
            if user_id not in have:
                have.add(user_id)
                self.store.add(
                    "team_members",
                    {"PERMISSION_ID": None, "TEAM_ID": team_id, "MEMBER_USER_ID": user_id},
                )
        team["TEAMMEMBERS"] = self._members_of(team_id)

    # --- links ----------------------------------------------------------------------

    def _link_target(self, item: Mapping[str, Any]) -> tuple[str, int]:
        name = item.get("LINK_OBJECT_NAME")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "The LINK_OBJECT_NAME field is required.")
        type_name = self._link_names.get(name)
        if type_name is None and name in self.store.custom_objects:
            type_name = name
        if type_name is None:
            singular = self._plural_names.get(name)
            if singular is not None:
                raise ApiError(
                    400,
                    f"The value '{name}' is not valid for LINK_OBJECT_NAME: link object names "
                    f"are singular (use '{singular}').",
                )
            raise ApiError(400, f"The value '{name}' is not valid for LINK_OBJECT_NAME.")
        target_id = item.get("LINK_OBJECT_ID")
        if isinstance(target_id, bool) or not isinstance(target_id, int):
            raise ApiError(400, "The LINK_OBJECT_ID field is required and must be an integer.")
        if target_id not in self.store.table(type_name):
            raise ApiError(400, f"{name} with id {target_id} does not exist.")
        return name, target_id

    def link_item(
        self, rtype: RecordType, record_id: int | None, item: Mapping[str, Any]
    ) -> Record:
        """A checked link from a record of ``rtype`` (its id filled in when known).

        Raises:
            ApiError: 400 when the target is not a singular object name and an existing
                record, or a field has the wrong type.
        """
        name, target_id = self._link_target(item)
        for key in ("ROLE", "DETAILS"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ApiError(400, f"The value of {key} is not valid: expected a string.")
        forward = item.get("IS_FORWARD")
        if forward is not None and not isinstance(forward, bool):
            raise ApiError(400, "The value of IS_FORWARD is not valid: expected true or false.")
        return {
            "LINK_ID": _optional_id(item, "LINK_ID"),
            "OBJECT_NAME": rtype.object_name,
            "OBJECT_ID": record_id,
            "LINK_OBJECT_NAME": name,
            "LINK_OBJECT_ID": target_id,
            "ROLE": item.get("ROLE"),
            "DETAILS": item.get("DETAILS"),
            "RELATIONSHIP_ID": _optional_id(item, "RELATIONSHIP_ID"),
            "IS_FORWARD": True if forward is None else forward,
        }

    def _mirror_target(self, link: Mapping[str, Any]) -> tuple[str, Record] | None:
        name = link.get("LINK_OBJECT_NAME")
        type_name = self._link_names.get(name) if isinstance(name, str) else None
        if type_name is None:
            return None
        target = self.store.table(type_name).get(link.get("LINK_OBJECT_ID"))  # type: ignore[arg-type]
        if target is None or not isinstance(target.get("LINKS"), list):
            return None
        if (link.get("OBJECT_NAME"), link.get("OBJECT_ID")) == (name, link.get("LINK_OBJECT_ID")):
            return None
        return type_name, target

    def mirror(self, link: Mapping[str, Any], *, stamp: bool = True) -> None:
        """Show ``link`` on its other end too, as Insightly does.

        ``stamp=False`` leaves the other end's ``DATE_UPDATED_UTC`` alone (seeding).
        """
        found = self._mirror_target(link)
        if found is None:
            return
        type_name, target = found
        reverse = {
            "LINK_ID": link["LINK_ID"],
            "OBJECT_NAME": link["LINK_OBJECT_NAME"],
            "OBJECT_ID": link["LINK_OBJECT_ID"],
            "LINK_OBJECT_NAME": link["OBJECT_NAME"],
            "LINK_OBJECT_ID": link["OBJECT_ID"],
            "ROLE": link.get("ROLE"),
            "DETAILS": link.get("DETAILS"),
            "RELATIONSHIP_ID": link.get("RELATIONSHIP_ID"),
            "IS_FORWARD": not link.get("IS_FORWARD", True),
        }
        links: list[Record] = target["LINKS"]
        for index, existing in enumerate(links):
            if existing.get("LINK_ID") == link["LINK_ID"]:
                links[index] = reverse
                break
        else:
            links.append(reverse)
        self.store.touch(type_name, link["LINK_OBJECT_ID"], stamp=stamp)

    def unmirror(self, link: Mapping[str, Any]) -> None:
        """Remove ``link`` from its other end."""
        found = self._mirror_target(link)
        if found is None:
            return
        type_name, target = found
        before = len(target["LINKS"])
        target["LINKS"] = [
            item for item in target["LINKS"] if item.get("LINK_ID") != link.get("LINK_ID")
        ]
        if len(target["LINKS"]) != before:
            self.store.touch(type_name, link["LINK_OBJECT_ID"])

    def add_link(self, rtype: RecordType, record: Record, item: Mapping[str, Any]) -> Record:
        """Add one link to a stored record (and its mirror); the stored link.

        Raises:
            ApiError: 400 when the link is invalid.
        """
        assert rtype.id_field is not None
        link = self.link_item(rtype, record[rtype.id_field], item)
        link["LINK_ID"] = self.store.next_sub_id()
        record.setdefault("LINKS", []).append(link)
        self.mirror(link)
        return link

    def _put_links(
        self, rtype: RecordType, record: Record, items: list[Record], mode: SubcollectionMode
    ) -> None:
        assert rtype.id_field is not None
        record_id = record[rtype.id_field]
        current: list[Record] = record.get("LINKS") or []
        by_id = {link.get("LINK_ID"): link for link in current}
        new = [{**item, "OBJECT_ID": record_id} for item in items]
        kept = {link["LINK_ID"] for link in new if link["LINK_ID"] in by_id}
        for link in current:
            if mode == "replace" or link.get("LINK_ID") in kept:
                self.unmirror(link)
        result = (
            []
            if mode == "replace"
            else [link for link in current if link.get("LINK_ID") not in kept]
        )
        for link in new:
            if link["LINK_ID"] not in by_id:
                link["LINK_ID"] = self.store.next_sub_id()
            result.append(link)
        record["LINKS"] = result
        for link in new:
            self.mirror(link)

    def linked(
        self, parent_type: RecordType, parent: Record, parent_id: int, child_type: RecordType
    ) -> list[Record]:
        """Records of ``child_type`` linked to a parent, either way, or pointing at it."""
        table = self.store.table(child_type.name)
        ids = {
            link.get("LINK_OBJECT_ID")
            for link in parent.get("LINKS") or ()
            if link.get("LINK_OBJECT_NAME") == child_type.object_name
        }
        pointer = parent_type.id_field if parent_type.id_field in table.shape.fields else None
        for child in table.records():
            child_id = child.get(child_type.id_field) if child_type.id_field else None
            if child_id in ids:
                continue
            if pointer is not None and child.get(pointer) == parent_id:
                ids.add(child_id)
                continue
            for link in child.get("LINKS") or ():
                if (
                    link.get("LINK_OBJECT_NAME") == parent_type.object_name
                    and link.get("LINK_OBJECT_ID") == parent_id
                ):
                    ids.add(child_id)
                    break
        return [table.rows[i] for i in sorted(i for i in ids if i in table.rows)]

    @staticmethod
    def visible(shape: Shape, record: Mapping[str, Any], caller: Caller) -> bool:
        if caller.admin or not shape.owned:
            return True
        visible_to = record.get("VISIBLE_TO")
        if visible_to is None or visible_to == "EVERYONE":
            return True
        if record.get("OWNER_USER_ID") == caller.user_id:
            return True
        return visible_to == "TEAM" and record.get("VISIBLE_TEAM_ID") in caller.teams


_COLLECTION_KEYS = frozenset(
    {"CUSTOMFIELDS", "TAGS", "LINKS", "DATES", "EMAILDOMAINS", "TEAMMEMBERS"}
)


def _optional_id(item: Mapping[str, Any], key: str) -> int | None:
    value = item.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(400, f"The value of {key} is not valid: expected an integer.")
    return value


def _merge_by(
    current: list[Record] | None, new: list[Record], key: str, mode: SubcollectionMode
) -> list[Record]:
    """Items replace the item with the same ``key`` value, or are added."""
    result = [] if mode == "replace" else [dict(item) for item in current or ()]
    index = {item.get(key): position for position, item in enumerate(result)}
    for item in new:
        position = index.get(item[key])
        if position is None:
            index[item[key]] = len(result)
            result.append(dict(item))
        else:
            result[position] = dict(item)
    return result


def _merge_tags(
    current: list[Record] | None, new: list[Record], mode: SubcollectionMode
) -> list[Record]:
    """Tags are a set, compared without regard to case; the first spelling stays."""
    result = [] if mode == "replace" else list(current or ())
    seen = {str(tag.get("TAG_NAME", "")).casefold() for tag in result}
    for tag in new:
        folded = tag["TAG_NAME"].casefold()
        if folded not in seen:
            seen.add(folded)
            result.append(tag)
    return result


def _custom_value(name: str, definition: Mapping[str, Any], value: Any) -> Any:
    """A custom field value checked against its definition's FIELD_TYPE."""
    if value is None:
        return None
    field_type = str(definition.get("FIELD_TYPE") or "").upper()
    if field_type in _TEXT_TYPES:
        if not isinstance(value, str):
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected a string."
            )
        options = [o.get("OPTION_VALUE") for o in definition.get("CUSTOM_FIELD_OPTIONS") or ()]
        if field_type in ("DROPDOWN", "MULTISELECT") and options:
            chosen = value.split(";") if field_type == "MULTISELECT" else [value]
            for choice in chosen:
                if choice and choice not in options:
                    raise ApiError(
                        400, f"The value '{choice}' is not an option of custom field {name}."
                    )
        return value
    if field_type == "BIT":
        if not isinstance(value, bool):
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected true or false."
            )
        return value
    if field_type in _NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected a number."
            )
        return value
    if field_type in ("DATE", "DATETIME"):
        canonical = parse_body_datetime(value) if isinstance(value, str) else None
        if canonical is None:
            raise ApiError(
                400, f"The value of custom field {name} is not valid: expected a date and time."
            )
        return canonical
    return value


_TEXT_TYPES = frozenset({"TEXT", "MULTILINETEXT", "DROPDOWN", "MULTISELECT", "URL", "AUTONUMBER"})
_NUMBER_TYPES = frozenset({"NUMERIC", "PERCENT", "CURRENCY", "LOOKUP"})
