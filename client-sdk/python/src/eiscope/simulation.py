"""A simulation's state as a small dataclass, and the result of a control command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eiscope._enums import short_name
from eiscope._proto import types_pb2
from eiscope.values import component_to_dict


@dataclass(frozen=True)
class Simulation:
    """One simulation as the server last reported it.

    Attributes:
        state: "PAUSED", "RUNNING", "QUEUED", "FINISHED", "DIVERGED", "FAILED" or "STOPPED".
            QUEUED: told to play, step or run until while the server plays as many runs as it
            may (its --workers); it starts, first come first served, when a playing run pauses
            or ends.
        queue_position: while QUEUED, 1 for the run that starts next, 2 for the one after; else 0.
        step: number of learning-rule updates applied so far.
        parameters: parameter name -> shape, e.g. {"layer0.W": (64, 784)} ([n_out, n_in]).
        effective_matrices: the effective signed matrices the server computes from the
            parameters, name -> shape: an E/I layer's "layer0" (DANN: Wex - Wei Wix; column
            E/I: W_pos D), a recurrent cell's "rnn0" and its input map "rnn0.input"; empty for
            networks without any. Client.parameters() reads them by these names too.
        latest_scalars: latest value of each scalar observable, e.g. {"loss": 0.41}.
        parent_id, fork_step: the simulation this one was forked from ("" if none) and when.
        member: in a cluster, the member that trains the run (host:port); "" on one server.
        current_learning_rule: the rule now in use (steering may have changed it), as a dict.
        initial_parameter_names: the parameters whose initial values were given to create()
            (initial_parameters; the values themselves are not echoed), sorted.
        tags, notes: what the user keeps about the run (Client.update_run()).
        preset: the preset it was created from ("" for a custom spec).
        recorded_step: the last step whose scalars are in the run record (it may trail `step`
            by a fraction of a second); merged_samples: samples the recorder had to merge
            because the disk could not keep up (0: none lost).
        owner: who the run belongs to: the owner of the token that created it ("" on a
            server without authentication).
        spec: the proto SimulationSpec; `model`, `learning_rule`, `task` are it as dicts.
        proto: the proto Simulation message.
    """

    id: str
    name: str
    state: str
    step: int
    status_message: str
    created_unix_millis: int
    parameters: dict[str, tuple[int, ...]]
    latest_scalars: dict[str, float]
    layers: list[str]
    seed: int
    model: dict[str, Any]
    learning_rule: dict[str, Any]
    task: dict[str, Any]
    parent_id: str
    fork_step: int
    current_learning_rule: dict[str, Any]
    initial_parameter_names: list[str]
    tags: list[str]
    notes: str
    preset: str
    recorded_step: int
    merged_samples: int
    owner: str
    effective_matrices: dict[str, tuple[int, ...]]
    queue_position: int
    member: str
    spec: Any = field(repr=False, compare=False)
    proto: Any = field(repr=False, compare=False)

    @staticmethod
    def from_proto(msg: types_pb2.Simulation) -> Simulation:
        """The view of an API Simulation message."""
        spec = msg.spec
        return Simulation(
            id=msg.id,
            name=spec.name,
            state=short_name(types_pb2.SimulationState, msg.state, "SIMULATION_STATE_"),
            step=msg.step,
            status_message=msg.status_message,
            created_unix_millis=msg.created_unix_millis,
            parameters={p.name: tuple(p.shape) for p in msg.parameters},
            latest_scalars=dict(msg.latest_scalars),
            layers=list(msg.layers),
            seed=spec.seed,
            model=component_to_dict(spec.model),
            learning_rule=component_to_dict(spec.learning_rule),
            task=component_to_dict(spec.task),
            parent_id=msg.parent_id,
            fork_step=msg.fork_step,
            current_learning_rule=component_to_dict(msg.learning_rule),
            initial_parameter_names=list(msg.initial_parameter_names),
            tags=list(msg.tags),
            notes=msg.notes,
            preset=msg.preset,
            recorded_step=msg.recorded_step,
            merged_samples=msg.merged_samples,
            owner=msg.owner,
            effective_matrices={m.name: tuple(m.shape) for m in msg.effective_matrices},
            queue_position=msg.queue_position,
            member=msg.member,
            spec=spec,
            proto=msg,
        )


@dataclass(frozen=True)
class ControlResult:
    """What a play/pause/step/reset returned: the simulation and the step boundary at which
    the command took effect."""

    simulation: Simulation
    effective_step: int
