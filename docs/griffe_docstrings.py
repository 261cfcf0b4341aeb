"""A griffe extension: the package's reST-flavoured docstrings, rendered as Markdown.

The docstrings follow the Google style with the reST cross-reference roles
(``:class:`Pacer```, ``:meth:`Paginator.scan```) and doctest examples, as the SDK's own
style asks. mkdocstrings reads Markdown, so before a docstring is parsed this extension:

- turns each role into a cross-reference: a link when the target is in the reference, plain
  code when it is not (a private helper); a name that resolves to nothing fails the build
  (``mkdocs build --strict``), so a renamed class cannot leave a stale reference behind;
- fences doctest examples (``>>>`` lines and their output) as ``pycon`` code;
- ends a paragraph introducing a literal block (``::``) with one colon.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import griffe

# A warning under the "mkdocs" logger fails `mkdocs build --strict`.
_log = logging.getLogger("mkdocs.plugins.insightly_async.docstrings")

_ROLE = re.compile(r":(?:class|meth|func|mod|data|attr|exc|obj):`(?P<target>[^`]+)`")
_DOCTEST = re.compile(r"^(?P<indent>\s*)(?:>>>|\.\.\.)(?: |$)")
_DIRECTIVE = re.compile(r"\s*# doctest:.*$")


class SphinxRoles(griffe.Extension):
    """Rewrite the docstring of every object of the package before it is parsed."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring (called once per object of the loaded package).

        Args:
            obj: The object whose docstring to rewrite.
            loader: The loader holding every loaded module (to check full paths).
            **kwargs: Whatever else griffe passes.
        """
        if obj.docstring is None:
            return
        text = _fence_doctests(obj.docstring.value)
        text = re.sub(r"::$", ":", text, flags=re.MULTILINE)
        obj.docstring.value = _ROLE.sub(lambda m: _link(obj, loader, m.group("target")), text)


def _link(obj: griffe.Object, loader: griffe.GriffeLoader, target: str) -> str:
    """The cross-reference for a role's ``target`` seen from ``obj``."""
    short = target.startswith("~")
    name = target.lstrip("~")
    path = _resolve(obj, loader, name)
    title = name.rsplit(".", 1)[-1] if short else name
    if path is None:
        _log.warning("%s: the docstring refers to %r, which does not exist", obj.path, name)
        return f"`{title}`"
    # `optional`: a target outside the reference (private) renders as plain code.
    identifier = html.escape(path, quote=True)
    code = f"<code>{html.escape(title)}</code>"
    return f'<autoref identifier="{identifier}" optional>{code}</autoref>'


def _resolve(obj: griffe.Object, loader: griffe.GriffeLoader, name: str) -> str | None:
    """The full path ``name`` means in ``obj``'s scope, or ``None`` if it names nothing."""
    if name.startswith("."):  # relative to the package of the object's module
        module = obj.module
        package = module if module.is_init_module or module.parent is None else module.parent
        name = f"{package.path}{name}"
    head, _, rest = name.partition(".")
    if head == obj.package.name:
        path = name
    else:
        found = _in_scope(obj, head)
        if found is None:
            return None
        path = f"{found}.{rest}" if rest else found
    if not path.startswith(f"{obj.package.name}."):
        return path  # outside the package (aiohttp, the standard library): not checked
    return path if _exists(loader, path) else None


def _exists(loader: griffe.GriffeLoader, path: str) -> bool:
    """Whether ``path`` names an object of a loaded package (inherited members count)."""
    parts = path.split(".")
    try:
        current: griffe.Object | griffe.Alias = loader.modules_collection[parts[0]]
        for part in parts[1:]:
            members = current.all_members if current.is_class else current.members
            current = members[part]
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return False
    return True


def _in_scope(obj: griffe.Object, name: str) -> str | None:
    """The path ``name`` has in ``obj``'s scope: its own, its parents', or a class's
    inherited members (``:meth:`custom_object``` in a method of a subclass)."""
    try:
        return obj.resolve(name)
    except griffe.NameResolutionError:
        pass
    scope: griffe.Object | None = obj
    while scope is not None:
        if scope.is_class and name in scope.all_members:
            return f"{scope.path}.{name}"
        scope = scope.parent
    return None


def _fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines (prompts and their output) in a ``pycon`` fence."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _DOCTEST.match(lines[i])
        if match is None or not lines[i].lstrip().startswith(">>>"):
            out.append(lines[i])
            i += 1
            continue
        indent = match.group("indent")
        if out and out[-1].strip():
            out.append("")
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(_DIRECTIVE.sub("", lines[i]))
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)
