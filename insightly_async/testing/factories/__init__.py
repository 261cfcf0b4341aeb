"""Realistic, reproducible Insightly v3.1 records: the emulator's data and test fixtures.

:class:`RecordFactory` builds records shaped like the real API's: every property of the
type's Swagger schema in wire order (``null`` where unset), the keys real records carry
beyond the schema (``VISIBLE_TO``, ``VISIBLE_TEAM_ID``, ``LINKS`` on leads) where the
recorded responses put them (both from :mod:`insightly_async._facts.fields`), body dates
as ``yyyy-MM-dd HH:mm:ss`` UTC, and ``CUSTOMFIELDS`` that follow
:meth:`RecordFactory.custom_field_definitions`.

Values come from small built-in vocabularies (names, companies, places, phrases), so the
data looks like a small business's CRM without any third-party generator. Everything is
derived from the seed: the same seed, ``now`` and calls give the same records.

The package, by job:

- vocabularies: ``_people`` (names, companies, places), ``_phrases`` (what records
  say), ``_lists`` (the lists an account starts with), ``_custom_fields`` (each object's
  custom field definitions);
- the record engine: ``_calendar`` (body dates from epoch seconds), ``_kit`` (one
  record's shared facts and the random helpers), ``_engine`` (plans: built once per type,
  run per record);
- the rules, by family: ``_shared_rules`` (fields many types share), ``_custom_rules``
  (custom field values, custom objects), ``_crm_rules``, ``_activity_rules``,
  ``_sales_rules``, ``_setup_rules``;
- reference wiring: ``_reference`` (the account, its users and reference lists);
- ``_factory``: :class:`RecordFactory`, which puts them together.
"""

from __future__ import annotations

from insightly_async.testing.factories._factory import RecordFactory

__all__ = ["RecordFactory"]
