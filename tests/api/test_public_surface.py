"""The public names of DESIGN.md exist, and each resource has exactly its type's verbs."""

from __future__ import annotations

import inspect

import pytest

import insightly_async
from insightly_async import InsightlySession
from insightly_async._facts.catalog import CATALOG, Op, Sub

DESIGN_RESOURCES = [
    "contacts",
    "organisations",
    "leads",
    "opportunities",
    "projects",
    "tasks",
    "events",
    "notes",
    "emails",
    "pipelines",
    "pipeline_stages",
    "users",
    "custom_fields",
    "products",
    "price_books",
    "price_book_entries",
    "quotes",
    "quote_line_items",
    "opportunity_line_items",
    "milestones",
    "lead_sources",
    "lead_statuses",
    "opportunity_categories",
    "project_categories",
    "task_categories",
    "opportunity_state_reasons",
    "relationships",
    "teams",
    "team_members",
    "activity_sets",
    "countries",
    "currencies",
    "tickets",
    "prospects",
    "knowledge_articles",
]

DESIGN_NAMES = [
    "InsightlySession",
    "Contact",
    "Organisation",
    "Lead",
    "Opportunity",
    "Project",
    "Task",
    "Event",
    "Note",
    "User",
    "Pipeline",
    "PipelineStage",
    "Product",
    "PriceBook",
    "Quote",
    "InsightlyError",
    "APIConnectionError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "QuotaExhaustedError",
    "Paginator",
    "Page",
]


@pytest.fixture
def crm() -> InsightlySession:
    return InsightlySession(api_key="k", base_url="http://127.0.0.1:1/v3.1")


def test_design_names_are_exported() -> None:
    for name in DESIGN_NAMES:
        assert name in insightly_async.__all__, name
        assert getattr(insightly_async, name).__name__ == name


def test_everything_in_all_is_importable() -> None:
    for name in insightly_async.__all__:
        assert hasattr(insightly_async, name), name


def test_errors_share_one_root() -> None:
    errors = [
        obj
        for obj in vars(insightly_async).values()
        if inspect.isclass(obj) and issubclass(obj, BaseException)
    ]
    assert len(errors) >= 15
    assert all(issubclass(e, insightly_async.InsightlyError) for e in errors)


def test_every_design_resource_is_an_attribute(crm: InsightlySession) -> None:
    for name in DESIGN_RESOURCES:
        assert getattr(crm, name) is getattr(crm, name), name  # built once, then cached


def test_custom_objects_are_reachable_by_name(crm: InsightlySession) -> None:
    fruit = crm.custom_object("Fruit__c")
    assert fruit.record_type.path == "Fruit__c"
    with pytest.raises(insightly_async.ValidationError):
        crm.custom_object("Fruit")  # not a custom object name
    with pytest.raises(insightly_async.ValidationError):
        crm.custom_object("../Users__c")


VERBS = {
    Op.LIST: "list",
    Op.GET: "get",
    Op.CREATE: "create",
    Op.UPDATE: "update",
    Op.DELETE: "delete",
    Op.SEARCH: "search",
    Op.SEARCH_BY_TAG: "search_by_tag",
}


@pytest.mark.parametrize("record_type", CATALOG, ids=lambda t: t.name)
def test_a_resource_has_the_verbs_of_its_endpoints_and_no_others(
    crm: InsightlySession, record_type: object
) -> None:
    from insightly_async._facts.catalog import RecordType

    assert isinstance(record_type, RecordType)
    resource = getattr(crm, record_type.name)
    for op, verb in VERBS.items():
        assert hasattr(resource, verb) == (op in record_type.ops), (record_type.name, verb)
    assert hasattr(resource, "modify") == ({Op.GET, Op.UPDATE} <= record_type.ops)
    assert hasattr(resource, "tags") == (Sub.TAGS in record_type.subs)
    assert hasattr(resource, "links") == (Sub.LINKS in record_type.subs)
    assert hasattr(resource, "follow") == (Sub.FOLLOW in record_type.subs)
    assert hasattr(resource, "set_state") == (Sub.STATE in record_type.subs)
    assert hasattr(resource, "set_pipeline") == (Sub.PIPELINE in record_type.subs)
    if Sub.LINKS in record_type.subs:
        assert hasattr(resource.links, "update") == (Sub.LINKS_UPDATE in record_type.subs)


def test_read_only_types_cannot_create(crm: InsightlySession) -> None:
    for name in ("pipelines", "pipeline_stages", "users", "countries", "currencies"):
        assert not hasattr(getattr(crm, name), "create"), name
    assert hasattr(crm.users, "me")
