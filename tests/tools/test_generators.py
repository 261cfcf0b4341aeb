"""The code generators: current output, a failing check when stale, and a broken
generated module that never stops its own generator."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tools import gen_models, gen_resources

ROOT = Path(gen_models.__file__).resolve().parents[1]
GENERATORS = [
    pytest.param(gen_models, "VISIBLE_TO", id="models"),
    pytest.param(gen_resources, "ContactsResource", id="resources"),
]


@pytest.mark.parametrize(("generator", "_"), GENERATORS)
def test_the_generated_module_is_current(generator: ModuleType, _: str) -> None:
    assert generator.render() == generator.TARGET.read_text(encoding="utf-8"), "run: make generate"
    assert generator.main(["--check"]) == 0


@pytest.mark.parametrize(("generator", "word"), GENERATORS)
def test_check_fails_when_the_module_is_stale(
    generator: ModuleType,
    word: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stale = tmp_path / "_generated.py"
    stale.write_text(generator.render().replace(word, word + "X"), encoding="utf-8")
    monkeypatch.setattr(generator, "TARGET", stale)
    assert generator.main(["--check"]) == 1
    assert f"out of date: run python -m {generator.__name__}" in capsys.readouterr().err
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == generator.render()


@pytest.mark.parametrize(("generator", "_"), GENERATORS)
def test_a_broken_generated_module_does_not_stop_its_generator(
    generator: ModuleType, _: str, tmp_path: Path
) -> None:
    # A copy of the tree, whose generated module would fail on import.
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "insightly_async", tmp_path / "insightly_async", ignore=ignore)
    shutil.copytree(ROOT / "tools", tmp_path / "tools", ignore=ignore)
    target = tmp_path / generator.TARGET.relative_to(ROOT)
    target.write_text("raise RuntimeError('a broken generated module')\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", generator.__name__, *args]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)

    checked = run("--check")
    assert checked.returncode == 1, checked.stderr
    assert "out of date" in checked.stderr
    assert "Traceback" not in checked.stderr
    written = run()
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8") == generator.TARGET.read_text(encoding="utf-8")
    assert run("--check").returncode == 0
