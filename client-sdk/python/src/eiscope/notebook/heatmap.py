"""A live heatmap of one weight matrix (or any parameter) of a run, drawn in a notebook."""

from __future__ import annotations

import threading
from typing import Optional, Union

import numpy as np
from matplotlib.figure import Figure

from eiscope._proto import service_pb2, types_pb2
from eiscope.client import Client
from eiscope.errors import EiscopeError, NotFoundError
from eiscope.frames import tensor_to_array
from eiscope.notebook._figure import LiveFigure
from eiscope.record import run_ids
from eiscope.simulation import Simulation
from eiscope.watch import Watch

#: Rows and columns drawn at most: larger matrices are pooled on the server into blocks, each
#: block drawn as its value of largest magnitude (sign kept), so no strong weight is averaged away.
DEFAULT_MAX_ROWS = 128
DEFAULT_MAX_COLS = 128
#: Reads of the parameter (and redraws) per second at most while the run moves.
DEFAULT_MAX_REDRAWS_PER_S = 2.0
#: What makes the heatmap read the parameter again: a step, a state change, a command applied
#: (a prune or a lesion changes the weights of a paused run).
_TRIGGERS = ["loss", "state", "intervention"]
#: Red for positive (excitatory) weights, blue for negative (inhibitory), white at 0.
COLORMAP = "RdBu_r"


