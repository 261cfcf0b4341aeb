"""structure() and structure_many() of every model, fed arbitrary JSON.

Whatever a server sends, reading it either gives models or raises an InsightlyError
(ResponseValidationError): never a bare ValueError, TypeError or RecursionError. A model
read is whole: its sub-records, built on first use, never fail then. And what is read goes
back to the wire unchanged, with nothing counted as changed, before its sub-records are
used and after.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insightly_async import InsightlyError
from insightly_async.models import (
    CustomField,
    Model,
    OpportunityState,
    ResponseValidationError,
    WireField,
    changes,
    classes,
    model_fields,
    structure,
    structure_many,
    unstructure,
)
from insightly_async.models._base import UNREAD, peek

# Every concrete model: the classes module also re-exports the bases and CustomFields.
MODEL_CLASSES: list[type[Model]] = [
    cls
    for cls in (getattr(classes, name) for name in classes.__all__)
    if isinstance(cls, type) and issubclass(cls, Model) and cls is not classes.Record
]

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What json.loads can give: Python's decoder also takes NaN and the infinities.
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)

_WIRE_DATES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)
).flatmap(
    lambda moment: st.sampled_from(
        [
            moment.isoformat(sep=" ", timespec="seconds")[:19],
            moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            moment.isoformat(),
            moment.date().isoformat(),
        ]
    )
)


def _plausible(f: WireField) -> st.SearchStrategy[Any]:
    """Values of the field's own type (so that reading gets past the first field)."""
    if f.kind in ("list", "model", "custom_fields"):
        item = objects(CustomField if f.item is None else f.item)
        return item if f.kind == "model" else st.lists(item, max_size=3)
    by_kind: dict[str, st.SearchStrategy[Any]] = {
        "str": st.text(max_size=30),
        "int": st.integers() | st.integers(-(2**53), 2**53).map(float),
        "float": st.floats(allow_nan=True, allow_infinity=True) | st.integers(),
        "bool": st.booleans(),
        "datetime": _WIRE_DATES | st.text(max_size=25),
        "state": st.sampled_from([s.value.lower() for s in OpportunityState]) | st.text(max_size=9),
        "json": json_values,
    }
    return by_kind[f.kind]


_OBJECTS: dict[type[Model], st.SearchStrategy[dict[str, Any]]] = {}


def objects(cls: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects with the model's real wire keys (values mostly of their own type, else
    any JSON value) and a few unknown keys."""
    if cls not in _OBJECTS:
        _OBJECTS[cls] = _objects(cls)
    return _OBJECTS[cls]


def _objects(cls: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    known = st.fixed_dictionaries(
        {},
        optional={
            f.wire: st.one_of(_plausible(f), _plausible(f), json_values) for f in model_fields(cls)
        },
    )
    unknown = st.dictionaries(st.text(max_size=12), json_values, max_size=2)
    return st.builds(lambda k, u: {**u, **k}, known, unknown)


def _read(cls: type[Model], wire: Any) -> Model | None:
    """structure(), which must give a model or raise a ResponseValidationError."""
    refused: ResponseValidationError | None = None
    try:
        model = structure(cls, wire)
    except ResponseValidationError as error:
        refused = error
    if refused is not None:
        assert refused.model == cls.__name__
        assert str(refused).isprintable()
        return None
    assert isinstance(model, cls)
    return model


def _round_trips(model: Model, wire: dict[str, Any]) -> None:
    for _ in ("as read", "every field used"):
        written = unstructure(model)
        assert written == wire
        assert list(written) == list(wire)
        assert changes(model) == {}
        _use_every_field(model)


def _use_every_field(model: Model) -> None:
    """Every field gives its value (sub-records are built on first use, and never fail:
    what would not fit was refused by structure())."""
    for f in model_fields(type(model)):
        getattr(model, f.name)
        assert peek(model, f.name) is not UNREAD


@SETTINGS
@given(cls=st.sampled_from(MODEL_CLASSES), value=json_values)
def test_structure_takes_any_json_value(cls: type[Model], value: Any) -> None:
    model = _read(cls, value)
    if model is not None:
        _round_trips(model, value)


@SETTINGS
@given(data=st.data())
def test_structure_takes_any_object_with_the_real_keys(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(MODEL_CLASSES), label="cls")
    wire = data.draw(objects(cls), label="wire")
    model = _read(cls, wire)
    if model is not None:
        _round_trips(model, wire)


@SETTINGS
@given(data=st.data())
def test_structure_many_takes_any_page(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(MODEL_CLASSES), label="cls")
    page = data.draw(json_values | st.lists(objects(cls) | json_values, max_size=4), label="page")
    refused: InsightlyError | None = None
    try:
        models = structure_many(cls, page)  # type: ignore[arg-type]
    except InsightlyError as error:
        refused = error
    if refused is not None:
        assert isinstance(refused, ResponseValidationError)
        return
    assert isinstance(page, list)
    assert [unstructure(m) for m in models] == page
    for model in models:
        _use_every_field(model)
    assert [unstructure(m) for m in models] == page
