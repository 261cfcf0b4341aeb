"""Every public callable of the documented modules says what it does, what it takes and what
it returns: the API reference (``make docs``) is generated from these docstrings, so a
callable without one is a hole in the reference.

Walked: the ``__all__`` of each module the reference documents, the methods and properties
of those classes and of their bases within the package, and the resource classes reachable
from an ``InsightlySession``'s attributes (sub-resources included).
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

import attrs
import pytest

from insightly_async import InsightlySession

# The modules of the reference (docs/reference/*.md).
DOCUMENTED_MODULES = [
    "insightly_async",
    "insightly_async.models",
    "insightly_async.pagination",
    "insightly_async.transport",
    "insightly_async.testing",
    "insightly_async.redis",
    "insightly_async.limits",
    "insightly_async.quota",
]
PACKAGE = "insightly_async"
_SECTION = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Z][A-Za-z ]*):\s*$")
_ENTRY = re.compile(r"^(?P<name>\*{0,2}\w+)(?:\s*\([^)]*\))?:")


def _ours(obj: object) -> bool:
    return str(getattr(obj, "__module__", "")).startswith(PACKAGE)


def _resource_classes() -> list[type]:
    """The classes of what a session's attributes return, and of their sub-resources."""
    crm = InsightlySession(api_key="k", base_url="http://127.0.0.1:1/v3.1")
    todo: list[object] = [getattr(crm, name) for name in crm.resource_names()]
    todo += [crm.custom_fields, crm.custom_objects, crm.custom_object("Fruit__c")]
    found: list[type] = []
    while todo:
        resource = todo.pop()
        cls = type(resource)
        if cls in found:
            continue
        found.append(cls)
        for name, member in _members(cls):
            if isinstance(member, (property, cached_property)):
                value = getattr(resource, name)
                if _ours(value) and type(value).__module__.startswith(f"{PACKAGE}.resources"):
                    todo.append(value)
    return found


def _documented_classes() -> list[type]:
    classes: list[type] = []
    for module_name in DOCUMENTED_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and _ours(obj) and obj not in classes:
                classes.append(obj)
    return classes + [cls for cls in _resource_classes() if cls not in classes]


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties of ``cls`` and of its bases in the package."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not _ours(klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            member = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if isinstance(member, (property, cached_property)) or inspect.isfunction(member):
                yield name, member


def _owner(cls: type, name: str) -> type:
    return next(klass for klass in cls.__mro__ if name in vars(klass))


def _public_callables() -> dict[str, Any]:
    """Every public class, function, method and property, by qualified name."""
    found: dict[str, Any] = {}
    for module_name in DOCUMENTED_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and _ours(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    for cls in _documented_classes():
        found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        for name, member in _members(cls):
            owner = _owner(cls, name)
            found[f"{owner.__module__}.{owner.__qualname__}.{name}"] = member
    return found


def _doc(obj: Any) -> str:
    if isinstance(obj, property):
        obj = obj.fget
    elif isinstance(obj, cached_property):
        obj = obj.func
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
    return inspect.cleandoc(doc or "")


def _section(doc: str, *titles: str) -> list[str] | None:
    """The entry names of the first Google-style section titled one of ``titles``."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        match = _SECTION.match(line)
        if match is None or match.group("name") not in titles:
            continue
        indent = len(match.group("indent"))
        names: list[str] = []
        entry_indent: int | None = None
        for body in lines[i + 1 :]:
            if not body.strip():
                continue
            depth = len(body) - len(body.lstrip())
            if depth <= indent:
                break
            if entry_indent is None:
                entry_indent = depth
            entry = _ENTRY.match(body.strip())
            if depth == entry_indent and entry is not None:
                names.append(entry.group("name").lstrip("*"))
        return names
    return None


def _parameters(function: Callable[..., Any]) -> list[str]:
    signature = inspect.signature(function)
    return [name for name in signature.parameters if name not in ("self", "cls")]


def _returns_something(function: Callable[..., Any]) -> bool:
    annotation = typing.get_type_hints(function).get("return")
    return annotation is not None and annotation is not type(None)


CALLABLES = _public_callables()
FUNCTIONS = {name: obj for name, obj in CALLABLES.items() if inspect.isfunction(obj)}


def test_the_walk_reaches_the_sub_resources() -> None:
    # The walk itself: it must see what a user reaches from the session.
    for name in ("Tags.add", "Children.create", "TeamMembers.add", "FollowMixin.follow"):
        assert any(key.endswith(name) for key in CALLABLES), name
    assert len(CALLABLES) > 400


def test_every_public_callable_has_a_docstring() -> None:
    missing = sorted(name for name, obj in CALLABLES.items() if not _doc(obj).strip())
    assert not missing, f"{len(missing)} without a docstring: {missing}"


def test_every_argument_is_documented() -> None:
    wrong: list[str] = []
    for name, function in FUNCTIONS.items():
        parameters = _parameters(function)
        documented = _section(_doc(function), "Args") or []
        if sorted(documented) != sorted(parameters):
            wrong.append(f"{name}: takes {parameters}, Args names {documented}")
    assert not wrong, "\n".join(wrong)


def test_every_result_is_documented() -> None:
    missing = [
        name
        for name, function in FUNCTIONS.items()
        if _returns_something(function) and _section(_doc(function), "Returns", "Yields") is None
    ]
    assert not missing, f"no Returns: section: {missing}"


def test_every_constructor_argument_is_documented() -> None:
    # What a caller builds: classes whose __init__ is written in the package. The resource
    # classes are left out: the session builds them, a caller never does.
    resources = set(_resource_classes())
    wrong: list[str] = []
    for cls in _documented_classes():
        init = vars(_owner(cls, "__init__")).get("__init__")
        if cls in resources or attrs.has(cls) or not _ours(init) or init is None:
            continue
        owner = _owner(cls, "__init__")
        doc = _doc(owner) + "\n" + _doc(init)
        documented = (_section(doc, "Args") or []) + (_section(doc, "Attributes") or [])
        missing = [p for p in _parameters(init) if p not in documented]
        if missing:
            wrong.append(f"{owner.__module__}.{owner.__qualname__}: {missing} not documented")
    assert not wrong, "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize(
    ("doc", "names"),
    [
        ("Do it.\n\nArgs:\n    a: One.\n        More on a.\n    b (int): Two.\n", ["a", "b"]),
        ("Do.\n\nArgs:\n    *args: A.\n    **kwargs: B.\n\nReturns:\n    x", ["args", "kwargs"]),
        ("Do it.", None),
    ],
)
def test_the_section_reader(doc: str, names: list[str] | None) -> None:
    assert _section(doc, "Args") == names
