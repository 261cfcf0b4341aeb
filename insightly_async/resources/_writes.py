"""The writing verbs: ``create()``, ``update()``, ``modify()`` and ``delete()``."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from insightly_async._exceptions import ConflictError, InsightlyError, ValidationError
from insightly_async.models import Record, create_payload, model_fields, payload_from_changes
from insightly_async.models import changes as record_changes
from insightly_async.models import validate as validate_payload
from insightly_async.resources._base import M, Resource
from insightly_async.resources._reads import GetMixin

#: What ``modify`` applies: changes the record in place, or returns the new record or a
#: mapping of changes (a coroutine function too).
ModifyFn = Callable[[M], "M | Mapping[str, Any] | Awaitable[M | Mapping[str, Any] | None] | None"]


class CreateMixin(Resource[M]):
    """``create()``: a new record."""

    async def create(self, record: M | Mapping[str, Any]) -> M:
        """Create a record and return it as the server stored it.

        Args:
            record: A model (``Contact(first_name="Ada")``) or a mapping of attribute or
                wire names to values.

        Returns:
            The new record, with its id and the values the server filled in.

        Raises:
            ValidationError: a required field is missing or a value is wrong; nothing was
                sent.
            APIConnectionError: with ``outcome_unknown`` if the connection broke after the
                request was sent: the record may exist. It is never resent blindly.
        """
        if isinstance(record, Mapping):
            payload = payload_from_changes(self.model, record, creating=True)
        elif isinstance(record, self.model):
            payload = create_payload(record)
        else:
            raise ValidationError(
                "record",
                f"must be a {self.model.__name__} or a mapping, not {type(record).__name__}",
            )
        validate_payload(self.model, payload, required=self.record_type.required)
        response = await self._client.send("POST", self._url(), json=payload)
        return self._parse_response(response)


class UpdateMixin(Resource[M]):
    """``update()``: send a record's changes."""

    async def update(
        self,
        record: M | int,
        changes: Mapping[str, Any] | None = None,
        *,
        if_match: str | None = None,
    ) -> M:
        """Send the changes of a record: its id plus exactly the fields that changed.

        ``update(record)`` sends what changed since the record was read (nothing at all if
        nothing changed: the record comes back as it is). ``update(42, {"last_name":
        "Byron"})`` sends exactly those fields. Sub-collections go only when they changed,
        and fields the models do not know are never touched.

        Args:
            record: A record read from the API, or an id.
            changes: With an id: the fields to change (attribute or wire names).
            if_match: An ETag: the update applies only if the record is unchanged since
                (else :class:`ConflictError`).

        Returns:
            The record as the server stored it; ``record`` itself when nothing changed
            (nothing is sent then).

        Raises:
            ValidationError: an id without ``changes``, a record with ``changes``, or a
                changed value that is wrong; nothing was sent.
            ConflictError: ``if_match`` no longer matches: someone changed the record.
            NotFoundError: no such record, or one the key cannot see.
        """
        if isinstance(record, int) and not isinstance(record, bool):
            record_id = self._id(record)
            if changes is None:
                raise ValidationError("changes", "give the changes to send with an id")
            payload = payload_from_changes(self.model, changes)
        elif isinstance(record, self.model):
            if changes is not None:
                raise ValidationError("changes", "give either a record or an id with changes")
            record_id = self._id(record.id, "id")
            payload = record_changes(record)
            if not payload:
                return record
        else:
            raise ValidationError(
                "record", f"must be a {self.model.__name__} or an id, not {type(record).__name__}"
            )
        validate_payload(self.model, payload)
        return await self._put(record_id, payload, if_match=if_match)

    async def _put(self, record_id: int, payload: Mapping[str, Any], *, if_match: str | None) -> M:
        id_field = self.record_type.id_field
        assert id_field is not None
        body = {id_field: record_id, **payload}
        response = await self._client.send("PUT", self._url(), json=body, if_match=if_match)
        return self._parse_response(response)


class ModifyMixin(GetMixin[M], UpdateMixin[M]):
    """``modify()``: read, change and write back a record, safe against concurrent edits."""

    async def modify(self, id: int, fn: ModifyFn[M], *, max_attempts: int = 10) -> M:
        """Read a record, apply ``fn``, and write the change back only if nobody else did.

        ``fn`` gets the freshly read record and either changes it in place (returning
        ``None`` or the record), returns a new record of the same type (e.g.
        ``attrs.evolve(record, title="Countess")``: the new state, compared with what was
        read), or returns a mapping of changes; it may be a coroutine function. The write
        carries the read's ETag in ``If-Match``; on :class:`ConflictError` the record is
        read again and ``fn`` applied again, up to ``max_attempts`` times. ``fn`` is never
        applied on top of its own earlier write: if a write's outcome is unknown,
        :class:`APIConnectionError` (``outcome_unknown=True``) is raised instead of
        guessing.

        Args:
            id: The record's id.
            fn: The change, as above.
            max_attempts: Reads and writes at most, conflicts included.

        Returns:
            The record as the server stored it (or as read, when ``fn`` changed nothing).

        Raises:
            ValidationError: ``fn`` returned something else, or a changed value is wrong.
            ConflictError: still conflicting after ``max_attempts`` attempts.
            APIConnectionError: the write's outcome is unknown (``outcome_unknown``).
        """
        record_id = self._id(id)
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ValidationError("max_attempts", f"must be an int >= 1, got {max_attempts!r}")
        conflict: ConflictError | None = None
        for _ in range(max_attempts):
            current = await self.get(record_id)
            if current.etag is None:
                raise InsightlyError(
                    f"/{self.record_type.path}/{record_id} came without an ETag: "
                    "modify() cannot guard the write against concurrent changes"
                )
            result = fn(current)
            if inspect.isawaitable(result):
                result = await result
            if result is None or result is current:
                payload = record_changes(current)
            elif isinstance(result, self.model):
                # A new record of the type (attrs.evolve, say) is the new state: what it
                # holds is compared with what was read, field by field.
                _take_state(current, result)
                payload = record_changes(current)
            elif isinstance(result, Mapping):
                payload = payload_from_changes(self.model, result)
            else:
                raise ValidationError(
                    "fn",
                    f"must change the record in place, or return the new {self.model.__name__} "
                    f"or a mapping of changes, not a {type(result).__name__}",
                )
            if not payload:
                return current
            validate_payload(self.model, payload)
            try:
                return await self._put(record_id, payload, if_match=current.etag)
            except ConflictError as exc:
                conflict = exc
        assert conflict is not None
        raise conflict


def _take_state(record: Record, new: Record) -> None:
    """Give ``record`` (as read) every field value and extra key of ``new``."""
    for field in model_fields(type(record)):
        setattr(record, field.name, getattr(new, field.name))
    record.extra = dict(new.extra)


class DeleteMixin(Resource[M]):
    """``delete()``: remove a record."""

    async def delete(self, id: int) -> None:
        """Delete the record. A retry that finds it already gone counts as done.

        Args:
            id: The record's id.

        Raises:
            ValidationError: ``id`` is not a positive int.
            NotFoundError: no such record (on the first attempt), or one the key cannot see.
        """
        record_id = self._id(id)
        if self.record_type.delete_by_query:
            url, params = self._url(), {"id": record_id}
        else:
            url, params = self._url(record_id), None
        await self._client.send("DELETE", url, params=params, missing_ok_after_retry=True)
