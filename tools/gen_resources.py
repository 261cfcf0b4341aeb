"""Writes ``insightly_async/resources/_generated.py``: a resource class per record type.

Run ``python -m tools.gen_resources`` (or ``make generate``) after changing the catalog;
``--check`` exits 1 if the committed file is out of date (the test suite runs it too).

Each class combines exactly the mixins of the verbs and sub-resources its type has, so the
type checker and editors know that ``crm.pipelines`` has no ``create`` and that
``crm.opportunities`` has ``set_state``.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from tools._facts_only import PACKAGE, import_facts
from tools._source import LINE_LENGTH, imports, write_or_check

import_facts()

from insightly_async._facts.catalog import (  # noqa: E402 - once the facts are loaded
    BY_NAME,
    CATALOG,
    CHILD_ENTITIES,
    Op,
    RecordType,
    Sub,
)

__all__ = ["main", "render"]

RESOURCES: Final = PACKAGE / "resources"
TARGET: Final = RESOURCES / "_generated.py"
_COMMAND: Final = "python -m tools.gen_resources"
# The hand-written resources modules the generated classes are built from.
SOURCES: Final = ("_base", "_reads", "_writes", "_sub", "_attached", "_actions", "_meta")

# Verb mixins, in base-class order. UPDATE with GET becomes ModifyMixin (get + update +
# modify); UPDATE alone (lead sources and statuses have no single GET) is UpdateMixin.
_OP_MIXINS: tuple[tuple[Op, str], ...] = (
    (Op.LIST, "ListMixin"),
    (Op.SEARCH, "SearchMixin"),
    (Op.SEARCH_BY_TAG, "SearchByTagMixin"),
    (Op.CREATE, "CreateMixin"),
    (Op.DELETE, "DeleteMixin"),
)
_SUB_MIXINS: tuple[tuple[Sub, str], ...] = (
    (Sub.FOLLOW, "FollowMixin"),
    (Sub.STATE, "StateMixin"),
    (Sub.PIPELINE, "PipelineMixin"),
    (Sub.PRICEBOOK, "PriceBookMixin"),
    (Sub.LINK_EMAIL_ADDRESS, "LinkEmailAddressMixin"),
    (Sub.ACTIVITY_SET_ASSIGNMENT, "ActivitySetMixin"),
)
# Collection sub-resources: sub -> (attribute, class, docstring).
_SUB_OBJECTS: tuple[tuple[Sub, str, str, str], ...] = (
    (Sub.LINKS, "links", "Links", "Links to other records."),
    (Sub.TAGS, "tags", "Tags", "Tags of a record."),
    (Sub.NOTES, "notes", "Notes", "Notes on a record (the only way to create notes)."),
    (Sub.COMMENTS, "comments", "Comments", "Comments on a record."),
    (Sub.FILE_ATTACHMENTS, "file_attachments", "FileAttachments", "File attachment metadata."),
    (Sub.DATES, "dates", "Dates", "Dates to remember."),
    (Sub.EMAIL_DOMAINS, "email_domains", "EmailDomains", "Email domains."),
    (Sub.ACTIVITY, "activity", "Activity", "Emails, events and tasks of a record."),
    (Sub.TEAM_MEMBERS, "members", "TeamMembers", "Members of a team."),
)
# Child entities: sub -> attribute name on the parent.
_CHILD_ATTRS: dict[Sub, str] = {
    Sub.OPPORTUNITY_LINE_ITEMS: "line_items",
    Sub.QUOTATION_LINE_ITEMS: "line_items",
    Sub.PRICEBOOK_ENTRIES: "price_book_entries",
    Sub.MILESTONES: "milestones",
}
# Extra mixins of particular types.
_EXTRA_MIXINS: dict[str, tuple[str, ...]] = {"users": ("MeMixin",)}


def class_name(record_type: RecordType) -> str:
    return "".join(part.capitalize() for part in record_type.name.split("_")) + "Resource"


def _bases(record_type: RecordType) -> list[str]:
    model = record_type.model
    bases = [f"{mixin}[{model}]" for op, mixin in _OP_MIXINS if op in record_type.ops]
    if Op.UPDATE in record_type.ops:
        bases.append(
            f"ModifyMixin[{model}]" if Op.GET in record_type.ops else f"UpdateMixin[{model}]"
        )
    elif Op.GET in record_type.ops:
        bases.append(f"GetMixin[{model}]")
    bases += [f"{mixin}[{model}]" for sub, mixin in _SUB_MIXINS if sub in record_type.subs]
    bases += [f"{mixin}[{model}]" for mixin in _EXTRA_MIXINS.get(record_type.name, ())]
    return bases


def _verbs(record_type: RecordType) -> str:
    names = [op.value for op in Op if op in record_type.ops]
    if Op.UPDATE in record_type.ops and Op.GET in record_type.ops:
        names.insert(names.index("update") + 1, "modify")
    return ", ".join(names)


def _class(record_type: RecordType) -> list[str]:
    name = class_name(record_type)
    lines = [f"class {name}({', '.join(_bases(record_type))}):"]
    lines.append(f'    """``/{record_type.path}``: {_verbs(record_type)}."""')
    for sub, attr, plain_cls, doc in _SUB_OBJECTS:
        if sub not in record_type.subs:
            continue
        updatable = sub is Sub.LINKS and Sub.LINKS_UPDATE in record_type.subs
        cls = "UpdatableLinks" if updatable else plain_cls
        lines += [
            "",
            "    @cached_property",
            f"    def {attr}(self) -> {cls}:",
            f'        """{doc}"""',
            f"        return {cls}(self)",
        ]
    for sub, attr in _CHILD_ATTRS.items():
        if sub not in record_type.subs:
            continue
        segment, child_name = CHILD_ENTITIES[sub]
        child = BY_NAME[child_name]
        lines += [
            "",
            "    @cached_property",
            f"    def {attr}(self) -> Children[{child.model}]:",
            f'        """{child.model} records owned by the {record_type.object_name}."""',
            f'        return Children(self, "{segment}", BY_NAME["{child_name}"], {child.model})',
        ]
    return lines


@functools.cache
def _defined(module: str) -> frozenset[str]:
    """The class names a resources module defines (read, not imported)."""
    tree = ast.parse((RESOURCES / f"{module}.py").read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.ClassDef))


def _session_attributes() -> list[str]:
    out = [
        "class SessionResources:",
        '    """The resource attributes of a session, one per record type."""',
        "",
        "    _client: Client",
    ]
    for record_type in CATALOG:
        name = class_name(record_type)
        out += [
            "",
            "    @cached_property",
            f"    def {record_type.name}(self) -> {name}:",
            f'        """{record_type.model} records: ``/{record_type.path}``."""',
            f"        return {name}(",
            f'            self._client, BY_NAME["{record_type.name}"], {record_type.model}',
            "        )",
        ]
    out += [
        "",
        "    @cached_property",
        "    def custom_fields(self) -> CustomFieldsResource:",
        '        """Custom field definitions of an object: ``/CustomFields/{object}``."""',
        "        return CustomFieldsResource(self._client)",
        "",
        "    @cached_property",
        "    def custom_objects(self) -> CustomObjectsResource:",
        '        """Custom object definitions: ``/CustomObjects``."""',
        "        return CustomObjectsResource(self._client)",
        "",
        "    def custom_object(self, name: str) -> CustomObjectResource:",
        '        """The records of the custom object ``name`` (``"Fruit__c"``).',
        "",
        "        Args:",
        '            name: The custom object\'s name (``"Fruit__c"``; see ``custom_objects``).',
        "",
        "        Returns:",
        "            Its resource: ``list``, ``search``, ``get``, ``create``, ``update``,",
        "            ``modify``, ``delete``, ``file_attachments``; nothing is sent.",
        "",
        "        Raises:",
        "            ValidationError: ``name`` is not a custom object name.",
        '        """',
        "        return CustomObjectResource.of(self._client, name)",
        "",
    ]
    return out


