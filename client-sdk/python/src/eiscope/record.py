"""The run record from Python: history, latest values, events, names and tags, checkpoints and
exports (CSV, Parquet, TensorBoard), as methods of Client.

Every run the server holds is recorded in its data directory: every scalar (loss, accuracy,
held-out evaluations, per-layer scalars such as the NSE of layer0.W when measured), every
state change and intervention, and checkpoints of the full state. These calls read it::

    df = client.history(sim.id, observables=["loss"])       # tidy DataFrame
    df.pivot_table(index="step", columns="observable", values="value")
    client.runs()                                           # one row per run, spec flattened
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional, Protocol, Union

import numpy as np
import pandas as pd

from eiscope._proto import service_pb2
from eiscope._rpc import Calls
from eiscope.frames import tensor_to_array
from eiscope.simulation import Simulation
from eiscope.tables import Checkpoint, events_frame, history_frame, runs_frame

RunIds = Union[str, Simulation, Iterable[Union[str, Simulation]]]
PathLike = Union[str, "os.PathLike[str]"]
_EPOCH = pd.Timestamp(0, tz="UTC")
#: What the API reference documents of this module: Client's methods come from this class.
__all__ = ["RunRecordCalls"]


def run_ids(runs: RunIds) -> list[str]:
    """The ids of one run or of several: an id, a Simulation, or an iterable of either (a list,
    the ``id`` column of Client.runs())."""
    if isinstance(runs, (str, Simulation)):
        runs = [runs]
    return [r.id if isinstance(r, Simulation) else str(r) for r in runs]


def as_names(values: Optional[Union[str, Iterable[str]]]) -> list[str]:
    """A list of names from None (none), one name, or an iterable of names."""
    if values is None:
        return []
    return [values] if isinstance(values, str) else [str(v) for v in values]


class _Lists(Protocol):
    def list(self) -> list[Simulation]: ...


class RunRecordCalls(Calls):
    """The run-record methods of Client (which supplies ``list``)."""

    def history(
        self,
        id: RunIds,
        observables: Optional[Iterable[str]] = None,
        layers: Optional[Iterable[str]] = None,
        from_step: int = 0,
        to_step: int = 0,
        max_points: int = 0,
    ) -> pd.DataFrame:
        """The recorded scalars of one run or several, as a tidy DataFrame.

        Columns: ``run`` (the id), ``step`` (int64), ``wall_time`` (datetime64[ns, UTC]),
        ``observable`` ("loss", "test_accuracy", "nse", ...), ``layer`` ("" for network-wide
        observables, else e.g. "layer0.W") and ``value`` (float64), one row per point, by
        series then ascending step. `observables` / `layers` None: every recorded one
        (network-wide observables are always included). Steps are inclusive; `to_step` 0:
        up to the last recorded step. `max_points` > 0 (at least 4) downsamples each series
        on the server to about that many points, keeping per bucket of steps its first,
        smallest, largest and last value, so extremes survive. ``frame.attrs`` holds
        ``downsampled``, and ``last_step`` and ``merged_samples`` (samples the recorder had to
        merge because the disk could not keep up; 0: nothing lost) by run.
        """
        answers = []
        for run in run_ids(id):
            request = service_pb2.GetHistoryRequest(
                id=run,
                observables=as_names(observables),
                layers=as_names(layers),
                from_step=from_step,
                to_step=to_step,
                max_points=max_points,
            )
            answers.append((run, self._call(self._stub.GetHistory, request)))
        return history_frame(answers)

    def runs(self: _Lists) -> pd.DataFrame:
        """Every run the server holds, one row each, as ``wandb.Api().runs`` users expect.

        Columns: id, name, state, step, recorded_step, created (datetime, UTC), parent_id,
        fork_step, preset, tags (list), notes, owner, current_learning_rule (the rule's kind now,
        after any switch), status_message, merged_samples, seed, batch_size, eval_every_steps,
        step_budget; then the spec flattened: ``model.kind``, ``model.hidden``,
        ``learning_rule.kind``, ``learning_rule.learning_rate``, ``task.kind``, ...; then the
        latest scalars: ``latest.loss``, ``latest.test_accuracy``, ...
        """
        return runs_frame(self.list())

    def latest(self, id: str, observables: Optional[Iterable[str]] = None) -> dict[str, float]:
        """The latest value of each scalar observable, without opening a stream: network-wide
        ones by name ("loss"), per-layer ones as "observable@layer" ("nse@layer0.W")."""
        request = service_pb2.GetLatestRequest(id=id, observables=as_names(observables))
        return dict(self._call(self._stub.GetLatest, request).values)

    def events(self, id: str, from_step: int = 0, to_step: int = 0) -> pd.DataFrame:
        """Recorded state changes and interventions, in order: columns step, wall_time, kind
        ("state" or "intervention"), state (e.g. "PAUSED") and message. `to_step` 0: no limit."""
        request = service_pb2.GetEventsRequest(id=id, from_step=from_step, to_step=to_step)
        return events_frame(self._call(self._stub.GetEvents, request).events)

    def update_run(
        self,
        id: str,
        name: Optional[str] = None,
        tags: Optional[Iterable[str]] = None,
        notes: Optional[str] = None,
    ) -> Simulation:
        """Renames, tags or annotates a run; None leaves a field as it is. `tags` replaces the
        tags (each 1..64 characters, no commas); ``tags=[]`` removes them all."""
        request = service_pb2.UpdateRunRequest(id=id)
        if name is not None:
            request.name = name
        if notes is not None:
            request.notes = notes
        if tags is not None:
            request.tags.extend(as_names(tags))
            request.clear_tags = not request.tags
        return Simulation.from_proto(self._call(self._stub.UpdateRun, request).simulation)

    # -- checkpoints -----------------------------------------------------------------------

    def checkpoints(self, id: str) -> list[Checkpoint]:
        """The checkpoints kept for a run, oldest first (``pd.DataFrame(...)`` tabulates them)."""
        request = service_pb2.ListCheckpointsRequest(id=id)
        return [Checkpoint.from_proto(c) for c in self._call(self._stub.ListCheckpoints, request).checkpoints]

    def save_checkpoint(self, id: str, pin: bool = False, step: Optional[int] = None) -> Checkpoint:
        """Takes a checkpoint of the full state at the next step boundary and returns once it is
        on disk; `pin` keeps it whatever the retention.

        With `step`, a past step the run passed: the state it held there, rebuilt and saved
        pinned (`pin` is implied; a checkpoint already there is pinned, not rewritten), so that
        later time travel near it replays less. OutOfRangeError if the run is not past it."""
        request = service_pb2.SaveCheckpointRequest(id=id, pin=pin)
        if step is not None:
            request.step = step
        return Checkpoint.from_proto(self._call(self._stub.SaveCheckpoint, request).checkpoint)

    def pin_checkpoint(self, id: str, step: int, pinned: bool = True) -> Checkpoint:
        """Keeps the checkpoint at `step` whatever the retention (pinned=False releases it)."""
        request = service_pb2.PinCheckpointRequest(id=id, step=step, pinned=pinned)
        return Checkpoint.from_proto(self._call(self._stub.PinCheckpoint, request).checkpoint)

    def checkpoint(
        self, id: str, step: Optional[int] = None, names: Optional[Iterable[str]] = None
    ) -> dict[str, np.ndarray]:
        """The parameters stored in the checkpoint at `step` (None: the newest one), as
        name -> float32 array, like parameters(); `names` restricts them (None: all).
        NotFoundError names the steps that have one."""
        response = self._call(
            self._stub.GetCheckpoint, _checkpoint_request(id, step, as_names(names), include_npz=False)
        )
        return {p.name: tensor_to_array(p.tensor) for p in response.parameters}

    def checkpoint_npz(self, id: str, step: Optional[int] = None, path: Optional[PathLike] = None) -> bytes:
        """The checkpoint at `step` (None: the newest) as the .npz file the server keeps: what
        ``numpy.load`` reads, parameters under "param/<name>" (e.g. "param/layer0.W") beside
        the rest of the state. Also written to `path` when given."""
        response = self._call(self._stub.GetCheckpoint, _checkpoint_request(id, step, [], include_npz=True))
        if path is not None:
            Path(path).write_bytes(response.npz)
        return response.npz

    # -- exports ---------------------------------------------------------------------------

    def export_csv(self, id: RunIds, path: PathLike, **history: Any) -> pd.DataFrame:
        """Writes history(id, **history) to `path` as CSV (no index; wall_time in ISO 8601
        with nanoseconds) and returns the frame written. Read it back with
        ``pd.read_csv(path, keep_default_na=False, parse_dates=["wall_time"])`` so that the
        empty layer of network-wide observables stays ""."""
        frame = self.history(id, **history)
        frame.to_csv(path, index=False)
        return frame

    def export_parquet(self, id: RunIds, path: PathLike, **history: Any) -> pd.DataFrame:
        """Writes history(id, **history) to `path` as Parquet (pyarrow) and returns the frame
        written; ``pd.read_parquet(path)`` gives it back."""
        frame = self.history(id, **history)
        frame.to_parquet(path, index=False)
        return frame

    def export_tensorboard(self, id: RunIds, logdir: PathLike, **history: Any) -> pd.DataFrame:
        """Writes history(id, **history) as TensorBoard event files, so that
        ``tensorboard --logdir LOGDIR`` shows it, and returns the frame written.

        One run goes into `logdir` itself; several go into one sub-directory each, named by
        run id. Tags are the observable for network-wide scalars ("loss") and
        "observable/layer" for per-layer ones ("nse/layer0.W"), each point at its step and
        wall time. TensorBoard stores scalars as float32.
        """
        ids = run_ids(id)
        frame = self.history(ids, **history)
        several = not isinstance(id, (str, Simulation))
        for run in ids:
            directory = Path(logdir) / run if several else Path(logdir)
            write_tensorboard(frame[frame["run"] == run], directory)
        return frame


def _checkpoint_request(
    id: str, step: Optional[int], wanted: list[str], include_npz: bool
) -> service_pb2.GetCheckpointRequest:
    return service_pb2.GetCheckpointRequest(
        id=id, step=step or 0, latest=step is None, names=wanted, include_npz=include_npz
    )


def write_tensorboard(frame: pd.DataFrame, logdir: PathLike) -> None:
    """Writes the scalars of a history frame (one run) as TensorBoard events into `logdir`,
    with tensorboardX's SummaryWriter (imported only here)."""
    from tensorboardX import SummaryWriter

    writer = SummaryWriter(logdir=str(logdir))
    try:
        for (observable, layer), series in frame.groupby(["observable", "layer"], sort=False):
            tag = f"{observable}/{layer}" if layer else observable
            wall_s = (series["wall_time"] - _EPOCH) / pd.Timedelta(seconds=1)
            for step, value, wall in zip(series["step"].tolist(), series["value"].tolist(), wall_s.tolist()):
                writer.add_scalar(tag, value, global_step=step, walltime=wall)
    finally:
        writer.close()
