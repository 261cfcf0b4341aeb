"""The emulator's write engine: creating, updating and deleting records as the API does.

Everything here works on the store alone (no HTTP), so the request handlers, the store
helpers of ``FakeInsightly`` and the churn task all write through the same rules. The
concerns it brings together live beside it: the checks of written values
(``_validation``), sub-collections (``_subcollections``), links (``_links``), and
visibility and teams (``_visibility``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from insightly_async._facts.catalog import RecordType
from insightly_async.testing._links import Links
from insightly_async.testing._options import Options
from insightly_async.testing._schema import check_value, shape_of
from insightly_async.testing._store import Store
from insightly_async.testing._subcollections import COLLECTION_KEYS, Prepared, SubCollections
from insightly_async.testing._validation import Checks
from insightly_async.testing._visibility import Caller, Teams
from insightly_async.testing._wire import ApiError

__all__ = ["Records"]

Record = dict[str, Any]


class Records:
    """Creates, updates and deletes records in a store, enforcing the API's rules.

    Attributes:
        checks: The checks of written values.
        links: Links and their mirrors.
        teams: Team membership.
        collections: Sub-collections, checked then applied.
    """

    def __init__(self, store: Store, options: Options) -> None:
        self.store = store
        self.options = options
        self.checks = Checks(store, options)
        self.links = Links(store)
        self.teams = Teams(store)
        self.collections = SubCollections(store, self.checks, self.links, self.teams)

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
            if field.kind == "collection":
                checked = check_value(field, value)
                if key in COLLECTION_KEYS:
                    collections[key] = self.collections.prepare(rtype, key, checked or [])
                continue
            scalars[key] = self.checks.scalar(field, value)
        return scalars, collections

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
        self.checks.references(rtype, scalars)
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
        self.checks.visibility(record)
        if rtype.id_field is not None:
            record[rtype.id_field] = self.store.next_id(rtype.name)
        self._defaults(rtype, record)
        self.collections.apply(rtype, record, collections, mode="replace")
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
                    self.links.mirror(link, stamp=False)
            if opportunities and record_id not in self.store.state_history:
                self._seed_state_history(record)

    def _seed_state_history(self, record: Record) -> None:
        state = record.get("OPPORTUNITY_STATE")
        created = record.get("DATE_CREATED_UTC")
        entries = [_state_entry(record, created, "OPEN")]
        if isinstance(state, str) and state.upper() != "OPEN":
            entries.append(_state_entry(record, record.get("DATE_UPDATED_UTC") or created, state))
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
        self.checks.references(rtype, scalars)
        self.checks.visibility({**record, **scalars})
        previous_state = record.get("OPPORTUNITY_STATE")
        record.update(scalars)
        self.collections.apply(rtype, record, collections, mode=self.options.subcollection_put)
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
            self.teams.sync(record["TEAM_ID"])

    def record_state(
        self, record: Record, state: Any, reason_id: int | None, reason: str | None
    ) -> Record:
        """Append an opportunity's state change to its history; the history entry."""
        entry = _state_entry(record, self.store.now_text(), state, reason_id, reason)
        self.store.state_history.setdefault(record["OPPORTUNITY_ID"], []).append(entry)
        return entry

    def delete(self, type_name: str, record_id: int) -> None:
        """Remove a record and what hangs off it (links, follows, history, members)."""
        store = self.store
        record = store.table(type_name).remove(record_id)
        if record is None:
            return
        for link in record.get("LINKS") or ():
            self.links.unmirror(link)
        store.follows = {item for item in store.follows if item[1:] != (type_name, record_id)}
        if type_name == "opportunities":
            store.state_history.pop(record_id, None)
        store.attachments.pop((type_name, record_id), None)
        store.comments.pop((type_name, record_id), None)
        store.pipelines.pop((type_name, record_id), None)
        if type_name == "team_members" and record.get("TEAM_ID") is not None:
            self.teams.sync(record["TEAM_ID"])
        elif type_name == "teams":
            self.teams.disband(record_id)


def _state_entry(
    record: Mapping[str, Any],
    when: Any,
    state: Any,
    reason_id: int | None = None,
    reason: str | None = None,
) -> Record:
    """An entry of an opportunity's state history."""
    return {
        "OPPORTUNITY_ID": record["OPPORTUNITY_ID"],
        "DATE_CHANGED_UTC": when,
        "FOR_OPPORTUNITY_STATE": state,
        "STATE_REASON_ID": reason_id,
        "STATE_REASON": reason,
    }
