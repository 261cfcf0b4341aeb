"""Resources: one per record type, generated from the catalog, plus their sub-resources."""

from insightly_async.resources._attached import Activity, Children, FileAttachments, Notes
from insightly_async.resources._base import Resource
from insightly_async.resources._generated import *  # noqa: F403 - the generated classes
from insightly_async.resources._generated import SessionResources
from insightly_async.resources._generated import __all__ as _generated_all
from insightly_async.resources._meta import (
    CustomFieldsResource,
    CustomObjectResource,
    CustomObjectsResource,
)
from insightly_async.resources._sub import (
    Comments,
    Dates,
    EmailDomains,
    Links,
    Tags,
    TeamMembers,
    UpdatableLinks,
)

__all__ = [  # noqa: PLE0604 - extended with the generated names below
    "Activity",
    "Children",
    "Comments",
    "CustomFieldsResource",
    "CustomObjectResource",
    "CustomObjectsResource",
    "Dates",
    "EmailDomains",
    "FileAttachments",
    "Links",
    "Notes",
    "Resource",
    "SessionResources",
    "Tags",
    "TeamMembers",
    "UpdatableLinks",
    *_generated_all,
]
