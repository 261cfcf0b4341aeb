"""The record types of the Insightly v3.1 API, as one declarative table.

Every other layer reads this table instead of repeating it: the resources build their
methods from it, the emulator routes its paths from it, and the CLI names its types after
it. ``tests/conformance/test_conformance.py`` checks it against Insightly's own Swagger
document (copied to ``tests/data/openapi-v3.1-operations.json``): every operation of the
table must be in the spec, and every operation of the spec for these types must be routed
by the emulator and sent by an SDK method, or be listed there as left out with the reason.
So a path or verb that drifts from the spec fails the suite.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping

import attrs

from insightly_async._exceptions import ValidationError
from insightly_async._facts.wire import CUSTOM_OBJECT_NAME

__all__ = [
    "BY_NAME",
    "BY_PATH",
    "CATALOG",
    "Op",
    "RecordType",
    "Sub",
    "custom_object_type",
]


class Op(enum.Enum):
    """Top-level operations of a record type."""

    LIST = "list"  # GET /{path}
    GET = "get"  # GET /{path}/{id}
    CREATE = "create"  # POST /{path}
    UPDATE = "update"  # PUT /{path}, id in the body
    DELETE = "delete"  # DELETE /{path}/{id}, or DELETE /{path}?id= (delete_by_query)
    SEARCH = "search"  # GET /{path}/Search
    SEARCH_BY_TAG = "search_by_tag"  # GET /{path}/SearchByTag?tagName=


class Sub(enum.Enum):
    """Sub-resources that hang off one record: ``/{path}/{id}/...``."""

    LINKS = "links"  # GET, POST Links; DELETE Links/{linkId}
    LINKS_UPDATE = "links_update"  # PUT Links
    TAGS = "tags"  # GET, POST, PUT, DELETE (with a {TAG_NAME} body) Tags
    NOTES = "notes"  # GET, POST, PUT Notes (the only way to create a note)
    FOLLOW = "follow"  # GET, POST, DELETE Follow
    FILE_ATTACHMENTS = "file_attachments"  # GET FileAttachments (metadata)
    DATES = "dates"  # GET, PUT Dates
    EMAIL_DOMAINS = "email_domains"  # GET, PUT EmailDomains
    ACTIVITY = "activity"  # GET Emails, Events, Tasks of the record
    COMMENTS = "comments"  # GET, POST Comments
    MILESTONES = "milestones"  # GET, POST, PUT Milestones; DELETE Milestones/{milestoneId}
    STATE = "state"  # PUT StateChange; GET StateHistory
    PIPELINE = "pipeline"  # PUT, DELETE Pipeline; PUT PipelineStage
    PRICEBOOK = "pricebook"  # PUT Pricebook
    OPPORTUNITY_LINE_ITEMS = "opportunity_line_items"  # child entities, GET/POST/PUT + DELETE
    QUOTATION_LINE_ITEMS = "quotation_line_items"
    PRICEBOOK_ENTRIES = "pricebook_entries"
    TEAM_MEMBERS = "team_members"  # POST TeamMembers; DELETE TeamMembers/{permissionId}
    LINK_EMAIL_ADDRESS = "link_email_address"  # GET LinkEmailAddress
    ACTIVITY_SET_ASSIGNMENT = "activity_set_assignment"  # POST ActivitySetAssignment


# Child entities written through a parent: sub-resource -> (path segment, child type name).
CHILD_ENTITIES: Mapping[Sub, tuple[str, str]] = {
    Sub.OPPORTUNITY_LINE_ITEMS: ("OpportunityLineItem", "opportunity_line_items"),
    Sub.QUOTATION_LINE_ITEMS: ("QuotationLineItem", "quote_line_items"),
    Sub.PRICEBOOK_ENTRIES: ("PricebookEntry", "price_book_entries"),
    Sub.MILESTONES: ("Milestones", "milestones"),
    Sub.NOTES: ("Notes", "notes"),
}


def _ops(value: Iterable[Op]) -> frozenset[Op]:
    return frozenset(value)


def _subs(value: Iterable[Sub]) -> frozenset[Sub]:
    return frozenset(value)


@attrs.frozen
class RecordType:
    """One record type of the API.

    Attributes:
        name: The resource attribute on the session and the CLI type name (``contacts``).
        path: The collection path segment (``Contacts``, ``Product``, ``Fruit__c``).
        id_field: The wire name of the id (``CONTACT_ID``, ``QUOTE_ID``); ``None`` for
            types without one (countries, currencies).
        model: The name of the model class in :mod:`insightly_async.models`.
        object_name: The singular name links use (``LINK_OBJECT_NAME``).
        ops: The top-level operations the spec has for it.
        subs: The sub-resources the spec has for it.
        required: Wire fields that a create must carry.
        paged: The list endpoint takes ``skip``/``top``/``count_total``.
        brief: The list endpoint takes ``brief``.
        custom_fields: The ``/CustomFields/{object}`` name, if the type has custom fields.
        tag_record_type: The ``record_type`` value of ``/Tags`` for this type.
        delete_by_query: DELETE takes the id as ``?id=`` instead of in the path.
        updated_field: The wire name of the last-update timestamp, if records have one.
    """

    name: str
    path: str
    id_field: str | None
    model: str
    object_name: str
    ops: frozenset[Op] = attrs.field(converter=_ops)
    subs: frozenset[Sub] = attrs.field(default=frozenset(), converter=_subs)
    required: tuple[str, ...] = ()
    paged: bool = True
    brief: bool = True
    custom_fields: str | None = None
    tag_record_type: str | None = None
    delete_by_query: bool = False
    updated_field: str | None = "DATE_UPDATED_UTC"
    custom_object: bool = False

    @property
    def read_only(self) -> bool:
        return not (self.ops & {Op.CREATE, Op.UPDATE, Op.DELETE})

    def has(self, item: Op | Sub) -> bool:
        return item in self.ops or item in self.subs


_ALL_ENTITY_OPS = frozenset(
    {Op.LIST, Op.GET, Op.CREATE, Op.UPDATE, Op.DELETE, Op.SEARCH, Op.SEARCH_BY_TAG}
)
_NO_TAG_OPS = _ALL_ENTITY_OPS - {Op.SEARCH_BY_TAG}
_READ_SEARCH = frozenset({Op.LIST, Op.GET, Op.SEARCH})
_READ = frozenset({Op.LIST, Op.GET})
_CATEGORY_OPS = frozenset({Op.LIST, Op.GET, Op.CREATE, Op.UPDATE, Op.DELETE})
_LIST_ONLY = frozenset({Op.LIST})

# Sub-resources shared by the five main CRM objects.
_CRM_SUBS = frozenset(
    {
        Sub.TAGS,
        Sub.NOTES,
        Sub.FOLLOW,
        Sub.FILE_ATTACHMENTS,
        Sub.ACTIVITY,
        Sub.ACTIVITY_SET_ASSIGNMENT,
    }
)
_LINKED = frozenset({Sub.LINKS, Sub.LINKS_UPDATE})


CATALOG: tuple[RecordType, ...] = (
    RecordType(
        "contacts",
        "Contacts",
        "CONTACT_ID",
        "Contact",
        "Contact",
        _ALL_ENTITY_OPS,
        _CRM_SUBS | _LINKED | {Sub.DATES},
        required=("FIRST_NAME",),
        custom_fields="Contacts",
        tag_record_type="contacts",
    ),
    RecordType(
        "organisations",
        "Organisations",
        "ORGANISATION_ID",
        "Organisation",
        "Organisation",
        _ALL_ENTITY_OPS,
        _CRM_SUBS | _LINKED | {Sub.DATES, Sub.EMAIL_DOMAINS},
        required=("ORGANISATION_NAME",),
        custom_fields="Organisations",
        tag_record_type="organisations",
    ),
    RecordType(
        "leads",
        "Leads",
        "LEAD_ID",
        "Lead",
        "Lead",
        _ALL_ENTITY_OPS,
        _CRM_SUBS | {Sub.PIPELINE, Sub.LINK_EMAIL_ADDRESS},
        required=("LAST_NAME", "LEAD_SOURCE_ID", "LEAD_STATUS_ID"),
        custom_fields="Leads",
        tag_record_type="leads",
    ),
    RecordType(
        "opportunities",
        "Opportunities",
        "OPPORTUNITY_ID",
        "Opportunity",
        "Opportunity",
        _ALL_ENTITY_OPS,
        _CRM_SUBS
        | _LINKED
        | {
            Sub.STATE,
            Sub.PIPELINE,
            Sub.PRICEBOOK,
            Sub.OPPORTUNITY_LINE_ITEMS,
            Sub.LINK_EMAIL_ADDRESS,
        },
        required=("OPPORTUNITY_NAME",),
        custom_fields="Opportunities",
        tag_record_type="opportunities",
    ),
    RecordType(
        "projects",
        "Projects",
        "PROJECT_ID",
        "Project",
        "Project",
        _ALL_ENTITY_OPS,
        _CRM_SUBS | _LINKED | {Sub.MILESTONES, Sub.PIPELINE, Sub.LINK_EMAIL_ADDRESS},
        required=("PROJECT_NAME", "STATUS"),
        custom_fields="Projects",
        tag_record_type="projects",
    ),
    RecordType(
        "tasks",
        "Tasks",
        "TASK_ID",
        "Task",
        "Task",
        _NO_TAG_OPS,
        {Sub.LINKS, Sub.COMMENTS, Sub.FOLLOW},
        required=("TITLE", "COMPLETED", "OWNER_USER_ID"),
        custom_fields="Tasks",
    ),
    RecordType(
        "events",
        "Events",
        "EVENT_ID",
        "Event",
        "Event",
        _NO_TAG_OPS,
        {Sub.LINKS},
        required=("START_DATE_UTC", "END_DATE_UTC"),
        custom_fields="Events",
    ),
    RecordType(
        "notes",
        "Notes",
        "NOTE_ID",
        "Note",
        "Note",
        frozenset({Op.LIST, Op.GET, Op.UPDATE, Op.DELETE, Op.SEARCH}),
        {Sub.LINKS, Sub.COMMENTS, Sub.FOLLOW, Sub.FILE_ATTACHMENTS},
        required=("TITLE",),
    ),
    RecordType(
        "emails",
        "Emails",
        "EMAIL_ID",
        "Email",
        "Email",
        frozenset({Op.LIST, Op.GET, Op.DELETE, Op.SEARCH, Op.SEARCH_BY_TAG}),
        {Sub.LINKS, Sub.TAGS, Sub.FOLLOW, Sub.COMMENTS, Sub.FILE_ATTACHMENTS},
        tag_record_type="emails",
        updated_field=None,
    ),
    RecordType(
        "pipelines",
        "Pipelines",
        "PIPELINE_ID",
        "Pipeline",
        "Pipeline",
        _READ,
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "pipeline_stages",
        "PipelineStages",
        "STAGE_ID",
        "PipelineStage",
        "PipelineStage",
        _READ,
        brief=False,
        updated_field=None,
    ),
    RecordType("users", "Users", "USER_ID", "User", "User", _READ_SEARCH, brief=False),
    RecordType(
        "products",
        "Product",
        "PRODUCT_ID",
        "Product",
        "Product",
        _NO_TAG_OPS,
        {Sub.FOLLOW, Sub.PRICEBOOK_ENTRIES},
        required=("PRODUCT_NAME", "DEFAULT_PRICE", "ACTIVE"),
        custom_fields="Product",
    ),
    RecordType(
        "price_books",
        "Pricebook",
        "PRICEBOOK_ID",
        "PriceBook",
        "Pricebook",
        frozenset({Op.LIST, Op.GET, Op.CREATE, Op.UPDATE, Op.SEARCH}),
        {Sub.FOLLOW, Sub.PRICEBOOK_ENTRIES},
        required=("NAME", "ACTIVE"),
    ),
    RecordType(
        "price_book_entries",
        "PricebookEntry",
        "PRICEBOOK_ENTRY_ID",
        "PriceBookEntry",
        "PricebookEntry",
        _READ_SEARCH,
        required=("PRICEBOOK_ID", "PRODUCT_ID", "PRICE"),
        custom_fields="PricebookEntry",
    ),
    RecordType(
        "quotes",
        "Quotation",
        "QUOTE_ID",
        "Quote",
        "Quotation",
        _NO_TAG_OPS,
        {Sub.FOLLOW, Sub.QUOTATION_LINE_ITEMS},
        required=("QUOTATION_NAME", "OPPORTUNITY_ID"),
        custom_fields="Quotation",
    ),
    RecordType(
        "quote_line_items",
        "QuotationLineItem",
        "QUOTATION_ITEM_ID",
        "QuoteLineItem",
        "QuotationLineItem",
        _READ_SEARCH,
        required=("QUOTE_ID", "PRICEBOOK_ENTRY_ID", "QUANTITY", "LIST_PRICE", "UNIT_PRICE"),
        custom_fields="QuotationLineItem",
    ),
    RecordType(
        "opportunity_line_items",
        "OpportunityLineItem",
        "OPPORTUNITY_ITEM_ID",
        "OpportunityLineItem",
        "OpportunityLineItem",
        _READ_SEARCH,
        required=("OPPORTUNITY_ID", "PRICEBOOK_ENTRY_ID", "UNIT_PRICE", "QUANTITY"),
        custom_fields="OpportunityLineItem",
    ),
    RecordType(
        "milestones",
        "Milestones",
        "MILESTONE_ID",
        "Milestone",
        "Milestone",
        _READ_SEARCH,
        required=("TITLE", "DUE_DATE", "COMPLETED"),
    ),
    RecordType(
        "lead_sources",
        "LeadSources",
        "LEAD_SOURCE_ID",
        "LeadSource",
        "LeadSource",
        frozenset({Op.LIST, Op.CREATE, Op.UPDATE, Op.DELETE}),
        required=("LEAD_SOURCE",),
        brief=False,
        delete_by_query=True,
        updated_field=None,
    ),
    RecordType(
        "lead_statuses",
        "LeadStatuses",
        "LEAD_STATUS_ID",
        "LeadStatus",
        "LeadStatus",
        frozenset({Op.LIST, Op.CREATE, Op.UPDATE, Op.DELETE}),
        required=("LEAD_STATUS",),
        brief=False,
        delete_by_query=True,
        updated_field=None,
    ),
    RecordType(
        "opportunity_categories",
        "OpportunityCategories",
        "CATEGORY_ID",
        "Category",
        "OpportunityCategory",
        _CATEGORY_OPS,
        required=("CATEGORY_NAME", "BACKGROUND_COLOR"),
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "project_categories",
        "ProjectCategories",
        "CATEGORY_ID",
        "Category",
        "ProjectCategory",
        _CATEGORY_OPS,
        required=("CATEGORY_NAME", "BACKGROUND_COLOR"),
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "task_categories",
        "TaskCategories",
        "CATEGORY_ID",
        "Category",
        "TaskCategory",
        _CATEGORY_OPS,
        required=("CATEGORY_NAME", "BACKGROUND_COLOR"),
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "opportunity_state_reasons",
        "OpportunityStateReasons",
        "STATE_REASON_ID",
        "OpportunityStateReason",
        "OpportunityStateReason",
        _LIST_ONLY,
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "relationships",
        "Relationships",
        "RELATIONSHIP_ID",
        "Relationship",
        "Relationship",
        _LIST_ONLY,
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "teams",
        "Teams",
        "TEAM_ID",
        "Team",
        "Team",
        _CATEGORY_OPS,
        {Sub.TEAM_MEMBERS},
        required=("TEAM_NAME",),
    ),
    RecordType(
        "team_members",
        "TeamMembers",
        "PERMISSION_ID",
        "TeamMember",
        "TeamMember",
        frozenset({Op.LIST, Op.GET, Op.CREATE, Op.DELETE}),
        required=("TEAM_ID", "MEMBER_USER_ID"),
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "activity_sets",
        "ActivitySets",
        "ACTIVITYSET_ID",
        "ActivitySet",
        "ActivitySet",
        _READ,
        updated_field=None,
    ),
    RecordType(
        "countries",
        "Countries",
        None,
        "Country",
        "Country",
        _LIST_ONLY,
        paged=False,
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "currencies",
        "Currencies",
        None,
        "Currency",
        "Currency",
        _LIST_ONLY,
        paged=False,
        brief=False,
        updated_field=None,
    ),
    RecordType(
        "tickets",
        "Ticket",
        "TICKET_ID",
        "Ticket",
        "Ticket",
        _ALL_ENTITY_OPS,
        {Sub.TAGS, Sub.FOLLOW, Sub.COMMENTS},
        required=("SUBJECT", "TICKET_STATUS", "CONTACT_ID"),
        custom_fields="Ticket",
    ),
    RecordType(
        "prospects",
        "Prospect",
        "PROSPECT_ID",
        "Prospect",
        "Prospect",
        _ALL_ENTITY_OPS,
        {Sub.TAGS, Sub.FOLLOW},
        required=("EMAIL_ADDRESS",),
        custom_fields="Prospect",
    ),
    RecordType(
        "knowledge_articles",
        "KnowledgeArticle",
        "ARTICLE_ID",
        "KnowledgeArticle",
        "KnowledgeArticle",
        _ALL_ENTITY_OPS,
        {Sub.TAGS, Sub.FOLLOW},
        required=("FOLDER_ID", "URL_SLUG", "Title"),
        custom_fields="KnowledgeArticle",
    ),
)

BY_NAME: Mapping[str, RecordType] = {t.name: t for t in CATALOG}
BY_PATH: Mapping[str, RecordType] = {t.path: t for t in CATALOG}

_CUSTOM_OBJECT_OPS = _NO_TAG_OPS


def custom_object_type(object_name: str) -> RecordType:
    """The record type of the custom object ``object_name`` (``Fruit__c``).

    Raises:
        ValidationError: ``object_name`` is not a custom object name.
    """
    if not isinstance(object_name, str) or not CUSTOM_OBJECT_NAME.fullmatch(object_name):
        raise ValidationError(
            "object_name",
            f"{object_name!r} is not a custom object name "
            "(letters, digits and underscores, ending in '__c', e.g. 'Fruit__c')",
        )
    return RecordType(
        name=object_name,
        path=object_name,
        id_field="RECORD_ID",
        model="CustomObjectRecord",
        object_name=object_name,
        ops=_CUSTOM_OBJECT_OPS,
        subs=frozenset({Sub.FILE_ATTACHMENTS}),
        required=("RECORD_NAME",),
        custom_fields=object_name,
        custom_object=True,
    )


def iter_types() -> Iterator[RecordType]:
    return iter(CATALOG)
