"""Conversion between plain Python values and the proto `Value` / `ComponentSpec` messages.

Python -> Value: bool -> flag, int -> integer, float -> number, str -> text,
list/tuple of ints -> ints (numpy scalars and 1-D integer arrays are accepted too).
Anything else raises TypeError naming the parameter, before anything is sent.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, Union

import numpy as np

from eiscope._proto import types_pb2

PlainValue = Union[bool, int, float, str, list[int]]


def to_value(value: Any, name: str = "value") -> types_pb2.Value:
    """Returns the proto Value for a plain Python value; `name` only feeds error messages."""
    if isinstance(value, types_pb2.Value):
        return value
    if isinstance(value, (bool, np.bool_)):
        return types_pb2.Value(flag=bool(value))
    if isinstance(value, numbers.Integral):
        return types_pb2.Value(integer=int(value))
    if isinstance(value, numbers.Real):
        return types_pb2.Value(number=float(value))
    if isinstance(value, str):
        return types_pb2.Value(text=value)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in items):
            return types_pb2.Value(ints=types_pb2.IntList(values=[int(v) for v in items]))
        raise TypeError(f"parameter {name!r}: a list must hold only ints, got {value!r}")
    raise TypeError(
        f"parameter {name!r}: cannot send {type(value).__name__} {value!r}; "
        "use bool, int, float, str or a list of ints"
    )


def from_value(value: types_pb2.Value) -> PlainValue | None:
    """Returns the plain Python value of a proto Value (None when no kind is set)."""
    kind = value.WhichOneof("kind")
    if kind is None:
        return None
    if kind == "ints":
        return list(value.ints.values)
    if kind == "number":
        return value.number
    if kind == "integer":
        return value.integer
    if kind == "flag":
        return value.flag
    return value.text


def to_component(spec: Any, role: str) -> types_pb2.ComponentSpec:
    """Builds a ComponentSpec from a dict, a kind name or a ComponentSpec.

    A dict needs "kind"; its other entries are the parameters, e.g.
    ``{"kind": "mlp", "hidden": [100]}``. A nested ``"params": {...}`` dict is also accepted.
    `role` ("model", "learning_rule", ...) only feeds error messages.
    """
    if isinstance(spec, types_pb2.ComponentSpec):
        return spec
    if isinstance(spec, str):
        return types_pb2.ComponentSpec(kind=spec)
    if not isinstance(spec, Mapping) or "kind" not in spec:
        raise TypeError(
            f"{role}: expected a dict with a 'kind' entry, e.g. "
            f"{{'kind': 'mlp', 'hidden': [100]}}, got {spec!r}"
        )
    params = {k: v for k, v in spec.items() if k not in ("kind", "params")}
    params.update(spec.get("params") or {})
    component = types_pb2.ComponentSpec(kind=str(spec["kind"]))
    for key, raw in params.items():
        component.params[key].CopyFrom(to_value(raw, f"{role}.{key}"))
    return component


def component_to_dict(component: types_pb2.ComponentSpec) -> dict[str, Any]:
    """The inverse of to_component: ``{"kind": ..., **params}`` with plain values."""
    out: dict[str, Any] = {"kind": component.kind}
    out.update({k: from_value(v) for k, v in component.params.items()})
    return out
