"""Resources that are not one catalog type: custom fields, custom objects, the caller."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from insightly_async._exceptions import MalformedResponseError, ValidationError
from insightly_async._facts.catalog import custom_object_type
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME
from insightly_async.models import (
    CustomFieldDefinition,
    CustomObject,
    CustomObjectRecord,
    User,
    structure,
)
from insightly_async.resources._base import (
    CreateMixin,
    DeleteMixin,
    ListMixin,
    M,
    ModifyMixin,
    Resource,
    SearchMixin,
)
from insightly_async.resources._sub import FileAttachments

if TYPE_CHECKING:
    from insightly_async._pipeline import Response
    from insightly_async.session import InsightlySession

# An object name of /CustomFields/{object}: a collection path or a custom object.
_OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


def _array(response: Response) -> list[Any]:
    if not isinstance(response.data, list):
        raise MalformedResponseError(
            "expected a JSON array",
            status=response.status,
            method=response.method,
            url=response.url,
            text=repr(response.data),
        )
    return response.data


class MeMixin(Resource[M]):
    async def me(self) -> User:
        """The user the API key belongs to (works for every user, unlike ``list``)."""
        response = await self._session._send("GET", self._url("Me"))
        return structure(User, response.data, etag=response.headers.get("ETag"))


class CustomFieldsResource:
    """Custom field definitions: ``/CustomFields/{object}``."""

    def __init__(self, session: InsightlySession) -> None:
        self._session = session

    def __repr__(self) -> str:
        return "<CustomFieldsResource /CustomFields>"

    @staticmethod
    def _object(object_name: object) -> str:
        if not isinstance(object_name, str) or not _OBJECT_NAME.fullmatch(object_name):
            raise ValidationError(
                "object_name",
                f"{object_name!r} is not an object name like 'Contacts' or 'Fruit__c'",
            )
        return object_name

    async def list(self, object_name: str) -> list[CustomFieldDefinition]:
        """The custom fields of an object (``"Contacts"``, ``"Opportunities"``, ``"Fruit__c"``)."""
        url = self._session._url("CustomFields", self._object(object_name))
        response = await self._session._send("GET", url)
        return [structure(CustomFieldDefinition, item) for item in _array(response)]

    async def get(self, object_name: str, field_name: str) -> CustomFieldDefinition | None:
        """One custom field's definition, or ``None`` if the object has no such field."""
        if not isinstance(field_name, str) or not field_name:
            raise ValidationError("field_name", "must be a custom field name")
        url = self._session._url("CustomFields", self._object(object_name), "Search")
        # The spec spells this parameter in camelCase, unlike every other search.
        response = await self._session._send("GET", url, params={"fieldName": field_name})
        items = _array(response)
        return structure(CustomFieldDefinition, items[0]) if items else None


class CustomObjectsResource:
    """The account's custom object definitions: ``/CustomObjects``."""

    def __init__(self, session: InsightlySession) -> None:
        self._session = session

    def __repr__(self) -> str:
        return "<CustomObjectsResource /CustomObjects>"

    async def list(self) -> list[CustomObject]:
        response = await self._session._send("GET", self._session._url("CustomObjects"))
        return [structure(CustomObject, item) for item in _array(response)]

    async def get(self, name: str) -> CustomObject:
        if not isinstance(name, str) or not CUSTOM_OBJECT_NAME.fullmatch(name):
            raise ValidationError("name", f"{name!r} is not a custom object name like 'Fruit__c'")
        response = await self._session._send("GET", self._session._url("CustomObjects", name))
        data = response.data
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        return structure(CustomObject, data)


class CustomObjectResource(
    ListMixin[CustomObjectRecord],
    SearchMixin[CustomObjectRecord],
    CreateMixin[CustomObjectRecord],
    DeleteMixin[CustomObjectRecord],
    ModifyMixin[CustomObjectRecord],
):
    """The records of one custom object (``/Fruit__c``): records with ``RECORD_ID``,
    ``RECORD_NAME`` and ``CUSTOMFIELDS``."""

    @classmethod
    def of(cls, session: InsightlySession, name: str) -> CustomObjectResource:
        return cls(session, custom_object_type(name), CustomObjectRecord)

    @property
    def file_attachments(self) -> FileAttachments:
        """File attachment metadata of a record."""
        return FileAttachments(self)


__all__ = [
    "CustomFieldsResource",
    "CustomObjectResource",
    "CustomObjectsResource",
    "MeMixin",
]
