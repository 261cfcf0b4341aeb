"""Code generators of the repository, outside the shipped package.

Run them from the repository root with ``make generate`` (or ``python -m tools.<name>``);
``--check`` reports whether a generated module is current, as the test suite does. They
import nothing they generate, so a broken generated module never stops its own generator.
"""
