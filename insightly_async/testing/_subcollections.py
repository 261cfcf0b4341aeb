"""Sub-collections of a record (``CUSTOMFIELDS``, ``TAGS``, ``LINKS``, ``DATES``,
``EMAILDOMAINS``, ``TEAMMEMBERS``): checked first, then applied.

:meth:`SubCollections.prepare` checks every item and may fail; :meth:`SubCollections.apply`
writes prepared items and cannot fail, so a rejected write changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from insightly_async._facts.catalog import RecordType
from insightly_async.testing._links import Links
from insightly_async.testing._options import SubcollectionMode
from insightly_async.testing._store import Store
from insightly_async.testing._validation import Checks
from insightly_async.testing._visibility import Teams
from insightly_async.testing._wire import ApiError

__all__ = ["COLLECTION_KEYS", "Prepared", "SubCollections"]

Record = dict[str, Any]
#: Sub-collection items checked and normalised, by key (CUSTOMFIELDS, TAGS…).
Prepared = dict[str, list[Record]]

#: The sub-collections a create or an update writes.
COLLECTION_KEYS: Final = frozenset(
    {"CUSTOMFIELDS", "TAGS", "LINKS", "DATES", "EMAILDOMAINS", "TEAMMEMBERS"}
)


class SubCollections:
    """Checks and writes the sub-collections of records."""

    def __init__(self, store: Store, checks: Checks, links: Links, teams: Teams) -> None:
        self.store = store
        self.checks = checks
        self.links = links
        self.teams = teams

    def prepare(self, rtype: RecordType, key: str, items: Iterable[Any]) -> list[Record]:
        """Check and normalise the items of a sub-collection (``TAGS``, ``LINKS``…).

        Raises:
            ApiError: 400 naming what is wrong.
        """
        items = list(items)
        if not all(isinstance(item, dict) for item in items):
            raise ApiError(400, f"The value of {key} is not valid: expected a list of objects.")
        checks = self.checks
        if key == "CUSTOMFIELDS":
            return [checks.custom_field_item(rtype, item) for item in items]
        if key == "TAGS":
            return [{"TAG_NAME": checks.tag_name(item)} for item in items]
        if key == "LINKS":
            return [self.links.item(rtype, None, item) for item in items]
        if key == "DATES":
            return [checks.date_item(item) for item in items]
        if key == "EMAILDOMAINS":
            return [checks.email_domain_item(item) for item in items]
        return [checks.team_member_item(item) for item in items]

    def apply(
        self, rtype: RecordType, record: Record, collections: Prepared, *, mode: SubcollectionMode
    ) -> None:
        """Write prepared sub-collections into a record, replacing or merging."""
        for key, items in collections.items():
            if key == "CUSTOMFIELDS":
                record[key] = _merge_by(record.get(key), items, "FIELD_NAME", mode)
            elif key == "TAGS":
                record[key] = _merge_tags(record.get(key), items, mode)
            elif key == "LINKS":
                self.links.put(rtype, record, items, mode)
            elif key == "DATES":
                record[key] = self._merge_items(record.get(key), items, "DATE_ID", mode)
            elif key == "EMAILDOMAINS":
                record[key] = self._merge_items(record.get(key), items, "EMAIL_DOMAIN_ID", mode)
            elif key == "TEAMMEMBERS" and rtype.name == "teams":
                self.teams.put_members(record, items, mode)

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
