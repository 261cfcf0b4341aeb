"""Generate ``insightly_async/models/classes.py`` from the API facts.

Run ``python -m tools.gen_models`` (or ``make generate``) from the repository root after
changing the spec, the catalog, the field tables or this generator; ``--check`` only
reports whether the committed module is current (the test suite runs it).

Record types take their fields, in the order the server writes them, from
:func:`insightly_async._facts.fields.record_fields` (the Swagger schemas corrected by the
recorded responses); sub-records are the spec's shared ``definitions``. Which classes to
generate, and the few corrections the spec needs for the models, are the tables of
:mod:`tools._model_tables`, each with its reason.

The generator imports nothing it generates: only ``insightly_async._facts``, without the
package's ``__init__`` (which imports the models). What it needs to know of the models'
base module (the names it exports, the attributes the base classes reserve) it reads from
that module's source.
"""

from __future__ import annotations

import ast
import functools
import keyword
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from tools._facts_only import PACKAGE, import_facts
from tools._model_tables import (
    DEFINITION_CLASSES,
    GLUED_NAMES,
    OVERRIDES,
    RECORD_DOCS,
    STATE_FIELDS,
    SUBRECORDS,
)
from tools._source import (
    LINE_LENGTH,
    CodegenError,
    docstring,
    imports,
    module_exports,
    write_or_check,
)

import_facts()

from insightly_async._facts.catalog import CATALOG, RecordType, custom_object_type  # noqa: E402
from insightly_async._facts.fields import record_fields  # noqa: E402
from insightly_async._facts.spec import definition, load_spec  # noqa: E402

__all__ = ["CodegenError", "build_class", "collect", "main", "render", "reserved_names"]

TARGET: Final = PACKAGE / "models" / "classes.py"
# Written by hand in the base module, re-exported with the generated classes so that
# ``insightly_async`` and ``insightly_async.models`` take every model class from one place.
REEXPORTED: Final = ("CustomField", "CustomFields", "OpportunityState", "Record")
BASE: Final = PACKAGE / "models" / "_base.py"
_BASE_MODULE: Final = "insightly_async.models._base"
_COMMAND: Final = "python -m tools.gen_models"


def snake_case(wire: str) -> str:
    """The attribute name of a wire name.

    ``CONTACT_ID`` -> ``contact_id``, ``TicketCommentBodyHtml`` -> ``ticket_comment_body_html``,
    ``CUSTOMFIELDS`` -> ``custom_fields``.
    """
    if wire in GLUED_NAMES:
        return GLUED_NAMES[wire]
    if wire.isupper() or "_" in wire:
        return wire.lower()
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", wire).lower()


@attrs.frozen
class _Field:
    name: str
    wire: str
    kind: str
    annotation: str
    read_only: bool
    create_only: bool
    max_length: int
    item: str | None


@attrs.frozen
class _Class:
    name: str
    base: str
    doc: str
    fields: tuple[_Field, ...]
    id_attr: str | None = None
    # Other generated classes this one refers to.
    needs: frozenset[str] = frozenset()


