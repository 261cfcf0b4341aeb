"""Developer tools of insightly_async: the code generators (``make generate``).

They live outside the package: they import nothing they generate, so a broken generated
module never stops its own generator.
"""
