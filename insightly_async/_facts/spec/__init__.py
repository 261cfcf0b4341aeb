"""Insightly's own Swagger 2.0 document for API v3.1, shipped as package data.

It is the contract the models are generated from and that the emulator validates writes
against. Nothing in the client's request path reads it.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources
from typing import Any

__all__ = ["entity_schema", "load_spec"]

_FILE = "openapi-v3.1.json.gz"


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed Swagger document (read once per process)."""
    raw = resources.files(__package__).joinpath(_FILE).read_bytes()
    spec: dict[str, Any] = json.loads(gzip.decompress(raw))
    return spec


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    definition: dict[str, Any] = load_spec()["definitions"][ref.rsplit("/", 1)[-1]]
    return definition


@functools.cache
def entity_schema(path: str) -> dict[str, Any]:
    """The record schema of the collection ``path`` (``Contacts``, ``Quotation``…).

    Taken from the 200 response of its list endpoint, where the spec inlines it.

    Raises:
        KeyError: the spec has no list endpoint for ``path``.
    """
    paths = load_spec()["paths"]
    key = f"/{path}" if f"/{path}" in paths else "/{objectName}"
    if key == "/{objectName}" and not path.endswith("__c"):
        raise KeyError(path)
    schema = paths[key]["get"]["responses"]["200"]["schema"]
    return _resolve(schema.get("items", schema))


def definition(name: str) -> dict[str, Any]:
    """A shared model of the spec's ``definitions`` (``APILinkDto``, ``APITag``…)."""
    result: dict[str, Any] = load_spec()["definitions"][name]
    return result