def _ref_class(ref: str, where: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    try:
        return DEFINITION_CLASSES[name]
    except KeyError:
        raise CodegenError(f"{where}: no class is named for the definition {name!r}") from None


_SCALAR_KINDS = {"integer": "int", "number": "float", "boolean": "bool"}


def _field(
    cls_name: str,
    wire: str,
    prop: Mapping[str, Any],
    *,
    id_field: str | None,
    required: tuple[str, ...],
) -> _Field:
    where = f"{cls_name}.{wire}"
    prop = {**prop, **OVERRIDES.get((cls_name, wire), {})}
    item: str | None = None
    max_length = 0
    kind: str
    if "$ref" in prop:
        kind, item = "model", _ref_class(prop["$ref"], where)
        annotation = f"{item} | None"
    elif prop.get("type") == "array":
        items = prop.get("items", {})
        if "$ref" in items:
            item = _ref_class(items["$ref"], where)
            if item == "CustomField":
                kind, item, annotation = "custom_fields", None, "CustomFields | None"
            else:
                kind, annotation = "list", f"list[{item}] | None"
        elif items.get("type") in _SCALAR_KINDS:
            kind, annotation = "json", f"list[{_SCALAR_KINDS[items['type']]}] | None"
        else:
            raise CodegenError(f"{where}: unsupported array items {items!r}")
    elif wire in STATE_FIELDS:
        kind, annotation = "state", "OpportunityState | str | None"
        max_length = int(prop.get("maxLength") or 0)
    elif prop.get("type") in _SCALAR_KINDS:
        kind = _SCALAR_KINDS[prop["type"]]
        annotation = f"{kind} | None"
    elif prop.get("type") == "string":
        if prop.get("format") == "date-time":
            kind, annotation = "datetime", "datetime | None"
        else:
            kind, annotation = "str", "str | None"
            max_length = int(prop.get("maxLength") or 0)
    elif prop.get("type") == "object":
        kind, annotation = "json", "Any"
    else:
        raise CodegenError(f"{where}: unsupported property {prop!r}")
    read_only = bool(prop.get("readOnly")) or wire == id_field
    # Read-only in the spec, yet required on create (children written through a parent).
    create_only = read_only and wire != id_field and wire in required
    return _Field(
        name=snake_case(wire),
        wire=wire,
        kind=kind,
        annotation=annotation,
        read_only=read_only and not create_only,
        create_only=create_only,
        max_length=max_length,
        item=item,
    )


@functools.cache
def _base_module() -> ast.Module:
    return ast.parse(BASE.read_text(encoding="utf-8"), str(BASE))


@functools.cache
def reserved_names() -> frozenset[str]:
    """The attribute names the base classes of the records take (``extra``, ``etag``, ``id``…),
    read from the source of the models' base module.

    Names starting with ``_`` are refused apart from these: attrs treats them as private.
    """
    names: set[str] = set()
    for node in _base_module().body:
        if isinstance(node, ast.ClassDef) and node.name in ("Model", "Record"):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.add(item.target.id)
                elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(item.name)
                elif isinstance(item, ast.Assign):
                    names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    return frozenset(names)


def build_class(
    name: str,
    base: str,
    doc: str,
    properties: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    id_field: str | None = None,
    required: Iterable[str] = (),
) -> _Class:
    """The class ``name`` with one field per (wire name, schema property), in that order."""
    required = tuple(required)
    reserved = reserved_names()
    fields = tuple(
        _field(name, wire, prop, id_field=id_field, required=required) for wire, prop in properties
    )
    seen: dict[str, str] = {}
    for f in fields:
        if not f.name.isidentifier() or keyword.iskeyword(f.name):
            raise CodegenError(f"{name}.{f.wire}: {f.name!r} is not a usable attribute name")
        if f.name in reserved:
            raise CodegenError(
                f"{name}.{f.wire}: attribute {f.name!r} clashes with the base class's {f.name!r}"
            )
        if f.name.startswith("_"):
            raise CodegenError(f"{name}.{f.wire}: {f.name!r} would be private to attrs")
        if f.name in seen:
            raise CodegenError(
                f"{name}: {f.wire} and {seen[f.name]} both become attribute {f.name!r}"
            )
        seen[f.name] = f.wire
    id_attr = None
    if id_field is not None:
        by_wire = {f.wire: f for f in fields}
        if id_field not in by_wire:
            raise CodegenError(f"{name}: the id field {id_field} is not in the schema")
        id_attr = by_wire[id_field].name
    needs = frozenset(f.item for f in fields if f.item is not None)
    return _Class(name, base, doc, fields, id_attr, needs)


def _words(model: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", model).lower()


def _record_doc(types: Sequence[RecordType]) -> str:
    objects = list(dict.fromkeys(_words(t.object_name) for t in types))
    if len(objects) > 1:
        # Categories: "an opportunity, project or task category".
        stem = objects[0].rsplit(" ", 1)[-1]
        heads = [o.rsplit(" ", 1)[0] for o in objects]
        subject = f"{', '.join(heads[:-1])} or {heads[-1]} {stem}"
    else:
        subject = objects[0]
    article = "An" if subject[0] in "aeiou" else "A"
    paths = ", ".join(f"``/{t.path}``" for t in types)
    id_field = types[0].id_field
    ident = f"id ``{id_field}``" if id_field else "no id"
    return f"{article} {subject} record ({paths}; {ident})."


def _subrecord_properties(source: str | tuple[str, ...]) -> list[tuple[str, Any]]:
    if isinstance(source, str):
        schema: Mapping[str, Any] = definition(source)
    else:
        node: Any = load_spec()
        for key in source:
            node = node[key]
        schema = node
    return list(schema.get("properties", {}).items())


def _record_properties(record_type: RecordType) -> list[tuple[str, Any]]:
    """The fields of a record type, in wire order, from the field tables of the facts."""
    return [(wire, field.schema) for wire, field in record_fields(record_type).fields.items()]


def collect() -> list[_Class]:
    """The classes to generate, each after the classes it refers to."""
    classes = [
        build_class(name, "SubRecord", doc, _subrecord_properties(source))
        for name, source, doc in SUBRECORDS
    ]
    by_model: dict[str, list[RecordType]] = {}
    for record_type in CATALOG:
        by_model.setdefault(record_type.model, []).append(record_type)
    custom = custom_object_type("Any__c")
    by_model[custom.model] = [custom]
    for model, types in by_model.items():
        properties = [_record_properties(t) for t in types]
        if any(p != properties[0] for p in properties[1:]):
            raise CodegenError(f"{model}: the types sharing it have different fields")
        if len({t.id_field for t in types}) != 1:
            raise CodegenError(f"{model}: the types sharing it have different id fields")
        doc = RECORD_DOCS.get(model) or _record_doc(types)
        classes.append(
            build_class(
                model,
                "Record",
                doc,
                properties[0],
                id_field=types[0].id_field,
                required=types[0].required,
            )
        )
    return _ordered(classes)


def _ordered(classes: list[_Class]) -> list[_Class]:
    done: set[str] = {"CustomField"}
    result: list[_Class] = []
    pending = list(classes)
    while pending:
        ready = [c for c in pending if c.needs <= done]
        if not ready:
            raise CodegenError(f"circular references among {[c.name for c in pending]}")
        # Keep the given order, moving a class only as far as its references need.
        first = ready[0]
        result.append(first)
        done.add(first.name)
        pending.remove(first)
    names = [c.name for c in result]
    if len(set(names)) != len(names):
        raise CodegenError(f"duplicate class names in {names}")
    return result


# ---------------------------------------------------------------------------------------
# Rendering


HEADER = '''\
# Generated by `python -m tools.gen_models` from Insightly's Swagger document
# (insightly_async/_facts/spec/openapi-v3.1.json.gz), the record-type catalog and the field
# tables (insightly_async/_facts/). Do not edit by hand: change the generator and run it again.
# ruff: noqa: RUF009  (`field()` declares an attrs field; it is not a shared default value)
"""Every model class: the Insightly v3.1 records and their sub-records.

Attribute names are the snake_case of the wire names; each field's metadata holds its wire
name, kind, read-only flag and maximum length (see ``insightly_async.models.WireField``).
``insightly_async`` and ``insightly_async.models`` re-export this module's ``__all__``.
"""
'''


def _field_lines(f: _Field) -> list[str]:
    args = [f'"{f.wire}"', f'"{f.kind}"']
    if f.read_only:
        args.append("read_only=True")
    if f.create_only:
        args.append("create_only=True")
    if f.max_length:
        args.append(f"max_length={f.max_length}")
    if f.item:
        args.append(f"item={f.item}")
    head = f"    {f.name}: {f.annotation} = field("
    line = head + ", ".join(args) + ")"
    if len(line) <= LINE_LENGTH:
        return [line]
    inner = "        " + ", ".join(args)
    if len(inner) <= LINE_LENGTH:
        return [head, inner, "    )"]
    return [head, *(f"        {arg}," for arg in args), "    )"]


def _class_lines(c: _Class) -> list[str]:
    if c.base == "Record":
        decorator = "@attrs.define(kw_only=True, repr=False)"
    else:
        decorator = "@attrs.define(repr=False)"
    lines = ["", "", decorator, f"class {c.name}({c.base}):", *docstring(c.doc), ""]
    if c.base == "Record":
        value = f'"{c.id_attr}"' if c.id_attr else "None"
        lines += [f"    _id_attr: ClassVar[str | None] = {value}", ""]
    for f in c.fields:
        lines += _field_lines(f)
    return lines


def render() -> str:
    """The source of the generated module."""
    classes = collect()
    body = [line for c in classes for line in _class_lines(c)]
    names = [c.name for c in classes]
    base = {_BASE_MODULE: module_exports(BASE)}
    # The re-exported names count as used: they are imported for __all__.
    used = "\n".join([*body, *REEXPORTED])
    lines = [HEADER, *imports(used, names, base), "", "__all__ = ["]
    lines += [f'    "{name}",' for name in sorted([*names, *REEXPORTED])]
    lines += ["]", *body, ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated module, or with ``--check`` report whether it is current."""
    return write_or_check(TARGET, render, _COMMAND, argv)


if __name__ == "__main__":
    sys.exit(main())
