"""The server's self-description, as small read-only dataclasses keyed by name.

Each dataclass keeps the proto message it came from in `proto`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from eiscope._enums import short_name
from eiscope._proto import types_pb2
from eiscope.values import from_value


@dataclass(frozen=True)
class Param:
    """One parameter of a component: type ("NUMBER", "INTEGER", "FLAG", "CHOICE",
    "INT_LIST", "NAME_LIST": a str of comma-separated names from choices, or "all"), default,
    inclusive bounds (numbers, integers, int-list elements), choices."""

    name: str
    type: str
    default: Any
    min: float
    max: float
    choices: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class Component:
    """A model, learning rule, task or initialisation; `params` is keyed by parameter name."""

    kind: str
    title: str
    doc: str
    citation: str
    params: dict[str, Param]
    proto: Any = field(repr=False, compare=False)


@dataclass(frozen=True)
class Observable:
    """An observable: kind ("SCALAR", "TENSOR", ...), cost ("CHEAP", ...), per_layer."""

    name: str
    kind: str
    cost: str
    doc: str
    per_layer: bool


@dataclass(frozen=True)
class Preset:
    """A named experiment; `spec` is the proto SimulationSpec it creates.

    Presets that share a `group` are one comparison from a paper, meant to run side by side.
    """

    name: str
    title: str
    doc: str
    citation: str
    spec: Any = field(repr=False)
    group: str = ""


@dataclass(frozen=True)
class Catalogue:
    """Everything the server can build and measure, each group keyed by kind or name."""

    models: dict[str, Component]
    learning_rules: dict[str, Component]
    tasks: dict[str, Component]
    initialisations: dict[str, Component]
    observables: dict[str, Observable]
    presets: dict[str, Preset]
    proto: Any = field(repr=False, compare=False)

    @staticmethod
    def from_proto(msg: types_pb2.Catalogue) -> Catalogue:
        """The view of an API Catalogue message."""
        return Catalogue(
            models=_components(msg.models),
            learning_rules=_components(msg.learning_rules),
            tasks=_components(msg.tasks),
            initialisations=_components(msg.initialisations),
            observables={o.name: _observable(o) for o in msg.observables},
            presets={
                p.name: Preset(p.name, p.title, p.doc, p.citation, p.spec, p.group) for p in msg.presets
            },
            proto=msg,
        )


def _components(infos: Iterable[types_pb2.ComponentInfo]) -> dict[str, Component]:
    return {
        c.kind: Component(c.kind, c.title, c.doc, c.citation, {p.name: _param(p) for p in c.params}, c)
        for c in infos
    }


def _param(p: types_pb2.ParamInfo) -> Param:
    default: Optional[Any] = from_value(p.default_value) if p.HasField("default_value") else None
    return Param(
        p.name,
        short_name(types_pb2.ParamType, p.type, "PARAM_TYPE_"),
        default,
        p.min,
        p.max,
        tuple(p.choices),
        p.doc,
    )


def _observable(o: types_pb2.ObservableInfo) -> Observable:
    return Observable(
        o.name,
        short_name(types_pb2.ObservableKind, o.kind, "OBSERVABLE_KIND_"),
        short_name(types_pb2.ObservableCost, o.cost, "OBSERVABLE_COST_"),
        o.doc,
        o.per_layer,
    )
