"""Single actions on one record, mixed into the parent resource.

``crm.opportunities.set_state(7, "WON")``, ``crm.contacts.follow(42)``,
``crm.leads.set_pipeline(5, pipeline_id)``…: each takes the record's id first and is one
request. The resource classes are generated with exactly the mixins their type's endpoints
have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from insightly_async._exceptions import ValidationError
from insightly_async._facts import wire
from insightly_async.models import (
    ActivitySetAssignment,
    OpportunityState,
    OpportunityStateChange,
    PipelineChange,
    PipelineStageChange,
    Record,
    structure,
    validate,
)
from insightly_async.resources._base import Resource
from insightly_async.resources._sub import payload_of

__all__ = [
    "ActivitySetMixin",
    "FollowMixin",
    "LinkEmailAddressMixin",
    "PipelineMixin",
    "PriceBookMixin",
    "StateMixin",
]

M = TypeVar("M", bound=Record)


class FollowMixin(Resource[M]):
    """Following a record: its changes show in the calling user's feed."""

    async def is_following(self, id: int) -> bool:
        """Whether the calling user follows the record (``GET …/{id}/Follow``).

        Args:
            id: The record's id.

        Returns:
            ``True`` if the user the API key belongs to follows it.
        """
        response = await self._client.send("GET", self._url(self._id(id), "Follow"))
        return bool(response.object().get("FOLLOWING"))

    async def follow(self, id: int) -> None:
        """Follow the record as the calling user (``POST …/{id}/Follow``).

        Following twice is harmless, so a follow whose outcome is unknown is retried.

        Args:
            id: The record's id.
        """
        await self._client.send(
            "POST", self._url(self._id(id), "Follow"), retry_unknown_outcome=True
        )

    async def unfollow(self, id: int) -> None:
        """Stop following the record (``DELETE …/{id}/Follow``).

        A retry that finds the record no longer followed counts as done.

        Args:
            id: The record's id.
        """
        await self._client.send(
            "DELETE", self._url(self._id(id), "Follow"), missing_ok_after_retry=True
        )


class StateMixin(Resource[M]):
    """An opportunity's state (open, won, lost…) and its history."""

    async def set_state(
        self,
        id: int,
        state: OpportunityState | str,
        *,
        reason: str | None = None,
        reason_id: int | None = None,
    ) -> OpportunityStateChange:
        """Change an opportunity's state, recording why (``PUT …/StateChange``).

        Args:
            id: The opportunity's id.
            state: ``OPEN``, ``WON``, ``LOST``, ``ABANDONED`` or ``SUSPENDED`` (any case).
            reason: Free text for the state history.
            reason_id: One of the account's ``opportunity_state_reasons`` for this state.

        Returns:
            The state change as the server recorded it.

        Raises:
            ValidationError: an unknown state, a ``reason`` that is not a string or a bad
                id; nothing was sent.
        """
        try:
            value = OpportunityState(state)
        except ValueError:
            raise ValidationError(
                "state", f"{state!r} is not one of {', '.join(s.value for s in OpportunityState)}"
            ) from None
        record_id = self._id(id)
        body: dict[str, Any] = {"OPPORTUNITY_ID": record_id, "FOR_OPPORTUNITY_STATE": value.value}
        if reason is not None:
            if not isinstance(reason, str):
                raise ValidationError("reason", "must be a string")
            body["STATE_REASON"] = reason
        if reason_id is not None:
            body["STATE_REASON_ID"] = wire.validate_id(reason_id, "reason_id")
        response = await self._client.send("PUT", self._url(record_id, "StateChange"), json=body)
        return structure(OpportunityStateChange, response.object())

    async def state_history(self, id: int) -> list[OpportunityStateChange]:
        """The opportunity's state changes (``GET …/{id}/StateHistory``).

        Args:
            id: The opportunity's id.

        Returns:
            Every state change, as the server lists them (empty if none).
        """
        response = await self._client.send("GET", self._url(self._id(id), "StateHistory"))
        return [structure(OpportunityStateChange, item) for item in response.objects(empty_ok=True)]


