"""The one cattrs converter of the models, and :func:`structure` on top of it.

The converter dispatches: every model class gets its structure hook from one factory
(generated from the class's field table and the codecs, see
:mod:`~insightly_async.models._structure`) and its unstructure hook from the writer of
:mod:`~insightly_async.models._unstructure`; dates and opportunity states read on their own
go through their codecs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs

from insightly_async._exceptions import ResponseValidationError
from insightly_async.models._base import Model, OpportunityState, Record
from insightly_async.models._codecs import misfit, plain_hook, within
from insightly_async.models._fields import class_fields
from insightly_async.models._structure import make_structure_fn
from insightly_async.models._unstructure import write_model
from insightly_async.models._values import format_datetime

__all__ = ["converter", "make_converter", "structure", "structure_many"]

M = TypeVar("M", bound=Model)


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model) and attrs.has(cls)


def make_converter() -> cattrs.Converter:
    """A cattrs converter for the models.

    Every model class gets its structure and unstructure hooks from one factory each, built
    from the field metadata; dates and opportunity states get their codecs' hooks.

    Returns:
        A new converter (the package's own is ``converter``).
    """
    conv = cattrs.Converter()
    conv.register_structure_hook(datetime, plain_hook("datetime", datetime))
    conv.register_unstructure_hook(datetime, format_datetime)
    conv.register_structure_hook(OpportunityState, plain_hook("state", OpportunityState))
    conv.register_unstructure_hook(OpportunityState, lambda state: state.value)
    conv.register_structure_hook_factory(
        _is_model, lambda cls: make_structure_fn(cls, conv.get_structure_hook)
    )
    conv.register_unstructure_hook_factory(_is_model, lambda cls: write_model)
    return conv


#: The converter of the package, built once.
converter = make_converter()

_HOOKS: dict[type, Callable[..., Any]] = {}


def _hook(model_cls: type[Model]) -> Callable[..., Any]:
    hook = _HOOKS.get(model_cls)
    if hook is None:
        class_fields(model_cls)  # a clear TypeError for a class that is not a model
        hook = _HOOKS[model_cls] = converter.get_structure_hook(model_cls)
    return hook


def structure(model_cls: type[M], wire: Mapping[str, Any], *, etag: str | None = None) -> M:
    """The model of the wire dict ``wire``.

    The model keeps a reference to ``wire`` (no copy) as the record of what was read, so
    ``wire`` must not be modified afterwards.

    Args:
        model_cls: The model class.
        wire: The JSON object, as decoded.
        etag: The response's ``ETag``, for a :class:`Record`.

    Returns:
        The model.

    Raises:
        ResponseValidationError: ``wire`` does not fit the model: it is not an object, a
            value does not have its field's type, or a value nests too deep.
        TypeError: ``model_cls`` is not a model class.
    """
    model: M = _hook(model_cls)(wire, model_cls)
    if etag is not None and isinstance(model, Record):
        model.etag = etag
    return model


def structure_many(model_cls: type[M], wires: Iterable[Mapping[str, Any]]) -> list[M]:
    """:func:`structure` each dict of ``wires`` (a page of records).

    Args:
        model_cls: The model class.
        wires: The JSON array, as decoded.

    Returns:
        The models, in order.

    Raises:
        ResponseValidationError: ``wires`` is not a list, or one of its items does not fit
            (its ``index`` says which).
        TypeError: ``model_cls`` is not a model class.
    """
    hook = _hook(model_cls)
    if wires.__class__ is list:
        try:
            return [hook(wire, model_cls) for wire in wires]
        except ResponseValidationError:
            pass  # found again below, with its position
    elif isinstance(wires, (str, bytes, bytearray, Mapping)) or not isinstance(wires, Iterable):
        raise misfit(model_cls, "expected a list of objects", wires)
    models = []
    for index, wire in enumerate(wires):
        try:
            models.append(hook(wire, model_cls))
        except ResponseValidationError as error:
            raise within(error, model_cls, index=index) from None
    return models
