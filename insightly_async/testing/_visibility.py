"""Who may see what: the calling user, per-user visibility, and team membership.

A record of an owned type (:attr:`~insightly_async._facts.fields.RecordFields.owned`)
whose ``VISIBLE_TO`` is ``OWNER`` or ``TEAM`` is seen only by its owner, the members of
its ``VISIBLE_TEAM_ID`` and administrators; a team's ``TEAMMEMBERS`` mirror its
``team_members`` records.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import attrs

from insightly_async.testing._options import SubcollectionMode
from insightly_async.testing._schema import Shape
from insightly_async.testing._store import Store

__all__ = ["Caller", "Teams", "caller_for", "visible"]

Record = dict[str, Any]


@attrs.frozen
class Caller:
    """The authenticated user a write or a read is made for."""

    user: Record
    user_id: int
    admin: bool
    teams: frozenset[int]


def caller_for(store: Store, user: Mapping[str, Any]) -> Caller:
    """The :class:`Caller` for a user record."""
    user_id = int(user["USER_ID"])
    return Caller(
        user=dict(user),
        user_id=user_id,
        admin=user.get("ADMINISTRATOR") is True,
        teams=store.team_ids(user_id),
    )


def visible(shape: Shape, record: Mapping[str, Any], caller: Caller) -> bool:
    """Whether ``caller`` may see ``record`` (of a type with ``shape``)."""
    if caller.admin or not shape.owned:
        return True
    visible_to = record.get("VISIBLE_TO")
    if visible_to is None or visible_to == "EVERYONE":
        return True
    if record.get("OWNER_USER_ID") == caller.user_id:
        return True
    return visible_to == "TEAM" and record.get("VISIBLE_TEAM_ID") in caller.teams


class Teams:
    """Keeps each team's ``TEAMMEMBERS`` in step with its ``team_members`` records."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def members_of(self, team_id: int) -> list[Record]:
        """Copies of the ``team_members`` records of a team."""
        return [
            copy.deepcopy(member)
            for member in self.store.table("team_members").records()
            if member.get("TEAM_ID") == team_id
        ]

    def sync(self, team_id: int) -> None:
        """Copy a team's members into its ``TEAMMEMBERS``."""
        team = self.store.table("teams").get(team_id)
        if team is None or "TEAMMEMBERS" not in team:
            return
        team["TEAMMEMBERS"] = self.members_of(team_id)
        self.store.touch("teams", team_id)

    def put_members(self, team: Record, items: list[Record], mode: SubcollectionMode) -> None:
        """Write a team's ``TEAMMEMBERS`` (checked items) as ``team_members`` records."""
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
        team["TEAMMEMBERS"] = self.members_of(team_id)

    def disband(self, team_id: int) -> None:
        """Remove the memberships of a deleted team."""
        members = self.store.table("team_members")
        for member in [m for m in members.records() if m.get("TEAM_ID") == team_id]:
            members.remove(member["PERMISSION_ID"])
