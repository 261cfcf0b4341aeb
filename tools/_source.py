"""What the generators share: the Python source they write and read.

- :func:`imports`: the import lines of generated code, derived from the names it uses;
- :func:`docstring`: a class docstring that fits the line length;
- :func:`module_exports`: the ``__all__`` of a module, read from its source (a generator
  does not import the package it writes into);
- :func:`write_or_check`: the command line of a generator (``--check`` only compares).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import datetime
import functools
import sys
import textwrap
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

__all__ = [
    "LINE_LENGTH",
    "CodegenError",
    "docstring",
    "imports",
    "module_exports",
    "write_or_check",
]

#: The project's line length (ruff's ``line-length``).
LINE_LENGTH: Final = 100

# Standard modules the generated code takes names from (by their __all__), and the
# modules it imports whole.
STANDARD_SOURCES: Final[tuple[ModuleType, ...]] = (typing, datetime, functools)
WHOLE_MODULES: Final = frozenset({"attrs"})


class CodegenError(Exception):
    """What a generator reads describes code that cannot be generated as is."""


def module_exports(path: Path) -> frozenset[str]:
    """The names the module at ``path`` exports: its literal ``__all__``.

    Raises:
        CodegenError: The module has no literal ``__all__``.
    """
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            return frozenset(
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    raise CodegenError(f"{path} has no literal __all__")


def _import_order(name: str) -> tuple[int, str]:
    # The isort order: constants, classes, then functions and variables.
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


def _from_import(module: str, names: Iterable[str]) -> list[str]:
    ordered = sorted(names, key=_import_order)
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= LINE_LENGTH:
        return [line]
    return [f"from {module} import (", *(f"    {n}," for n in ordered), ")"]


def imports(
    body: str, defined: Iterable[str], first_party: Mapping[str, Iterable[str]]
) -> list[str]:
    """The import lines of a module whose code is ``body`` and that defines ``defined``.

    Every name ``body`` reads that is neither defined there nor a builtin is imported from
    where it is found first: the ``first_party`` modules (module -> the names it exports),
    then :data:`STANDARD_SOURCES`; :data:`WHOLE_MODULES` are imported whole. The lines
    are grouped and ordered as the project's isort settings want them.

    Raises:
        CodegenError: A name is found nowhere.
    """
    tree = ast.parse(body)
    used = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    # Names bound in the code itself (parameters, assignments) come from nowhere else.
    bound = {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    bound |= {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    used -= bound
    sources = [
        *((module, frozenset(names)) for module, names in first_party.items()),
        *((m.__name__, frozenset(m.__all__)) for m in STANDARD_SOURCES),
    ]
    found: dict[str, list[str]] = {}
    whole: list[str] = []
    for name in sorted(used - set(defined) - set(dir(builtins))):
        if name in WHOLE_MODULES:
            whole.append(name)
            continue
        module = next((module for module, names in sources if name in names), None)
        if module is None:
            raise CodegenError(f"the generated code uses {name!r}, which has no known source")
        found.setdefault(module, []).append(name)
    standard = sorted(m for m in found if m not in first_party)
    ours = sorted(m for m in found if m in first_party)
    sections = [
        [line for module in standard for line in _from_import(module, found[module])],
        [f"import {module}" for module in whole],
        [line for module in ours for line in _from_import(module, found[module])],
    ]
    lines = ["from __future__ import annotations"]
    for section in sections:
        if section:
            lines += ["", *section]
    return lines


def docstring(text: str, indent: str = "    ") -> list[str]:
    """The lines of the docstring ``text``, on one line when it fits."""
    one = f'{indent}"""{text}"""'
    if len(one) <= LINE_LENGTH:
        return [one]
    wrapped = textwrap.wrap(
        text, width=LINE_LENGTH, initial_indent=f'{indent}"""', subsequent_indent=indent
    )
    return [*wrapped, f'{indent}"""']


def write_or_check(
    target: Path, render: typing.Callable[[], str], command: str, argv: Sequence[str] | None
) -> int:
    """Run a generator: write ``target`` from ``render()``, or with ``--check`` exit 1 when
    it differs from a fresh run."""
    parser = argparse.ArgumentParser(prog=command)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the module differs from a fresh run"
    )
    options = parser.parse_args(argv)
    source = render()
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if options.check:
        if current != source:
            sys.stderr.write(f"{target} is out of date: run {command} (or make generate)\n")
            return 1
        return 0
    if current != source:
        target.write_text(source, encoding="utf-8")
    return 0