def render() -> str:
    """The source of the generated module, formatted as ``ruff format`` leaves it."""
    body: list[str] = []
    for record_type in CATALOG:
        body += ["", "", *_class(record_type)]
    body += ["", "", *_session_attributes()]
    names = sorted([class_name(t) for t in CATALOG] + ["SessionResources"])
    first_party = {
        "insightly_async._core": ["Client"],
        "insightly_async._facts.catalog": ["BY_NAME"],
        "insightly_async.models": sorted({t.model for t in CATALOG} | {"CustomObjectRecord"}),
        **{f"insightly_async.resources.{module}": _defined(module) for module in SOURCES},
    }
    code = "\n".join(body)
    source = [
        "# Generated by `python -m tools.gen_resources` from insightly_async/_facts/catalog.py.",
        "# Do not edit: change the catalog and run it again.",
        '"""The resource classes of every record type, and the session attributes."""',
        "",
        *imports(code, names, first_party),
        "",
        "__all__ = [",
        *[f'    "{name}",' for name in names],
        "]",
        code,
    ]
    return _format("\n".join(source))


def _format(source: str) -> str:
    """``source`` as ``ruff format`` leaves it, so the check compares like with like."""
    ruff = str(Path(sys.executable).with_name("ruff"))
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter's ruff
        [ruff, "format", "--line-length", str(LINE_LENGTH), "--stdin-filename", str(TARGET), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated module, or with ``--check`` report whether it is current."""
    return write_or_check(TARGET, render, _COMMAND, argv)


if __name__ == "__main__":
    raise SystemExit(main())