class WeightHeatmap(LiveFigure):
    """One parameter of a run as a heatmap, post-synaptic units down, pre-synaptic units (or
    inputs) across, on a diverging colour map centred at 0 with symmetric limits; read again
    (pooled on the server) whenever the run moves or is steered. See weight_heatmap()."""

    def __init__(
        self,
        client: Client,
        run: Union[str, Simulation],
        parameter: str,
        *,
        max_rows: int = DEFAULT_MAX_ROWS,
        max_cols: int = DEFAULT_MAX_COLS,
        change_since_start: bool = False,
        max_redraws_per_s: float = DEFAULT_MAX_REDRAWS_PER_S,
    ):
        ids = run_ids(run)
        if len(ids) != 1:
            raise ValueError(f"run: one run id or Simulation, got {run!r}")
        (run_id,) = ids
        for name, value in (("max_rows", max_rows), ("max_cols", max_cols)):
            if value < 0:
                raise ValueError(f"{name} must be >= 0 (0: every row or column), got {value!r}")
        self._client = client
        self.run_id = run_id
        self.parameter = parameter
        self._request = service_pb2.GetParametersRequest(
            id=run_id,
            names=[parameter],
            max_rows=max_rows,
            max_cols=max_cols,
            change_since_start=change_since_start,
        )
        sim = client.get(run_id)
        # A wrong name raises here, in the cell, with the names the run has.
        self._values, self._full_shape, self._step = self._read()
        self._drawn_step = -1
        figure = Figure(figsize=(6.4, 4.8), layout="constrained")
        super().__init__(client, figure, max_redraws_per_s)
        self._axes = figure.add_subplot()
        self._axes.set_xlabel("pre-synaptic unit or input (column)")
        self._axes.set_ylabel("post-synaptic unit (row)")
        self._title = f"{parameter} of {sim.name or sim.id}" + (
            ", change since step 0" if change_since_start else ""
        )
        self._image = self._axes.imshow(
            self._values, cmap=COLORMAP, interpolation="nearest", aspect="auto", extent=self._extent()
        )
        partition = _partition_of(sim, parameter)
        if partition is not None:
            self._mark_blocks(partition)
        figure.colorbar(self._image, ax=self._axes, shrink=0.9)
        self._fetch = threading.Event()
        self._watch: Optional[Watch] = None
        self._start()
        self._spawn(self._follow, f"eiscope-heatmap-watch-{run_id}")
        self._spawn(self._reread, f"eiscope-heatmap-read-{run_id}")

    @property
    def values(self) -> np.ndarray:
        """A copy of the matrix drawn (float32, at most max_rows x max_cols), as GetParameters
        gave it for `step`."""
        with self._lock:
            return np.array(self._image.get_array(), dtype=np.float32)

    @property
    def step(self) -> int:
        """The step of the values drawn."""
        with self._lock:
            return self._drawn_step

    @property
    def full_shape(self) -> tuple[int, ...]:
        """The parameter's own shape (rows, columns): what the drawn blocks cover."""
        return self._full_shape

    def wait_for_step(self, step: int, timeout: float = 60.0) -> None:
        """Blocks until the values drawn are those of `step` or later; TimeoutError after
        `timeout` s or if the figure stops first."""
        self._wait_for(
            lambda: self._drawn_step >= step, timeout, f"heatmap not drawn at step {step} or later"
        )

    def _read(self) -> tuple[np.ndarray, tuple[int, ...], int]:
        """(values as rows x columns, the parameter's own shape, the step) read now, pooled on
        the server."""
        # The RPC itself rather than Client.parameters(): the answer's step and full_shape say
        # which step is drawn and what the pooled blocks cover.
        answer = self._client._call(self._client._stub.GetParameters, self._request)
        (named,) = answer.parameters
        values = tensor_to_array(named.tensor)
        if values.ndim == 1:
            values = values[np.newaxis, :]
        return values, tuple(named.full_shape) or values.shape, int(answer.step)

    def _mark_blocks(self, partition: types_pb2.EiPartition) -> None:
        """Lines between the E block and the I block of rows and of columns (E first, as the
        server orders units), and each block's unit range in the axis labels."""
        e, i = partition.excitatory_rows, partition.inhibitory_rows
        self._axes.set_ylabel(self._axes.get_ylabel() + _ranges(e, i))
        if e and i:
            self._axes.axhline(e, color="black", lw=1.2)
        e, i = partition.excitatory_cols, partition.inhibitory_cols
        self._axes.set_xlabel(self._axes.get_xlabel() + _ranges(e, i))
        if e and i:
            self._axes.axvline(e, color="black", lw=1.2)

    def _extent(self) -> tuple[float, float, float, float]:
        rows, cols = (1, *self._full_shape)[-2:]
        return (0.0, float(cols), float(rows), 0.0)  # pixels span the units they pool

    def _follow(self) -> None:
        """Asks for a read on every frame of the run's triggers, until stop() cancels the watch."""
        watch = self._client.watch(self.run_id, _TRIGGERS)
        with self._lock:
            self._watch = watch
        if self.stopped:
            watch.cancel()
        try:
            for _ in watch:
                self._fetch.set()
        except EiscopeError as e:
            self._report(str(e))
        else:
            self._ended(self.run_id, "the run")

    def _reread(self) -> None:
        """Reads the parameter when asked, at most max_redraws_per_s times a second."""
        while True:
            self._fetch.wait()
            if self.stopped:
                return
            self._fetch.clear()
            try:
                read = self._read()
            except NotFoundError:
                self._report("the run was deleted")
                return
            except EiscopeError as e:  # e.g. a deadline: the next trigger tries again
                self._report(str(e))
            else:
                with self._lock:
                    self._values, self._full_shape, self._step = read
                self._changed()
            self._stopping.wait(self._interval_s)

    def _cancel_streams(self) -> None:
        with self._lock:
            watch = self._watch
        self._fetch.set()
        if watch is not None:
            watch.cancel()

    def _update(self) -> str:
        values = self._values
        limit = float(np.nanmax(np.abs(values))) if values.size else 0.0
        limit = limit if np.isfinite(limit) and limit > 0 else 1e-12
        self._image.set_data(values)
        self._image.set_extent(self._extent())
        self._image.set_clim(-limit, limit)  # symmetric: white is 0 whatever the weights
        self._drawn_step = self._step
        shape = "x".join(map(str, self._full_shape))
        pooled = values.shape != self._full_shape[-2:] and values.shape != (1, *self._full_shape)
        blocks = f", {values.shape[0]}x{values.shape[1]} blocks (largest |w| of each)" if pooled else ""
        self._axes.set_title(f"{self._title} at step {self._step}", fontsize="medium")
        return f"{self.parameter} {shape}{blocks} at step {self._step}; colour limits +-{limit:.3g}"


def _partition_of(sim: Simulation, name: str) -> Optional[types_pb2.EiPartition]:
    """Which rows and columns of the matrix `name` are E and which I units, as the server says
    (for E/I networks' weights and effective matrices); None for matrices without E/I units."""
    msg: types_pb2.Simulation = sim.proto
    for info in (*msg.parameters, *msg.effective_matrices):
        if info.name == name and info.HasField("partition"):
            return info.partition
    return None


def _ranges(excitatory: int, inhibitory: int) -> str:
    """ ": E 0-17, I 18-19" (unit indices), or "" when the axis has no E/I units."""

    def span(first: int, count: int) -> str:
        return f"{first}" if count == 1 else f"{first}-{first + count - 1}"

    parts = ([f"E {span(0, excitatory)}"] if excitatory else []) + (
        [f"I {span(excitatory, inhibitory)}"] if inhibitory else []
    )
    return ": " + ", ".join(parts) if parts else ""
