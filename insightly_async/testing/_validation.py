"""Validation of written values: reference fields, visibility, and sub-collection items.

Field by field checks live in :mod:`insightly_async.testing._schema`; here are the checks
that need the store (does the referenced record exist, is the custom field defined) or
that judge a whole item of a sub-collection (a date, an e-mail domain, a tag, a custom
field value, a team member).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from insightly_async._facts.catalog import BY_NAME, RecordType
from insightly_async._facts.fields import field_of
from insightly_async._facts.spec import definition
from insightly_async.testing._options import Options
from insightly_async.testing._schema import (
    OPPORTUNITY_STATES,
    VISIBILITY_VALUES,
    Field,
    check_choice,
    check_custom_value,
    check_value,
    optional_id,
)
from insightly_async.testing._store import Store
from insightly_async.testing._wire import ApiError, parse_body_datetime

__all__ = ["REFERENCES", "Checks"]

Record = dict[str, Any]

# A tag's name, as the Swagger's APITag defines it (255 characters at most).
_TAG_NAME = field_of("TAG_NAME", definition("APITag")["properties"]["TAG_NAME"])

# Reference fields whose target must exist when a client writes them (see
# `Options.check_references`).
REFERENCES: Mapping[str, str] = {
    "OWNER_USER_ID": "users",
    "RESPONSIBLE_USER_ID": "users",
    "MEMBER_USER_ID": "users",
    "ORGANISATION_ID": "organisations",
    "CONTACT_ID": "contacts",
    "OPPORTUNITY_ID": "opportunities",
    "PROJECT_ID": "projects",
    "LEAD_SOURCE_ID": "lead_sources",
    "LEAD_STATUS_ID": "lead_statuses",
    "PIPELINE_ID": "pipelines",
    "STAGE_ID": "pipeline_stages",
    "PRICEBOOK_ID": "price_books",
    "PRODUCT_ID": "products",
    "PRICEBOOK_ENTRY_ID": "price_book_entries",
    "QUOTE_ID": "quotes",
    "MILESTONE_ID": "milestones",
    "TEAM_ID": "teams",
    "VISIBLE_TEAM_ID": "teams",
    "ASSIGNED_TEAM_ID": "teams",
}


class Checks:
    """The checks of values written into records and their sub-collection items.

    Each returns the value (or item) in canonical form or raises a 400 naming the field;
    none changes the store.
    """

    def __init__(self, store: Store, options: Options) -> None:
        self.store = store
        self.options = options

    def references(self, rtype: RecordType, values: Mapping[str, Any]) -> None:
        """Reference fields among ``values`` name existing records
        (``Options.check_references``).

        Raises:
            ApiError: 400 naming the first dangling reference.
        """
        if not self.options.check_references:
            return
        for key, value in values.items():
            target = REFERENCES.get(key)
            if target is None or value is None or target == rtype.name:
                continue
            if value not in self.store.table(target):
                raise ApiError(
                    400, f"The value {value} of {key} does not refer to an existing record."
                )

    @staticmethod
    def visibility(record: Mapping[str, Any]) -> None:
        """A record visible to a team names the team.

        Raises:
            ApiError: 400 when ``VISIBLE_TO`` is TEAM without ``VISIBLE_TEAM_ID``.
        """
        if record.get("VISIBLE_TO") == "TEAM" and record.get("VISIBLE_TEAM_ID") is None:
            raise ApiError(400, "VISIBLE_TEAM_ID is required when VISIBLE_TO is TEAM.")

    def scalar(self, field: Field, value: Any) -> Any:
        """A record's own (not list-valued) field, checked and canonical.

        Raises:
            ApiError: 400 naming the field.
        """
        checked = check_value(field, value)
        if checked is None:
            return None
        if field.name == "VISIBLE_TO":
            return check_choice("VISIBLE_TO", checked, VISIBILITY_VALUES)
        if field.name == "OPPORTUNITY_STATE":
            return check_choice("OPPORTUNITY_STATE", checked, OPPORTUNITY_STATES, any_case=True)
        return checked

    @staticmethod
    def date_item(item: Mapping[str, Any]) -> Record:
        occasion = item.get("OCCASION_DATE")
        canonical = parse_body_datetime(occasion) if isinstance(occasion, str) else None
        if occasion is not None and canonical is None:
            raise ApiError(
                400, "The value of OCCASION_DATE is not valid: expected a date and time."
            )
        name = item.get("OCCASION_NAME")
        if name is not None and not isinstance(name, str):
            raise ApiError(400, "The value of OCCASION_NAME is not valid: expected a string.")
        for flag in ("REPEAT_YEARLY", "CREATE_TASK_YEARLY"):
            if item.get(flag) is not None and not isinstance(item.get(flag), bool):
                raise ApiError(400, f"The value of {flag} is not valid: expected true or false.")
        return {
            "DATE_ID": optional_id(item, "DATE_ID"),
            "OCCASION_NAME": name,
            "OCCASION_DATE": canonical,
            "REPEAT_YEARLY": bool(item.get("REPEAT_YEARLY") or False),
            "CREATE_TASK_YEARLY": bool(item.get("CREATE_TASK_YEARLY") or False),
        }

    @staticmethod
    def email_domain_item(item: Mapping[str, Any]) -> Record:
        domain = item.get("EMAIL_DOMAIN")
        if not isinstance(domain, str) or not domain:
            raise ApiError(400, "The EMAIL_DOMAIN field is required.")
        return {"EMAIL_DOMAIN_ID": optional_id(item, "EMAIL_DOMAIN_ID"), "EMAIL_DOMAIN": domain}

    @staticmethod
    def tag_name(item: Any) -> str:
        """The ``TAG_NAME`` of a tag object.

        Raises:
            ApiError: 400 when it is missing, empty or too long.
        """
        name = item.get("TAG_NAME") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "The TAG_NAME field is required.")
        longest = _TAG_NAME.max_length
        if len(name) > longest:
            raise ApiError(
                400, f"The field TAG_NAME must be a string with a maximum length of {longest}."
            )
        return name

    def custom_field_item(self, rtype: RecordType, item: Mapping[str, Any]) -> Record:
        name = item.get("FIELD_NAME")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "The FIELD_NAME field of a custom field is required.")
        definitions = self.store.custom_fields(rtype.custom_fields) if rtype.custom_fields else []
        definition = next((d for d in definitions if d.get("FIELD_NAME") == name), None)
        if definition is None:
            raise ApiError(400, f"The custom field '{name}' is not defined for {rtype.path}.")
        value = check_custom_value(name, definition, item.get("FIELD_VALUE"))
        return {"FIELD_NAME": name, "FIELD_VALUE": value, "CUSTOM_FIELD_ID": name}

    def team_member_item(self, item: Mapping[str, Any]) -> Record:
        user_id = item.get("MEMBER_USER_ID")
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise ApiError(400, "The MEMBER_USER_ID field is required.")
        self.references(BY_NAME["team_members"], {"MEMBER_USER_ID": user_id})
        return {"MEMBER_USER_ID": user_id}
