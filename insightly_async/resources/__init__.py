"""Resources: one per record type, built from the catalog."""

from __future__ import annotations


class SessionResources:
    """The resource attributes of a session (``crm.contacts``, ``crm.leads``…)."""
