"""Import the package's API facts without running ``insightly_async/__init__.py``.

The package's ``__init__`` imports the session, the resources and the models, and so the
modules the generators write. A generator that imported ``insightly_async._facts`` the
usual way would fail whenever the file it is about to rewrite is broken. Registering the
package as a bare namespace first lets ``insightly_async._facts`` (which needs nothing
but ``insightly_async._exceptions``) load on its own.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "insightly_async"


def bare_package() -> None:
    """Make ``import insightly_async.<module>`` skip the package's ``__init__``.

    Does nothing when the package is already imported (in the test suite, say): then the
    generated modules are importable anyway.
    """
    if "insightly_async" in sys.modules:
        return
    package = types.ModuleType("insightly_async")
    package.__path__ = [str(PACKAGE)]
    package.__file__ = str(PACKAGE / "__init__.py")
    sys.modules["insightly_async"] = package
