"""Sweeps from Python: many runs of one experiment over a grid or a random sample of spec values.

A sweep's runs are ordinary runs (tagged ``sweep:<id>``, named after their values): watch, steer,
fork or read them as any other. The server plays at most `concurrency` at a time and keeps the
sweep in its run record, so it carries on after a restart::

    sweep = client.create_sweep(
        grid={"learning_rule.learning_rate": [0.01, 0.05], "seed": [1, 2, 3]},
        preset="rofk-gd", concurrency=2,
    )
    client.wait_for_sweep(sweep.id)
    results = client.sweep_results(sweep.id, ["loss", "test_accuracy"])
    results.groups     # mean ± s.e. over seeds, one row per learning rate
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pandas as pd

from eiscope._enums import short_name
from eiscope._proto import service_pb2, sweep_pb2, types_pb2
from eiscope._rpc import Calls
from eiscope.errors import DeadlineExceededError
from eiscope.values import PlainValue, from_value, to_component, to_value

#: What the API reference documents of this module: Client's methods come from SweepCalls.
__all__ = ["Range", "Sweep", "SweepCalls", "SweepPreset", "SweepResults", "SweepRun"]

_DONE_STATES = frozenset({"DONE", "CANCELLED"})


@dataclass(frozen=True)
class Range:
    """A range a random sweep draws a field from: uniform in [min, max], log-uniform with `log`
    (then min > 0), rounded to an integer with `integer`."""

    min: float
    max: float
    log: bool = False
    integer: bool = False


@dataclass(frozen=True)
class SweepRun:
    """One point of a sweep: its values by field, its run once made ("" before), the run's state
    ("" before) and step, and why it could not be made (normally "")."""

    index: int
    values: dict[str, PlainValue | None]
    run_id: str
    state: str
    step: int
    error: str


@dataclass(frozen=True)
class Sweep:
    """A sweep as the server shows it. state: "RUNNING", "PAUSED", "CANCELLED" or "DONE";
    runs: empty in sweeps() (sweep() has them)."""

    id: str
    name: str
    state: str
    concurrency: int
    total_runs: int
    started_runs: int
    playing_runs: int
    done_runs: int
    runs: builtins.list[SweepRun]
    created_unix_millis: int
    owner: str

    @staticmethod
    def from_proto(msg: sweep_pb2.Sweep) -> Sweep:
        """The view of an API Sweep message."""
        runs = [
            SweepRun(
                r.index,
                {k: from_value(v) for k, v in r.values.items()},
                r.run_id,
                "" if r.state == 0 else short_name(types_pb2.SimulationState, r.state, "SIMULATION_STATE_"),
                r.step,
                r.error,
            )
            for r in msg.runs
        ]
        return Sweep(
            msg.id,
            msg.spec.name,
            short_name(sweep_pb2.SweepState, msg.state, "SWEEP_STATE_"),
            msg.concurrency,
            msg.total_runs,
            msg.started_runs,
            msg.playing_runs,
            msg.done_runs,
            runs,
            msg.created_unix_millis,
            msg.owner,
        )


@dataclass(frozen=True)
class SweepResults:
    """A sweep's results table.

    runs: one row per run: index, run_id, state, step, error, one column per varied field, and
    per metric ``<metric>_final`` (its last recorded value) and ``<metric>_best`` (the smallest,
    or the largest for an accuracy); NaN where nothing is recorded.
    groups: one row per set of values other than the seed: those values, run_indices, and per
    metric ``<metric>_n``, ``<metric>_final_mean``, ``<metric>_final_stderr``,
    ``<metric>_best_mean``, ``<metric>_best_stderr`` (standard error: sample standard
    deviation / sqrt(n); NaN below two runs).
    """

    sweep: Sweep
    runs: pd.DataFrame
    groups: pd.DataFrame


@dataclass(frozen=True)
class SweepPreset:
    """A paper's grid as a ready sweep, from the catalogue: its base `preset` ("" when the grid
    varies the preset itself), `grid` (field -> values), the number of `runs` it makes and the
    `metrics` to read its results by. Start it with create_sweep_from_preset()."""

    name: str
    title: str
    doc: str
    citation: str
    preset: str
    grid: dict[str, builtins.list[PlainValue | None]]
    runs: int
    metrics: builtins.list[str]

    @staticmethod
    def from_proto(msg: sweep_pb2.SweepPreset) -> SweepPreset:
        """The view of an API SweepPreset message."""
        grid = {a.field: [from_value(v) for v in a.values] for a in msg.spec.axes}
        return SweepPreset(
            msg.name, msg.title, msg.doc, msg.citation, msg.spec.preset, grid, msg.runs, list(msg.metrics)
        )


def _axis(field: str, values: Any) -> sweep_pb2.SweepAxis:
    if isinstance(values, Range):
        return sweep_pb2.SweepAxis(
            field=field,
            range=sweep_pb2.SweepRange(
                min=values.min, max=values.max, log=values.log, integer=values.integer
            ),
        )
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"sweep field {field!r}: give a list of values (or a Range for a random sweep), got {values!r}"
        )
    return sweep_pb2.SweepAxis(field=field, values=[to_value(v, field) for v in values])


def _replace_axis(spec: sweep_pb2.SweepSpec, axis: sweep_pb2.SweepAxis) -> None:
    """Puts `axis` in place of the spec's axis over the same field, or last when it has none."""
    for existing in spec.axes:
        if existing.field == axis.field:
            existing.CopyFrom(axis)
            return
    spec.axes.append(axis)


