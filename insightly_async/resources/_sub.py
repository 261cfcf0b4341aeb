"""Sub-resources: what hangs off one record, ``/{Type}/{id}/...``.

Collections get an object on the parent resource (``crm.contacts.tags.add(42, "vip")``,
``crm.opportunities.line_items.list(7)``); single actions are methods of the parent
(``crm.opportunities.set_state(7, "WON")``, ``crm.contacts.follow(42)``). Each takes the
parent record's id first. Here: the base, and the collections kept on the record itself
(links, tags, comments, dates, email domains, team members); the records attached to it
and read in pages, or written through it, are in :mod:`._attached`.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from insightly_async._core import Answer
from insightly_async._exceptions import ValidationError
from insightly_async._facts import wire
from insightly_async.models import (
    Comment,
    EmailDomain,
    Link,
    Model,
    RecordDate,
    TeamMember,
    create_payload,
    payload_from_changes,
    structure,
    validate,
)
from insightly_async.resources._base import Resource

S = TypeVar("S", bound=Model)


def payload_of(model_cls: type[S], value: S | Mapping[str, Any], argument: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return payload_from_changes(model_cls, value, creating=True)
    if isinstance(value, model_cls):
        return create_payload(value)
    raise ValidationError(
        argument, f"must be a {model_cls.__name__} or a mapping, not {type(value).__name__}"
    )


class _Sub:
    """A sub-resource of ``parent``: ``/{parent path}/{id}/{segment}``."""

    segment: str

    def __init__(self, parent: Resource[Any]) -> None:
        self._parent = parent

    def __repr__(self) -> str:
        return f"<{type(self).__name__} /{self._parent.record_type.path}/{{id}}/{self.segment}>"

    def _url(self, record_id: int, *rest: str | int) -> str:
        return self._parent._url(self._parent._id(record_id), self.segment, *rest)

    async def _send(self, method: str, url: str, **kwargs: Any) -> Answer:
        return await self._parent._client.send(method, url, **kwargs)

    async def _list_of(self, model_cls: type[S], record_id: int) -> list[S]:
        response = await self._send("GET", self._url(record_id))
        return [structure(model_cls, item) for item in response.objects(empty_ok=True)]


class Links(_Sub):
    """The links of a record to other records (``/{Type}/{id}/Links``)."""

    segment = "Links"

    async def list(self, id: int) -> list[Link]:
        """The record's links.

        Args:
            id: The record's id.

        Returns:
            Its links (empty if none).
        """
        return await self._list_of(Link, id)

    async def add(self, id: int, link: Link | Mapping[str, Any]) -> Link:
        """Link the record to another one.

        ``LINK_OBJECT_NAME`` is the singular object name (``"Organisation"``), as the API
        expects: ``Link(link_object_name="Organisation", link_object_id=7)``.

        Args:
            id: The record's id.
            link: The link: ``link_object_name`` and ``link_object_id`` are required.

        Returns:
            The new link, with its ``link_id``.

        Raises:
            ValidationError: ``link_object_name`` or ``link_object_id`` is missing.
        """
        payload = payload_of(Link, link, "link")
        validate(Link, payload, required=("LINK_OBJECT_NAME", "LINK_OBJECT_ID"))
        response = await self._send("POST", self._url(id), json=payload)
        return structure(Link, response.object())

    async def delete(self, id: int, link_id: int) -> None:
        """Remove a link. A retry that finds it already gone counts as done.

        Args:
            id: The record's id.
            link_id: The link's ``link_id``.
        """
        url = self._url(id, wire.validate_id(link_id, "link_id"))
        await self._send("DELETE", url, missing_ok_after_retry=True)


class UpdatableLinks(Links):
    """Links of a type whose links can also be edited in place."""

    async def update(self, id: int, link: Link) -> Link:
        """Change a link (its ``link_id`` says which): role, details, relationship.

        Args:
            id: The record's id.
            link: The link as it should be, ``link_id`` included (the whole link is sent).

        Returns:
            The link as the server stored it.

        Raises:
            ValidationError: ``link`` is not a ``Link`` or has no ``link_id``.
        """
        if not isinstance(link, Link):
            raise ValidationError("link", f"must be a Link, not {type(link).__name__}")
        payload = create_payload(link)
        validate(Link, payload, required=("LINK_ID",))
        response = await self._send("PUT", self._url(id), json=payload)
        return structure(Link, response.object())


class Tags(_Sub):
    """The tags of a record (``/{Type}/{id}/Tags``)."""

    segment = "Tags"

    async def list(self, id: int) -> list[str]:
        """The record's tag names.

        Args:
            id: The record's id.

        Returns:
            The tag names (empty if none).
        """
        response = await self._send("GET", self._url(id))
        return [str(item.get("TAG_NAME")) for item in response.objects(empty_ok=True)]

    async def add(self, id: int, name: str) -> None:
        """Tag the record.

        Args:
            id: The record's id.
            name: The tag (created in the account if it is new).

        Raises:
            ValidationError: an empty tag name.
        """
        await self._send("POST", self._url(id), json={"TAG_NAME": _tag(name)})

    async def replace(self, id: int, names: Iterable[str]) -> builtins.list[str]:
        """Make ``names`` the record's only tags.

        Args:
            id: The record's id.
            names: The tag names (an empty list removes every tag).

        Returns:
            The record's tag names afterwards.

        Raises:
            ValidationError: one string instead of a list, or an empty tag name.
        """
        if isinstance(names, str):
            raise ValidationError("names", "must be a list of tag names, not one string")
        body = [{"TAG_NAME": _tag(name)} for name in names]
        response = await self._send("PUT", self._url(id), json=body)
        return [str(item.get("TAG_NAME")) for item in response.objects(empty_ok=True)]

    async def remove(self, id: int, name: str) -> None:
        """Take a tag off the record. A retry that finds it gone counts as done.

        Args:
            id: The record's id.
            name: The tag.

        Raises:
            ValidationError: an empty tag name.
        """
        # v3.1 takes the tag in a JSON body (v3.0 had it in the path).
        await self._send(
            "DELETE", self._url(id), json={"TAG_NAME": _tag(name)}, missing_ok_after_retry=True
        )


def _tag(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("name", f"must be a non-empty tag name, got {name!r}")
    return name


class Comments(_Sub):
    """Comments on a task, note, email or ticket."""

    segment = "Comments"

    async def list(self, id: int) -> list[Comment]:
        """The comments on the record.

        Args:
            id: The record's id.

        Returns:
            Its comments (empty if none).
        """
        return await self._list_of(Comment, id)

    async def add(self, id: int, body: str | Comment) -> Comment:
        """Comment on the record.

        Args:
            id: The record's id.
            body: The comment's text (at most 200 characters), or a ``Comment``.

        Returns:
            The new comment, with its ``comment_id``.

        Raises:
            ValidationError: no body, or one that is too long; nothing was sent.
        """
        comment = Comment(body=body) if isinstance(body, str) else body
        payload = payload_of(Comment, comment, "body")
        validate(Comment, payload, required=("BODY",))
        response = await self._send("POST", self._url(id), json=payload)
        return structure(Comment, response.object())


class _Replaceable(_Sub, Generic[S]):
    model: type[S]

    async def list(self, id: int) -> list[S]:
        """The record's collection.

        Args:
            id: The record's id.

        Returns:
            Its items (empty if none).
        """
        return await self._list_of(self.model, id)

    async def replace(self, id: int, items: Iterable[S]) -> builtins.list[S]:
        """Make ``items`` the record's whole collection.

        Args:
            id: The record's id.
            items: The items (models or mappings); an empty list clears the collection.

        Returns:
            The collection as the server stored it.

        Raises:
            ValidationError: an item that is wrong; nothing was sent.
        """
        body = [payload_of(self.model, item, "items") for item in items]
        for item in body:
            validate(self.model, item)
        response = await self._send("PUT", self._url(id), json=body)
        return [structure(self.model, item) for item in response.objects(empty_ok=True)]


class Dates(_Replaceable[RecordDate]):
    """Dates to remember of a contact or organisation (birthdays, anniversaries)."""

    segment = "Dates"
    model = RecordDate


class EmailDomains(_Replaceable[EmailDomain]):
    """The email domains of an organisation."""

    segment = "EmailDomains"
    model = EmailDomain


class TeamMembers(_Sub):
    """Members of a team."""

    segment = "TeamMembers"

    async def add(self, id: int, member_user_id: int) -> TeamMember:
        """Make a user a member of the team.

        Args:
            id: The team's id.
            member_user_id: The user's id (see ``crm.users``).

        Returns:
            The membership, with its ``permission_id`` (what :meth:`remove` takes).
        """
        user_id = wire.validate_id(member_user_id, "member_user_id")
        response = await self._send("POST", self._url(id), json={"MEMBER_USER_ID": user_id})
        return structure(TeamMember, response.object())

    async def remove(self, id: int, permission_id: int) -> None:
        """Take a member off the team. A retry that finds them gone counts as done.

        Args:
            id: The team's id.
            permission_id: The membership's ``permission_id`` (from :meth:`add`).
        """
        url = self._url(id, wire.validate_id(permission_id, "permission_id"))
        await self._send("DELETE", url, missing_ok_after_retry=True)
