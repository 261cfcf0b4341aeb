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
    async def is_following(self, id: int) -> bool:
        """Whether the calling user follows the record."""
        response = await self._client.send("GET", self._url(self._id(id), "Follow"))
        return bool(response.object().get("FOLLOWING"))

    async def follow(self, id: int) -> None:
        await self._client.send(
            "POST", self._url(self._id(id), "Follow"), retry_unknown_outcome=True
        )

    async def unfollow(self, id: int) -> None:
        await self._client.send(
            "DELETE", self._url(self._id(id), "Follow"), missing_ok_after_retry=True
        )


class StateMixin(Resource[M]):
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
            state: ``OPEN``, ``WON``, ``LOST``, ``ABANDONED`` or ``SUSPENDED`` (any case).
            reason: Free text for the state history.
            reason_id: One of the account's ``opportunity_state_reasons`` for this state.
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
        response = await self._client.send("GET", self._url(self._id(id), "StateHistory"))
        return [structure(OpportunityStateChange, item) for item in response.objects(empty_ok=True)]


class PipelineMixin(Resource[M]):
    async def set_pipeline(
        self, id: int, pipeline_id: int, *, stage_id: int | None = None
    ) -> PipelineChange:
        """Put the record in a pipeline, at ``stage_id`` or the pipeline's first stage."""
        body: dict[str, Any] = {"PIPELINE_ID": wire.validate_id(pipeline_id, "pipeline_id")}
        if stage_id is not None:
            body["PIPELINE_STAGE_CHANGE"] = {"STAGE_ID": wire.validate_id(stage_id, "stage_id")}
        response = await self._client.send("PUT", self._url(self._id(id), "Pipeline"), json=body)
        return structure(PipelineChange, response.object())

    async def set_stage(self, id: int, stage_id: int) -> PipelineStageChange:
        """Move the record to another stage of its pipeline."""
        body = {"STAGE_ID": wire.validate_id(stage_id, "stage_id")}
        response = await self._client.send(
            "PUT", self._url(self._id(id), "PipelineStage"), json=body
        )
        return structure(PipelineStageChange, response.object())

    async def clear_pipeline(self, id: int) -> None:
        """Take the record out of its pipeline."""
        await self._client.send("DELETE", self._url(self._id(id), "Pipeline"))


class PriceBookMixin(Resource[M]):
    async def set_price_book(self, id: int, price_book_id: int) -> None:
        """Price an opportunity's line items from this price book."""
        body = {"PRICEBOOK_ID": wire.validate_id(price_book_id, "price_book_id")}
        await self._client.send("PUT", self._url(self._id(id), "Pricebook"), json=body)


class LinkEmailAddressMixin(Resource[M]):
    async def linked_email_address(self, id: int) -> str | None:
        """The address that files emails sent to it under this record."""
        response = await self._client.send("GET", self._url(self._id(id), "LinkEmailAddress"))
        data = response.object()
        value = data.get("EMAIL", data.get("LINKED_EMAIL_ADDRESS"))
        return value if isinstance(value, str) else None


class ActivitySetMixin(Resource[M]):
    async def assign_activity_set(
        self, id: int, assignment: ActivitySetAssignment | Mapping[str, Any]
    ) -> ActivitySetAssignment:
        """Start an activity set (a batch of tasks and events) on the record."""
        payload = payload_of(ActivitySetAssignment, assignment, "assignment")
        validate(ActivitySetAssignment, payload, required=("ACTIVITYSET_ID",))
        response = await self._client.send(
            "POST", self._url(self._id(id), "ActivitySetAssignment"), json=payload
        )
        return structure(ActivitySetAssignment, response.object())
