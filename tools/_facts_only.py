"""Import ``insightly_async._facts`` without running ``insightly_async/__init__.py``.

The package's ``__init__`` imports the modules the generators write (the models, the
resources): a broken generated module would stop its own generator. When the package is
not imported yet, :func:`import_facts` loads the facts under a stand-in parent module that
is removed again afterwards, so the generator's ``from insightly_async._facts... import``
lines find the loaded modules and nothing else of the package runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Final

__all__ = ["PACKAGE", "import_facts"]

#: The package's source folder, next to ``tools/``.
PACKAGE: Final = Path(__file__).resolve().parents[1] / "insightly_async"

_FACTS: Final = ("catalog", "fields", "spec", "wire")


def import_facts() -> None:
    """Load the modules of ``insightly_async._facts`` (and what they import) into
    ``sys.modules``, without the package's ``__init__`` if it has not run yet."""
    if "insightly_async" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "insightly_async", PACKAGE / "__init__.py", submodule_search_locations=[str(PACKAGE)]
    )
    assert spec is not None
    sys.modules["insightly_async"] = importlib.util.module_from_spec(spec)
    try:
        for name in _FACTS:
            importlib.import_module(f"insightly_async._facts.{name}")
    finally:
        del sys.modules["insightly_async"]
