"""The record types a command can work on, named as the session's resource attributes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from insightly_async import InsightlySession, Paginator, PermissionDeniedError
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME, MAX_PAGE_SIZE

__all__ = ["Target", "UnknownTypeError", "resolve"]


class UnknownTypeError(ValueError):
    """A type name that is neither a resource nor a custom object name."""


@attrs.frozen
class Target:
    """One record type to read or write, with what the commands need to know of it."""

    name: str
    resource: Any
    id_field: str | None
    paged: bool
    searchable: bool
    updated_field: str | None
    creatable: bool

    @classmethod
    def of(cls, name: str, resource: Any) -> Target:
        rtype = resource.record_type
        ops = {op.value for op in rtype.ops}
        return cls(
            name=name,
            resource=resource,
            id_field=rtype.id_field,
            paged=rtype.paged,
            searchable="search" in ops,
            updated_field=rtype.updated_field,
            creatable="create" in ops,
        )

    @property
    def incremental(self) -> bool:
        """Changes since a moment can be asked for (``/Search?updated_after_utc=``)."""
        return self.searchable and self.updated_field is not None and self.id_field is not None

    def pages(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        updated_after: datetime | None = None,
        count_total: bool = False,
    ) -> Paginator[dict[str, Any]]:
        options: dict[str, Any] = {"raw": True}
        if self.paged:
            options.update(page_size=page_size, count_total=count_total)
        if updated_after is not None:
            options["updated_after"] = updated_after
        paginator: Paginator[dict[str, Any]] = self.resource.list(**options)
        return paginator


async def resolve(
    crm: InsightlySession, names: Sequence[str], *, writable: bool = False
) -> list[Target]:
    """The targets for ``names`` (``all`` is every type, custom objects included).

    Names are checked before anything is sent, except that ``all`` and custom object
    names ask the account for its custom objects (one request).

    Raises:
        UnknownTypeError: a name that is no record type (the message lists the known ones),
            or a custom object the account does not have.
    """
    known = InsightlySession.resource_names()
    wanted: list[str] = []
    for name in names:
        if name != "all" and name not in known and not CUSTOM_OBJECT_NAME.fullmatch(name):
            raise UnknownTypeError(
                f"unknown record type {name!r}; known types: {', '.join(known)}, "
                "or a custom object name such as Fruit__c"
            )
        if name not in wanted:
            wanted.append(name)
    targets: list[Target] = []
    objects: list[str] | None = None  # the account's custom objects, None if not visible
    if "all" in wanted or any(name not in known for name in wanted if name != "all"):
        try:
            defined = await crm.custom_objects.list()
            objects = [obj.object_name for obj in defined if obj.object_name]
        except PermissionDeniedError:
            objects = None  # a key that may not see the definitions works on the rest
    if "all" in wanted:
        targets = [Target.of(name, crm.resource(name)) for name in [*known, *(objects or [])]]
    seen = {target.name for target in targets}
    for name in wanted:
        if name == "all" or name in seen:
            continue
        seen.add(name)
        if name not in known and objects is not None and name not in objects:
            have = ", ".join(objects) or "none"
            raise UnknownTypeError(
                f"the account has no custom object {name!r} (its custom objects: {have})"
            )
        targets.append(Target.of(name, crm.resource(name)))
    if writable:
        for target in targets:
            if not target.creatable:
                raise UnknownTypeError(f"{target.name} records cannot be created through the API")
    return targets
