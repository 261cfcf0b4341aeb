"""Without the ``cli`` extra the console script says how to install it, not a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from insightly_async.cli import EXIT_USAGE

HINT = (
    "insightly-async needs the 'cli' extra (click and rich): install the package with it, "
    "e.g. pip install '.[cli]' in a clone, or pip install click rich\n"
)

# A None in sys.modules makes `import NAME` fail as if the package were not installed.
WITHOUT = "import sys; sys.modules[{name!r}] = None; "


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", ["click", "rich"])
def test_main_prints_the_install_hint_when_a_cli_dependency_is_missing(name: str) -> None:
    done = python(
        WITHOUT.format(name=name) + "import insightly_async.cli; insightly_async.cli.main()"
    )

    assert done.returncode == EXIT_USAGE
    assert done.stderr == HINT
    assert done.stdout == ""


def test_python_dash_m_prints_the_install_hint_too() -> None:
    code = "import runpy; runpy.run_module('insightly_async.cli', run_name='__main__')"
    done = python(WITHOUT.format(name="click") + code)

    assert done.returncode == EXIT_USAGE
    assert done.stderr == HINT


def test_the_package_imports_without_click_or_rich() -> None:
    code = (
        "import sys; sys.modules['click'] = None; sys.modules['rich'] = None; "
        "from insightly_async.cli import EXIT_FAILURE, EXIT_OK, EXIT_QUOTA, EXIT_USAGE, main; "
        "print(EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_QUOTA)"
    )
    done = python(code)

    assert done.returncode == 0, done.stderr
    assert done.stdout == "0 1 2 3\n"


def test_with_the_extra_main_runs_the_commands() -> None:
    done = python(
        "import sys; sys.argv = ['insightly-async', '--version']; "
        "import insightly_async.cli; insightly_async.cli.main()"
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("insightly-async, version ")