class SweepCalls(Calls):
    """The sweep methods of Client."""

    def create_sweep(
        self,
        grid: Optional[Mapping[str, Any]] = None,
        random: Optional[Mapping[str, Any]] = None,
        *,
        samples: int = 0,
        sample_seed: int = 0,
        concurrency: int = 0,
        name: str = "",
        preset: Optional[str] = None,
        model: Any = None,
        learning_rule: Any = None,
        task: Any = None,
        seed: Optional[int] = None,
        batch_size: Optional[int] = None,
        eval_every_steps: Optional[int] = None,
        step_budget: Optional[int] = None,
    ) -> Sweep:
        """Starts a sweep and returns it with its points.

        Give `grid` (every combination of the lists' values; the last field varies fastest) or
        `random` (`samples` points, each field drawn from its list or Range with `sample_seed`).
        Keys are spec fields: "seed", "preset", "batch_size", "eval_every_steps",
        "step_budget", "model.kind" (and learning_rule., task.), or a component's parameter as
        in the catalogue ("learning_rule.learning_rate", "model.hidden", "task.inputs").
        The base of every run is `preset` (with `seed` and `name` overriding it) or the spec of
        model, learning_rule, task, seed, batch_size, eval_every_steps and step_budget, as in
        create(); each run needs a step budget. At most `concurrency` runs play at once (0: the
        server's cores). InvalidArgumentError names the field of any mistake.
        """
        if (grid is None) == (random is None):
            raise ValueError("give either grid= or random=")
        spec = types_pb2.SimulationSpec()
        for field_name, component in (("model", model), ("learning_rule", learning_rule), ("task", task)):
            if component is not None:
                getattr(spec, field_name).CopyFrom(to_component(component, field_name))
        for field_name, value in (
            ("seed", seed),
            ("batch_size", batch_size),
            ("eval_every_steps", eval_every_steps),
            ("step_budget", step_budget),
        ):
            if value is not None:
                setattr(spec, field_name, value)
        axes = grid if grid is not None else random
        assert axes is not None
        sweep_spec = sweep_pb2.SweepSpec(
            name=name,
            spec=spec,
            preset=preset or "",
            axes=[_axis(field, values) for field, values in axes.items()],
            mode=sweep_pb2.SWEEP_MODE_GRID if grid is not None else sweep_pb2.SWEEP_MODE_RANDOM,
            samples=samples,
            sample_seed=sample_seed,
            concurrency=concurrency,
        )
        response = self._call(self._stub.CreateSweep, sweep_pb2.CreateSweepRequest(spec=sweep_spec))
        return Sweep.from_proto(response.sweep)

    def sweep_presets(self) -> builtins.list[SweepPreset]:
        """The papers' grids the server offers as sweeps (the NSE grid over size x E:I ratio, the
        sequential-MNIST families, EG vs GD on r-of-k over sizes and learning rates, rich vs
        lazy over initial rank), as the catalogue lists them."""
        response = self._call(self._stub.GetCatalogue, service_pb2.GetCatalogueRequest())
        return [SweepPreset.from_proto(p) for p in response.sweep_presets]

    def create_sweep_from_preset(
        self,
        name: str,
        *,
        seeds: Optional[Iterable[int]] = None,
        step_budget: Optional[int] = None,
        concurrency: int = 0,
    ) -> Sweep:
        """Starts the paper's grid `name` (see sweep_presets()) as the server offers it; `seeds`
        replaces its seeds (fewer for a first look), `step_budget` gives every run that budget,
        and at most `concurrency` runs play at once (0: the server's cores). ValueError for a
        name the server does not offer, listing those it does."""
        response = self._call(self._stub.GetCatalogue, service_pb2.GetCatalogueRequest())
        offered = {p.name: p for p in response.sweep_presets}
        if name not in offered:
            raise ValueError(f"no sweep preset {name!r}; the server offers {sorted(offered)}")
        spec = sweep_pb2.SweepSpec()
        spec.CopyFrom(offered[name].spec)
        spec.concurrency = concurrency
        if seeds is not None:
            _replace_axis(spec, _axis("seed", list(seeds)))
        if step_budget is not None:
            _replace_axis(spec, _axis("step_budget", [step_budget]))
        created = self._call(self._stub.CreateSweep, sweep_pb2.CreateSweepRequest(spec=spec))
        return Sweep.from_proto(created.sweep)

    def sweep(self, sweep_id: str) -> Sweep:
        """The sweep with its points; NotFoundError for an unknown id."""
        response = self._call(self._stub.GetSweep, sweep_pb2.GetSweepRequest(sweep_id=sweep_id))
        return Sweep.from_proto(response.sweep)

    def sweeps(self) -> builtins.list[Sweep]:
        """Every sweep (that this token may see), oldest first, without their points."""
        response = self._call(self._stub.ListSweeps, sweep_pb2.ListSweepsRequest())
        return [Sweep.from_proto(s) for s in response.sweeps]

    def pause_sweep(self, sweep_id: str) -> Sweep:
        """Pauses the sweep's playing runs; no more start until resume_sweep()."""
        return self._control_sweep(sweep_id, sweep_pb2.SWEEP_ACTION_PAUSE)

    def resume_sweep(self, sweep_id: str) -> Sweep:
        """Plays a paused sweep's runs again (those paused by hand too), within its bound."""
        return self._control_sweep(sweep_id, sweep_pb2.SWEEP_ACTION_RESUME)

    def cancel_sweep(self, sweep_id: str) -> Sweep:
        """No more runs start; those made are kept (the playing ones paused)."""
        return self._control_sweep(sweep_id, sweep_pb2.SWEEP_ACTION_CANCEL)

    def _control_sweep(self, sweep_id: str, action: int) -> Sweep:
        request = sweep_pb2.ControlSweepRequest(sweep_id=sweep_id, action=action)  # type: ignore[arg-type]
        return Sweep.from_proto(self._call(self._stub.ControlSweep, request).sweep)

    def wait_for_sweep(self, sweep_id: str, timeout: float = 600.0, poll_s: float = 0.2) -> Sweep:
        """Polls sweep() until it is DONE or CANCELLED; DeadlineExceededError after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.sweep(sweep_id)
            if s.state in _DONE_STATES:
                return s
            if time.monotonic() > deadline:
                raise DeadlineExceededError(
                    "DEADLINE_EXCEEDED",
                    f"sweep {sweep_id} is still {s.state} after {timeout} s "
                    f"({s.done_runs}/{s.total_runs} runs done)",
                )
            time.sleep(poll_s)

    def sweep_results(self, sweep_id: str, metrics: Optional[Iterable[str]] = None) -> SweepResults:
        """Per run and per group of seeds, the final and best value of `metrics` (scalar
        observables such as "loss", "test_accuracy", or "nse@layer0.W"; None: loss and
        accuracy); see SweepResults."""
        request = sweep_pb2.GetSweepResultsRequest(sweep_id=sweep_id, metrics=list(metrics or []))
        response = self._call(self._stub.GetSweepResults, request)
        sweep = Sweep.from_proto(response.sweep)
        fields = [a.field for a in response.sweep.spec.axes]
        rows = []
        for r, result in zip(sweep.runs, response.runs):
            row: dict[str, Any] = {
                "index": r.index,
                "run_id": r.run_id,
                "state": r.state,
                "step": r.step,
                "error": r.error,
            }
            row.update({f: r.values.get(f) for f in fields})
            for m in result.metrics:
                row[f"{m.name}_final"] = m.final
                row[f"{m.name}_best"] = m.best
            rows.append(row)
        groups = []
        for g in response.groups:
            row = {f: from_value(g.values[f]) for f in fields if f in g.values}
            row["run_indices"] = list(g.run_indices)
            for a in g.metrics:
                row[f"{a.name}_n"] = a.n
                row[f"{a.name}_final_mean"] = a.final_mean
                row[f"{a.name}_final_stderr"] = a.final_stderr
                row[f"{a.name}_best_mean"] = a.best_mean
                row[f"{a.name}_best_stderr"] = a.best_stderr
            groups.append(row)
        return SweepResults(sweep, pd.DataFrame(rows), pd.DataFrame(groups))