class PipelineMixin(Resource[M]):
    """A record's pipeline and stage (leads, opportunities, projects)."""

    async def set_pipeline(
        self, id: int, pipeline_id: int, *, stage_id: int | None = None
    ) -> PipelineChange:
        """Put the record in a pipeline, at ``stage_id`` or the pipeline's first stage.

        Args:
            id: The record's id.
            pipeline_id: The pipeline (see ``crm.pipelines``).
            stage_id: The stage to start at (see ``crm.pipeline_stages``); default: the
                pipeline's first stage.

        Returns:
            The pipeline change as the server recorded it.
        """
        body: dict[str, Any] = {"PIPELINE_ID": wire.validate_id(pipeline_id, "pipeline_id")}
        if stage_id is not None:
            body["PIPELINE_STAGE_CHANGE"] = {"STAGE_ID": wire.validate_id(stage_id, "stage_id")}
        response = await self._client.send("PUT", self._url(self._id(id), "Pipeline"), json=body)
        return structure(PipelineChange, response.object())

    async def set_stage(self, id: int, stage_id: int) -> PipelineStageChange:
        """Move the record to another stage of its pipeline.

        Args:
            id: The record's id.
            stage_id: A stage of the record's current pipeline.

        Returns:
            The stage change as the server recorded it.
        """
        body = {"STAGE_ID": wire.validate_id(stage_id, "stage_id")}
        response = await self._client.send(
            "PUT", self._url(self._id(id), "PipelineStage"), json=body
        )
        return structure(PipelineStageChange, response.object())

    async def clear_pipeline(self, id: int) -> None:
        """Take the record out of its pipeline.

        Args:
            id: The record's id.
        """
        await self._client.send("DELETE", self._url(self._id(id), "Pipeline"))


class PriceBookMixin(Resource[M]):
    """The price book an opportunity's line items are priced from."""

    async def set_price_book(self, id: int, price_book_id: int) -> None:
        """Price an opportunity's line items from this price book.

        Args:
            id: The opportunity's id.
            price_book_id: The price book (see ``crm.price_books``).
        """
        body = {"PRICEBOOK_ID": wire.validate_id(price_book_id, "price_book_id")}
        await self._client.send("PUT", self._url(self._id(id), "Pricebook"), json=body)


class LinkEmailAddressMixin(Resource[M]):
    """The email address that files mail under a record."""

    async def linked_email_address(self, id: int) -> str | None:
        """The address that files emails sent to it under this record.

        Args:
            id: The record's id.

        Returns:
            The address, or ``None`` if the server gave none.
        """
        response = await self._client.send("GET", self._url(self._id(id), "LinkEmailAddress"))
        data = response.object()
        value = data.get("EMAIL", data.get("LINKED_EMAIL_ADDRESS"))
        return value if isinstance(value, str) else None


class ActivitySetMixin(Resource[M]):
    """Starting an activity set on a record."""

    async def assign_activity_set(
        self, id: int, assignment: ActivitySetAssignment | Mapping[str, Any]
    ) -> ActivitySetAssignment:
        """Start an activity set (a batch of tasks and events) on the record.

        Args:
            id: The record's id.
            assignment: Which set (``activityset_id``, required) and who does what when.

        Returns:
            The assignment as the server recorded it.

        Raises:
            ValidationError: no ``ACTIVITYSET_ID``, or a value that is wrong.
        """
        payload = payload_of(ActivitySetAssignment, assignment, "assignment")
        validate(ActivitySetAssignment, payload, required=("ACTIVITYSET_ID",))
        response = await self._client.send(
            "POST", self._url(self._id(id), "ActivitySetAssignment"), json=payload
        )
        return structure(ActivitySetAssignment, response.object())
