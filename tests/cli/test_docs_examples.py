"""The documentation site's examples run as written, and its reference leaves nothing out.

Every ```python block of docs/*.md is one of: a script (``asyncio.run(main())``), run
against the emulator as the README's are; a pytest example (``def test_``), run under
pytest with the plugin; or a fragment, which must at least compile.
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import pytest
from export_support import ROOT, ThreadedFake, run_example

from insightly_async import InsightlySession

pytest_plugins = ["redis_fixtures"]

DOCS = ROOT / "docs"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
PAGES = sorted(DOCS.glob("*.md"))


def blocks() -> list[tuple[str, str]]:
    return [
        (page.name, block)
        for page in PAGES
        for block in BLOCK.findall(page.read_text(encoding="utf-8"))
    ]


def scripts() -> list[tuple[str, str]]:
    return [(page, block) for page, block in blocks() if "asyncio.run(main())" in block]


def pytest_examples() -> list[tuple[str, str]]:
    return [(page, block) for page, block in blocks() if "def test_" in block]


def test_each_guide_has_runnable_examples() -> None:
    pages = {page for page, _ in scripts() + pytest_examples()}
    for guide in ("getting-started", "services", "exports", "backfills", "fleets", "testing"):
        assert f"{guide}.md" in pages, guide


@pytest.mark.parametrize(("page", "block"), blocks(), ids=[page for page, _ in blocks()])
def test_every_example_compiles(page: str, block: str) -> None:
    compile(block, page, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


@pytest.fixture(scope="module")
def served() -> Iterator[ThreadedFake]:
    with ThreadedFake(seed=21) as threaded:
        records = {"contacts": 60, "leads": 20, "organisations": 5, "opportunities": 5}
        threaded.call(lambda: threaded.fake.seed(records))
        yield threaded


@pytest.mark.parametrize(("page", "script"), scripts(), ids=[page for page, _ in scripts()])
def test_docs_script_runs_against_the_emulator(
    served: ThreadedFake, redis_url: str, page: str, script: str, tmp_path: Path
) -> None:
    result = run_example(script, served, redis_url, tmp_path)
    assert result.returncode == 0, f"{page}: {result.stderr}"
    assert result.stdout.strip()  # each example prints what it found
    assert served.fake.api_key not in result.stdout + result.stderr
    assert 429 not in served.call(served.fake.log.status_counts)


def test_docs_pytest_examples_pass_with_the_plugin(tmp_path: Path) -> None:
    for index, (_, block) in enumerate(pytest_examples()):
        (tmp_path / f"test_docs_{index}.py").write_text(block, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
    command += ["-o", "asyncio_default_fixture_loop_scope=function"]  # a user's own setting
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(pytest_examples())} passed" in result.stdout


def test_the_resources_page_documents_every_resource_class() -> None:
    # The record types are listed one by one: a type added to the catalog must be added to
    # the page too (with its bases, the verbs and actions it mixes in).
    page = (DOCS / "reference" / "resources.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: ([\w.]+)$", page, flags=re.MULTILINE))
    crm = InsightlySession(api_key="k", base_url="http://127.0.0.1:1/v3.1")
    resources = [getattr(crm, name) for name in crm.resource_names()]
    resources += [crm.custom_fields, crm.custom_objects, crm.custom_object("Fruit__c")]
    resources += [getattr(r, sub) for r in list(resources) for sub in _sub_resources(r)]
    missing = set()
    for resource in resources:
        for cls in type(resource).__mro__:
            if cls.__name__.startswith("_") or not _is_resource_class(cls):
                continue  # private bases (_Sub, _Paged…) add no public method
            public = f"insightly_async.resources.{cls.__name__}"
            if public not in documented and f"{cls.__module__}.{cls.__name__}" not in documented:
                missing.add(cls.__name__)
    assert not missing, f"add to docs/reference/resources.md: {sorted(missing)}"


def _is_resource_class(cls: type) -> bool:
    return cls.__module__.startswith("insightly_async.resources")


def _sub_resources(resource: object) -> Iterator[str]:
    for name, member in inspect.getmembers(type(resource)):
        attribute = not name.startswith("_") and isinstance(member, property | cached_property)
        if attribute and _is_resource_class(type(getattr(resource, name))):
            yield name
