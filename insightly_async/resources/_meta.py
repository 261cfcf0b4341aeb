"""Resources that are not one catalog type: custom fields, custom objects, the caller."""

from __future__ import annotations

from insightly_async._core import Client
from insightly_async._exceptions import ValidationError
from insightly_async._facts.catalog import custom_object_type
from insightly_async._facts.wire import CUSTOM_FIELD_NAME, CUSTOM_OBJECT_NAME, PATH_NAME
from insightly_async.models import (
    CustomFieldDefinition,
    CustomObject,
    CustomObjectRecord,
    User,
    structure,
)
from insightly_async.resources._attached import FileAttachments
from insightly_async.resources._base import M, Resource
from insightly_async.resources._reads import ListMixin, SearchMixin
from insightly_async.resources._writes import CreateMixin, DeleteMixin, ModifyMixin


class MeMixin(Resource[M]):
    """``me()``: the calling user."""

    async def me(self) -> User:
        """The user the API key belongs to (works for every user, unlike ``list``).

        Returns:
            The user, with ``etag`` set when the server sent one.

        Raises:
            AuthenticationError: the API key is wrong, or the user's API access is off.
        """
        response = await self._client.send("GET", self._url("Me"))
        return structure(User, response.object(), etag=response.etag)


class CustomFieldsResource:
    """Custom field definitions: ``/CustomFields/{object}``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "<CustomFieldsResource /CustomFields>"

    @staticmethod
    def _object(object_name: object) -> str:
        # A collection path (``Contacts``) or a custom object (``Fruit__c``).
        if not isinstance(object_name, str) or not PATH_NAME.fullmatch(object_name):
            raise ValidationError(
                "object_name",
                f"{object_name!r} is not an object name like 'Contacts' or 'Fruit__c'",
            )
        return object_name

    async def list(self, object_name: str) -> list[CustomFieldDefinition]:
        """The custom fields of an object (``"Contacts"``, ``"Opportunities"``, ``"Fruit__c"``).

        Args:
            object_name: The object as its path spells it (``"Contacts"``), or a custom
                object's name (``"Fruit__c"``).

        Returns:
            The field definitions (name, label, type, options…).

        Raises:
            ValidationError: ``object_name`` is not an object name.
        """
        url = self._client.url("CustomFields", self._object(object_name))
        response = await self._client.send("GET", url)
        return [structure(CustomFieldDefinition, item) for item in response.objects()]

    async def get(self, object_name: str, field_name: str) -> CustomFieldDefinition | None:
        """One custom field's definition, or ``None`` if the object has no such field.

        Args:
            object_name: The object, as for :meth:`list`.
            field_name: The custom field's name (``"Hobby__c"``).

        Returns:
            The definition, or ``None``.

        Raises:
            ValidationError: a malformed object or field name.
        """
        if not isinstance(field_name, str) or not CUSTOM_FIELD_NAME.fullmatch(field_name):
            raise ValidationError(
                "field_name",
                f"{field_name!r} is not a custom field name like 'Hobby__c' or 'CONTACT_FIELD_3'",
            )
        url = self._client.url("CustomFields", self._object(object_name), "Search")
        # The spec spells this parameter in camelCase, unlike every other search.
        response = await self._client.send("GET", url, params={"fieldName": field_name})
        items = response.objects()
        return structure(CustomFieldDefinition, items[0]) if items else None


class CustomObjectsResource:
    """The account's custom object definitions: ``/CustomObjects``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "<CustomObjectsResource /CustomObjects>"

    async def list(self) -> list[CustomObject]:
        """The account's custom objects.

        Returns:
            Their definitions (``object_name`` such as ``"Fruit__c"``, labels…); empty
            when the account has none.
        """
        response = await self._client.send("GET", self._client.url("CustomObjects"))
        return [structure(CustomObject, item) for item in response.objects()]

    async def get(self, name: str) -> CustomObject:
        """One custom object's definition.

        Args:
            name: The custom object's name (``"Fruit__c"``).

        Returns:
            Its definition.

        Raises:
            ValidationError: ``name`` is not a custom object name.
            NotFoundError: the account has no such custom object.
        """
        if not isinstance(name, str) or not CUSTOM_OBJECT_NAME.fullmatch(name):
            raise ValidationError("name", f"{name!r} is not a custom object name like 'Fruit__c'")
        response = await self._client.send("GET", self._client.url("CustomObjects", name))
        return structure(CustomObject, response.object())


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
    def of(cls, client: Client, name: str) -> CustomObjectResource:
        """The resource of the custom object ``name`` (``crm.custom_object(name)`` calls it).

        Args:
            client: The session's client.
            name: The custom object's name (``"Fruit__c"``).

        Returns:
            The resource; nothing is sent.

        Raises:
            ValidationError: ``name`` is not a custom object name.
        """
        return cls(client, custom_object_type(name), CustomObjectRecord)

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
