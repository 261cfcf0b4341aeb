"""The public names of insightly_async.models."""

from __future__ import annotations

import doctest

from insightly_async import models
from insightly_async.models import _converter, classes


def test_all_lists_every_public_name() -> None:
    public = {name for name in vars(models) if name.isidentifier() and name[0] != "_"}
    modules = {"annotations", "Mapping", "MappingProxyType", "classes"}
    assert set(models.__all__) == public - modules
    assert len(models.__all__) == len(set(models.__all__))


def test_every_model_and_function_is_exported() -> None:
    assert set(classes.__all__) <= set(models.__all__)
    assert set(_converter.__all__) <= set(models.__all__)
    for name in ("Model", "Record", "SubRecord", "OpportunityState", "CustomField", "MODELS"):
        assert name in models.__all__
    for name in models.__all__:
        assert getattr(models, name) is not None


def test_docstring_examples() -> None:
    from insightly_async.models import _base

    for module in (models, _base):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0
        assert failed == 0
