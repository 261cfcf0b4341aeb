"""Links between records: checking them, storing them, and showing them on both ends.

A link from A to B shows on B too, reversed (``IS_FORWARD`` flipped), as Insightly does;
removing or moving it removes or moves the mirror. ``LINK_OBJECT_NAME`` is a singular
object name (``Contact``); the plural a client may send by mistake is refused with a hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from insightly_async._facts.catalog import CATALOG, RecordType
from insightly_async.testing._options import SubcollectionMode
from insightly_async.testing._schema import optional_id, shape_of
from insightly_async.testing._store import Store
from insightly_async.testing._wire import ApiError

__all__ = ["Links"]

Record = dict[str, Any]


class Links:
    """The links of the records in a store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Singular object names that links may point at, and the plurals clients
        # mistakenly send instead.
        self._names: dict[str, str] = {}
        self._plurals: dict[str, str] = {}
        for rtype in CATALOG:
            if "LINKS" in shape_of(rtype).fields:
                self._names[rtype.object_name] = rtype.name
                self._plurals[rtype.path] = rtype.object_name
                self._plurals[rtype.object_name + "s"] = rtype.object_name

    def _target(self, item: Mapping[str, Any]) -> tuple[str, int]:
        name = item.get("LINK_OBJECT_NAME")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "The LINK_OBJECT_NAME field is required.")
        type_name = self._names.get(name)
        if type_name is None and name in self.store.custom_objects:
            type_name = name
        if type_name is None:
            singular = self._plurals.get(name)
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

    def item(self, rtype: RecordType, record_id: int | None, item: Mapping[str, Any]) -> Record:
        """A checked link from a record of ``rtype`` (its id filled in when known).

        Raises:
            ApiError: 400 when the target is not a singular object name and an existing
                record, or a field has the wrong type.
        """
        name, target_id = self._target(item)
        for key in ("ROLE", "DETAILS"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ApiError(400, f"The value of {key} is not valid: expected a string.")
        forward = item.get("IS_FORWARD")
        if forward is not None and not isinstance(forward, bool):
            raise ApiError(400, "The value of IS_FORWARD is not valid: expected true or false.")
        return {
            "LINK_ID": optional_id(item, "LINK_ID"),
            "OBJECT_NAME": rtype.object_name,
            "OBJECT_ID": record_id,
            "LINK_OBJECT_NAME": name,
            "LINK_OBJECT_ID": target_id,
            "ROLE": item.get("ROLE"),
            "DETAILS": item.get("DETAILS"),
            "RELATIONSHIP_ID": optional_id(item, "RELATIONSHIP_ID"),
            "IS_FORWARD": True if forward is None else forward,
        }

    def _mirror_target(self, link: Mapping[str, Any]) -> tuple[str, Record] | None:
        name = link.get("LINK_OBJECT_NAME")
        type_name = self._names.get(name) if isinstance(name, str) else None
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

    def add(self, rtype: RecordType, record: Record, item: Mapping[str, Any]) -> Record:
        """Add one link to a stored record (and its mirror); the stored link.

        Raises:
            ApiError: 400 when the link is invalid.
        """
        assert rtype.id_field is not None
        link = self.item(rtype, record[rtype.id_field], item)
        link["LINK_ID"] = self.store.next_sub_id()
        record.setdefault("LINKS", []).append(link)
        self.mirror(link)
        return link

    def put(
        self, rtype: RecordType, record: Record, items: list[Record], mode: SubcollectionMode
    ) -> None:
        """Write a record's ``LINKS`` (checked items), replacing or merging, with mirrors."""
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
