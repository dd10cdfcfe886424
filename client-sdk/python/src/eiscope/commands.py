"""Builders of steering commands for Client.apply() and Session.command().

Each returns a ``types_pb2.Command``; the server validates it, applies it at the next step
boundary, logs it and streams it as an "intervention" event. Parameter values map to the
proto as in values.py (float -> number, int -> integer, bool -> flag, str -> text, list of
int -> ints)::

    client.apply(sim.id, commands.set_rule_params(learning_rate=0.01))
    client.apply(sim.id, commands.lesion("layer0", unit=3))
"""

from __future__ import annotations

from typing import Any

from eiscope._proto import types_pb2
from eiscope.values import to_component, to_value

_CONDITIONS = {
    "non_finite": types_pb2.WATCH_CONDITION_NON_FINITE,
    "above": types_pb2.WATCH_CONDITION_ABOVE,
    "below": types_pb2.WATCH_CONDITION_BELOW,
}


def set_rule_params(**params: Any) -> types_pb2.Command:
    """Change hyper-parameters of the current learning rule; its state is kept where it fits."""
    msg = types_pb2.SetRuleParams()
    for name, value in params.items():
        msg.params[name].CopyFrom(to_value(value, name))
    return types_pb2.Command(set_rule_params=msg)


def switch_rule(kind: str, **params: Any) -> types_pb2.Command:
    """Replace the learning rule (e.g. "adam"), with fresh optimiser state."""
    rule = to_component({"kind": kind, **params}, "learning_rule")
    return types_pb2.Command(switch_rule=types_pb2.SwitchRule(rule=rule))


def run_until(step: int) -> types_pb2.Command:
    """Play until `step`, then pause."""
    return types_pb2.Command(run_until=types_pb2.RunUntil(step=step))


def add_weight_noise(std: float, target: str = "") -> types_pb2.Command:
    """Gaussian noise (from the simulation's seeded noise stream) on a layer/parameter ("": all)."""
    return types_pb2.Command(add_weight_noise=types_pb2.AddWeightNoise(target=target, std=std))


def set_weight(parameter: str, row: int, col: int, value: float) -> types_pb2.Command:
    """Set one element; weight matrices are [n_out, n_in]."""
    return types_pb2.Command(
        set_weight=types_pb2.SetWeight(parameter=parameter, row=row, col=col, value=value)
    )


def freeze(target: str, frozen: bool = True) -> types_pb2.Command:
    """Hold a layer's or parameter's values fixed (frozen=False releases them)."""
    return types_pb2.Command(freeze=types_pb2.Freeze(target=target, frozen=frozen))


def lesion(layer: str, unit: int, inhibitory: bool = False) -> types_pb2.Command:
    """Zero a unit's incoming and outgoing weights and keep them zero."""
    population = types_pb2.POPULATION_INHIBITORY if inhibitory else types_pb2.POPULATION_EXCITATORY
    return types_pb2.Command(lesion=types_pb2.Lesion(layer=layer, unit=unit, population=population))


def clamp_unit(layer: str, unit: int, value: float = 0.0, clamped: bool = True) -> types_pb2.Command:
    """Hold a unit's output at `value` from now on (clamped=False releases it)."""
    return types_pb2.Command(
        clamp_unit=types_pb2.ClampUnit(layer=layer, unit=unit, value=value, clamped=clamped)
    )


def input_noise(std: float) -> types_pb2.Command:
    """Add N(0, std^2) noise to every training input from now on (0 turns it off)."""
    return types_pb2.Command(set_input_noise=types_pb2.SetInputNoise(std=std))


_PRUNE_METHODS = {"magnitude": types_pb2.PRUNE_METHOD_MAGNITUDE, "random": types_pb2.PRUNE_METHOD_RANDOM}
_PRUNE_SCOPES = {"global": types_pb2.PRUNE_SCOPE_GLOBAL, "per_layer": types_pb2.PRUNE_SCOPE_PER_LAYER}


def prune(fraction: float, method: str = "magnitude", scope: str = "global") -> types_pb2.Command:
    """Prune weight matrices until `fraction` of them are pruned ("magnitude": smallest |w|
    first, or "random"), over all layers together ("global") or each layer ("per_layer").
    Pruned weights stay zero through all later learning."""
    if method not in _PRUNE_METHODS:
        raise ValueError(f"method must be one of {sorted(_PRUNE_METHODS)}, got {method!r}")
    if scope not in _PRUNE_SCOPES:
        raise ValueError(f"scope must be one of {sorted(_PRUNE_SCOPES)}, got {scope!r}")
    return types_pb2.Command(
        prune=types_pb2.Prune(method=_PRUNE_METHODS[method], fraction=fraction, scope=_PRUNE_SCOPES[scope])
    )


def watchpoint(
    name: str, observable: str, condition: str, threshold: float = 0.0, layer: str = "", every_steps: int = 0
) -> types_pb2.Command:
    """Pause when a scalar observable is "non_finite", "above" or "below" a threshold.

    For a per-layer observable (spectral_radius, nse, kernel_alignment, weight_change, ...) name
    the layer or parameter it is measured on, e.g. ``layer="rnn0"``; it is then measured every
    ``every_steps`` steps while the watchpoint stands (0: every step, every 10 for expensive ones).
    """
    if condition not in _CONDITIONS:
        raise ValueError(f"condition must be one of {sorted(_CONDITIONS)}, got {condition!r}")
    return types_pb2.Command(
        add_watchpoint=types_pb2.AddWatchpoint(
            name=name,
            observable=observable,
            condition=_CONDITIONS[condition],
            threshold=threshold,
            layer=layer,
            every_steps=every_steps,
        )
    )


def remove_watchpoint(name: str) -> types_pb2.Command:
    """Removes the watchpoint of that name (see watchpoint())."""
    return types_pb2.Command(remove_watchpoint=types_pb2.RemoveWatchpoint(name=name))
