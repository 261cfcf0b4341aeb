"""Typed asyncio client for the Insightly CRM REST API v3.1.

>>> from insightly_async import InsightlySession, Contact
>>> async def main() -> None:
...     async with InsightlySession(api_key="...", pod="na1") as crm:
...         async for contact in crm.contacts.list():
...             print(contact.first_name)
"""

from insightly_async._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsightlyError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExhaustedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    SessionClosedError,
    ValidationError,
)
from insightly_async._version import __version__
from insightly_async.limits import DEFAULT_RATE, Pacer, RateLimiter
from insightly_async.models import classes as _classes
from insightly_async.models.classes import *  # noqa: F403  (every model class)
from insightly_async.pagination import Page, Paginator, ScanPage, ScanState
from insightly_async.quota import Quota
from insightly_async.session import InsightlySession

__all__ = [
    "DEFAULT_RATE",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InsightlyError",
    "InsightlySession",
    "MalformedResponseError",
    "NotFoundError",
    "Pacer",
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "Quota",
    "QuotaExhaustedError",
    "RateLimitError",
    "RateLimiter",
    "ResponseValidationError",
    "ScanPage",
    "ScanState",
    "ServerError",
    "SessionClosedError",
    "ValidationError",
    "__version__",
]
# The model classes, listed once: by their generator.
__all__ += _classes.__all__
