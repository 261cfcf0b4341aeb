"""Writes ``insightly_async/resources/_generated.py``: a resource class per record type.

Run ``python -m tools.gen_resources`` (or ``make generate``) after changing the catalog;
``--check`` exits 1 if the committed file is out of date (the test suite runs it too).

Each class combines exactly the mixins of the verbs and sub-resources its type has, so the
type checker and editors know that ``crm.pipelines`` has no ``create`` and that
``crm.opportunities`` has ``set_state``.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from tools._bootstrap import PACKAGE, bare_package

bare_package()

from insightly_async._facts.catalog import (  # noqa: E402 - after the bootstrap
    BY_NAME,
    CATALOG,
    CHILD_ENTITIES,
    Op,
    RecordType,
    Sub,
)

RESOURCES = PACKAGE / "resources"
TARGET = RESOURCES / "_generated.py"
# The hand-written modules the generated classes are built from.
SOURCES = ("_base", "_sub", "_meta")

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


def _defined(module: str) -> set[str]:
    """The class names a resources module defines (read, not imported)."""
    tree = ast.parse((RESOURCES / f"{module}.py").read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def _imports(used: Iterable[str]) -> list[str]:
    """``from … import`` lines for the names the generated code uses, wherever defined."""
    lines: list[str] = []
    for module in SOURCES:
        names = sorted(set(used) & _defined(module))
        if names:
            lines += [
                f"from insightly_async.resources.{module} import (",
                *[f"    {n}," for n in names],
                ")",
            ]
    return lines


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
        '        """The records of the custom object ``name`` (``"Fruit__c"``)."""',
        "        return CustomObjectResource.of(self._client, name)",
        "",
    ]
    return out


def render() -> str:
    classes: list[str] = []
    for record_type in CATALOG:
        classes += ["", *_class(record_type), ""]
    body = [*classes, "", *_session_attributes()]
    text = "\n".join(body)
    defined = set().union(*(_defined(module) for module in SOURCES))
    used = {name for name in defined if re.search(rf"\b{name}\b", text)}
    models = sorted({t.model for t in CATALOG} | {"CustomObjectRecord"})
    out = [
        "# Generated by `python -m tools.gen_resources` from insightly_async/_facts/catalog.py.",
        "# Do not edit: change the catalog and run it again.",
        '"""The resource classes of every record type, and the session attributes."""',
        "",
        "from __future__ import annotations",
        "",
        "from functools import cached_property",
        "",
        "from insightly_async._core import Client",
        "from insightly_async._facts.catalog import BY_NAME",
        "from insightly_async.models import (",
        *[f"    {m}," for m in models],
        ")",
        *_imports(used),
        "",
        "__all__ = [",
        *[f'    "{n}",' for n in sorted([class_name(t) for t in CATALOG] + ["SessionResources"])],
        "]",
        "",
        *body,
    ]
    return "\n".join(out)


def _format(source: str) -> str:
    """The source as ``ruff format`` leaves it, so the drift check compares like with like."""
    ruff = str(Path(sys.executable).with_name("ruff"))
    for command in (["check", "--fix-only", "--exit-zero"], ["format"]):
        source = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter's ruff
            [ruff, *command, "--stdin-filename", str(TARGET), "-"],
            input=source,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    source = _format(render())
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != source:
            print(f"{TARGET} is out of date: run make generate", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    TARGET.write_text(source, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
