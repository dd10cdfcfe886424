"""Live learning curves of one run or several, drawn in a notebook and updated from watches."""

from __future__ import annotations

import builtins
import functools
from typing import Optional

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from eiscope.client import Client
from eiscope.errors import EiscopeError, NotFoundError
from eiscope.notebook._figure import LiveFigure
from eiscope.notebook._series import ema, thin
from eiscope.record import RunIds, run_ids
from eiscope.simulation import Simulation
from eiscope.watch import Watch

#: Points drawn per curve (about): history is read downsampled to this many, live points are
#: thinned back to it once a curve holds twice as many (redraws cost about linearly in points).
DEFAULT_MAX_POINTS = 1000
#: Redraws per second at most, however fast frames arrive.
DEFAULT_MAX_REDRAWS_PER_S = 5.0
#: Forks of forks are followed back at most this far for the curve before the fork.
_MAX_ANCESTORS = 64


class _Curve:
    """One run's points: its ancestors' up to the fork step (a fork continues its parent's
    curve), then its own as recorded and streamed. Changed only under the figure's lock."""

    def __init__(self, sim: Simulation, label: str, prefix: tuple[np.ndarray, np.ndarray]):
        self.run_id = sim.id
        self.label = label
        self.prefix = prefix
        self.steps = np.empty(0, np.int64)
        self.values = np.empty(0, np.float64)
        self._new_steps: list[int] = []
        self._new_values: list[float] = []
        self.merged_frames = 0
        self.drawn_to_step = -1
        self.watch: Optional[Watch] = None
        self.line: Optional[Line2D] = None
        self.smoothed: Optional[Line2D] = None

    def add(self, step: int, value: float) -> None:
        last = self._new_steps[-1] if self._new_steps else (int(self.steps[-1]) if len(self.steps) else -1)
        if step <= last:  # the run was reset: its curve starts again from there
            self._merge()
            keep = self.steps < step
            self.steps, self.values = self.steps[keep], self.values[keep]
        self._new_steps.append(step)
        self._new_values.append(value)

    def points(self, max_points: int) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) to draw: the prefix, then the own points, thinned when too many."""
        self._merge()
        if len(self.steps) > 2 * max_points:
            self.steps, self.values = thin(self.steps, self.values, max_points)
        return np.concatenate([self.prefix[0], self.steps]), np.concatenate([self.prefix[1], self.values])

    def _merge(self) -> None:
        if self._new_steps:
            self.steps = np.concatenate([self.steps, np.asarray(self._new_steps, np.int64)])
            self.values = np.concatenate([self.values, np.asarray(self._new_values, np.float64)])
            self._new_steps, self._new_values = [], []


class LiveCurves(LiveFigure):
    """A scalar of one run or several (loss, accuracy, or a per-layer scalar such as the NSE of
    a weight matrix), one line per run with a legend, first its whole recorded history, then
    live. See live_curves(), which builds it."""

    def __init__(
        self,
        client: Client,
        runs: RunIds,
        scalar: str = "loss",
        smoothing: float = 0.0,
        *,
        layer: str = "",
        log_y: bool = False,
        max_points: int = DEFAULT_MAX_POINTS,
        max_redraws_per_s: float = DEFAULT_MAX_REDRAWS_PER_S,
    ):
        ids = list(dict.fromkeys(run_ids(runs)))  # a run named twice is drawn once
        if not ids:
            raise ValueError("runs: give at least one run id (or Simulation)")
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1) (TensorBoard's slider), got {smoothing!r}")
        if max_points < 4:
            raise ValueError(f"max_points must be >= 4, got {max_points!r}")
        _check_scalar(client, scalar, layer)
        self._client = client
        self.scalar = scalar
        self.layer = layer
        self.smoothing = smoothing
        self._max_points = max_points
        sims = [client.get(i) for i in ids]  # NotFoundError here, in the cell, for a bad id
        history = client.history(
            ids, observables=[scalar], layers=[layer] if layer else None, max_points=max_points
        )
        last_steps: dict[str, int] = history.attrs["last_step"]
        history = history[history["layer"] == layer]
        figure = Figure(figsize=(7.5, 3.6), layout="constrained")
        super().__init__(client, figure, max_redraws_per_s)
        self._axes = figure.add_subplot()
        self._axes.set_xlabel("step")
        self._axes.set_ylabel(f"{scalar} ({layer})" if layer else scalar)
        if log_y:
            self._axes.set_yscale("log")
        self._axes.grid(alpha=0.3)
        self._curves: dict[str, _Curve] = {}
        for i, (sim, label) in enumerate(zip(sims, _labels(sims))):
            curve = _Curve(sim, label, self._before_fork(sim))
            own = history[history["run"] == sim.id]
            for step, value in zip(own["step"].tolist(), own["value"].tolist()):
                curve.add(int(step), float(value))
            color = f"C{i % 10}"
            (curve.line,) = self._axes.plot([], [], color=color, lw=1.0, alpha=0.3 if smoothing else 1.0)
            if smoothing:
                (curve.smoothed,) = self._axes.plot([], [], color=color, lw=1.6)
            (curve.smoothed or curve.line).set_label(label)
            self._curves[sim.id] = curve
        self._axes.legend(loc="upper right", fontsize="small")
        self._start()
        for sim in sims:  # the record so far is drawn; the watch goes on from the step after it
            from_step = int(last_steps.get(sim.id, 0)) + 1
            self._spawn(
                functools.partial(self._follow, self._curves[sim.id], from_step), f"eiscope-watch-{sim.id}"
            )

    @property
    def runs(self) -> builtins.list[str]:
        """The ids of the runs drawn, in legend order."""
        return list(self._curves)

    def line(self, run: str) -> Line2D:
        """The line drawn for `run` (an id): its points, unsmoothed (faint when smoothing is on).
        ``line.get_xdata()`` are steps, ``get_ydata()`` the values recorded at those steps."""
        line = self._curves[run].line
        assert line is not None  # set in __init__
        return line

    def smoothed_line(self, run: str) -> Optional[Line2D]:
        """The smoothed line of `run` (an id), or None when smoothing is 0."""
        return self._curves[run].smoothed

    def wait_for_step(self, step: int, timeout: float = 60.0) -> None:
        """Blocks until every run's curve is drawn up to `step` at least; TimeoutError (saying
        how far each got) after `timeout` s or if the figure stops first."""
        self._wait_for(
            lambda: all(c.drawn_to_step >= step for c in self._curves.values()),
            timeout,
            f"curves not drawn up to step {step} ({self._drawn_steps()})",
        )

    def _drawn_steps(self) -> str:
        return ", ".join(f"{c.label}: {c.drawn_to_step}" for c in self._curves.values())

    def _before_fork(self, sim: Simulation) -> tuple[np.ndarray, np.ndarray]:
        """The points of the run's ancestors up to where it was forked (forks of forks too),
        oldest first; empty for a run that is no fork or whose parent was deleted."""
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        parent_id, to_step = sim.parent_id, sim.fork_step
        while parent_id and to_step > 0 and len(parts) < _MAX_ANCESTORS:
            try:
                parent = self._client.get(parent_id)
            except NotFoundError:
                break
            layers = [self.layer] if self.layer else None
            frame = self._client.history(
                parent_id, [self.scalar], layers, to_step=to_step, max_points=self._max_points
            )
            frame = frame[(frame["layer"] == self.layer) & (frame["step"] <= to_step)]
            parts.append((frame["step"].to_numpy(np.int64), frame["value"].to_numpy(np.float64)))
            parent_id, to_step = parent.parent_id, min(parent.fork_step, to_step)
        parts.reverse()
        steps = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
        values = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.float64)
        return steps, values

    def _follow(self, curve: _Curve, from_step: int) -> None:
        """Appends the run's frames of the scalar to its curve until stop() cancels the watch."""
        layers = [self.layer] if self.layer else None
        watch = self._client.watch(curve.run_id, [self.scalar], layers, from_step=from_step)
        with self._lock:
            curve.watch = watch
        if self.stopped:  # stop() came before the watch was there to cancel
            watch.cancel()
        try:
            for frame in watch:
                if frame.kind == "scalar" and frame.observable == self.scalar and frame.layer == self.layer:
                    with self._lock:
                        curve.add(frame.step, float(frame.value))
                        curve.merged_frames += frame.merged_count > 1
                    self._changed()
        except EiscopeError as e:
            self._report(f"{curve.label}: {e}")
        else:
            self._ended(curve.run_id, curve.label)

    def _cancel_streams(self) -> None:
        with self._lock:
            watches = [c.watch for c in self._curves.values() if c.watch is not None]
        for watch in watches:
            watch.cancel()

    def _update(self) -> str:
        for curve in self._curves.values():
            steps, values = curve.points(self._max_points)
            assert curve.line is not None
            curve.line.set_data(steps, values)
            if curve.smoothed is not None:
                curve.smoothed.set_data(steps, ema(values, self.smoothing))
            curve.drawn_to_step = int(steps[-1]) if len(steps) else -1
        self._axes.relim()
        self._axes.autoscale_view()  # keeps a zoom: zooming in the page turns autoscaling off
        merged = sum(c.merged_frames for c in self._curves.values())
        note = f"; {merged} live points stand for several steps (merged by the server)" if merged else ""
        return f"{self.scalar} up to step {max(c.drawn_to_step for c in self._curves.values())}{note}"


def _check_scalar(client: Client, scalar: str, layer: str) -> None:
    """ValueError naming the choices unless `scalar` is a scalar observable that `layer` fits."""
    observables = client.catalogue().observables
    scalars = sorted(name for name, o in observables.items() if o.kind == "SCALAR")
    if scalar not in scalars:
        raise ValueError(f"scalar {scalar!r} is not a scalar observable; the catalogue has {scalars}")
    if observables[scalar].per_layer and not layer:
        raise ValueError(f"{scalar!r} is measured per layer: pass layer=, e.g. layer='layer0.W'")
    if layer and not observables[scalar].per_layer:
        raise ValueError(f"{scalar!r} is network-wide: leave layer= out (it was {layer!r})")


def _labels(sims: list[Simulation]) -> list[str]:
    """A legend label per run: its name, or its id; the id is added where names repeat."""
    names = [s.name or s.id for s in sims]
    return [n if names.count(n) == 1 or n == s.id else f"{n} ({s.id})" for n, s in zip(names, sims)]
