"""Answers of the run-record RPCs as pandas DataFrames and small dataclasses.

History travels columnar and packed (record.proto `Series`: steps int64, values float64 and
wall times int64, little-endian); it is decoded with numpy in one pass per series, never per
point.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eiscope._enums import short_name
from eiscope._proto import record_pb2, service_pb2, types_pb2
from eiscope.simulation import Simulation

#: Columns of Client.history(), in order. `layer` is "" for network-wide observables.
HISTORY_COLUMNS = ("run", "step", "wall_time", "observable", "layer", "value")
#: Columns of Client.events(), in order.
EVENT_COLUMNS = ("step", "wall_time", "kind", "state", "message")
#: The first columns of Client.runs(); the spec's components follow as "model.kind",
#: "model.hidden", "learning_rule.learning_rate", ..., then "latest.loss", ...
RUN_COLUMNS = (
    "id",
    "name",
    "state",
    "step",
    "recorded_step",
    "created",
    "parent_id",
    "fork_step",
    "preset",
    "tags",
    "notes",
    "owner",
    "current_learning_rule",
    "status_message",
    "merged_samples",
    "seed",
    "batch_size",
    "eval_every_steps",
    "step_budget",
)


def _utc(nanos: np.ndarray) -> pd.DatetimeIndex:
    return pd.to_datetime(np.asarray(nanos, dtype=np.int64), unit="ns", utc=True)


def _series_arrays(series: record_pb2.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(steps int64, values float64, wall nanos int64) of one series; ValueError if the three
    byte strings do not hold the same number of points."""
    steps = np.frombuffer(series.steps, dtype="<i8")
    values = np.frombuffer(series.values, dtype="<f8")
    walls = np.frombuffer(series.wall_times_unix_nanos, dtype="<i8")
    if not len(steps) == len(values) == len(walls):
        raise ValueError(
            f"series {series.observable}@{series.layer}: {len(steps)} steps, "
            f"{len(values)} values and {len(walls)} wall times"
        )
    return steps, values, walls


def history_frame(answers: Sequence[tuple[str, service_pb2.GetHistoryResponse]]) -> pd.DataFrame:
    """One tidy frame of every series of every (run id, GetHistory answer), in the server's
    order (by series, then ascending step).

    attrs: ``last_step`` and ``merged_samples`` by run, ``downsampled`` (True if any series is
    a downsampled view: per bucket its first, smallest, largest and last point).
    """
    labels: list[tuple[str, str, str]] = []
    steps: list[np.ndarray] = []
    values: list[np.ndarray] = []
    walls: list[np.ndarray] = []
    counts: list[int] = []
    last_step: dict[str, int] = {}
    merged_samples: dict[str, int] = {}
    downsampled = False
    for run, answer in answers:
        last_step[run] = int(answer.last_step)
        merged_samples.setdefault(run, 0)
        for series in answer.series:
            s, v, w = _series_arrays(series)
            labels.append((run, series.observable, series.layer))
            steps.append(s)
            values.append(v)
            walls.append(w)
            counts.append(len(s))
            downsampled |= series.downsampled
            merged_samples[run] = max(merged_samples[run], int(series.merged_samples))

    def column(i: int) -> np.ndarray:
        return np.repeat(np.array([label[i] for label in labels], dtype=object), counts)

    def joined(parts: list[np.ndarray], dtype: type[np.generic]) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)

    frame = pd.DataFrame(
        {
            "run": column(0),
            "step": joined(steps, np.int64),
            "wall_time": _utc(joined(walls, np.int64)),
            "observable": column(1),
            "layer": column(2),
            "value": joined(values, np.float64),
        },
        columns=list(HISTORY_COLUMNS),
    )
    for name in ("run", "observable", "layer"):
        frame[name] = frame[name].astype(str)
    frame.attrs.update(last_step=last_step, merged_samples=merged_samples, downsampled=downsampled)
    return frame


def runs_frame(simulations: Iterable[Simulation]) -> pd.DataFrame:
    """One row per simulation: RUN_COLUMNS, then its spec's components flattened as
    "<component>.<parameter>" (kind included), then its latest scalars as "latest.<name>".
    A parameter that a run's component lacks is NaN in its row."""
    rows = []
    for sim in simulations:
        spec = sim.spec
        row = {
            "id": sim.id,
            "name": sim.name,
            "state": sim.state,
            "step": sim.step,
            "recorded_step": sim.recorded_step,
            "created": sim.created_unix_millis,
            "parent_id": sim.parent_id,
            "fork_step": sim.fork_step,
            "preset": sim.preset,
            "tags": list(sim.tags),
            "notes": sim.notes,
            "owner": sim.owner,
            "current_learning_rule": sim.current_learning_rule.get("kind", ""),
            "status_message": sim.status_message,
            "merged_samples": sim.merged_samples,
            "seed": sim.seed,
            "batch_size": spec.batch_size,
            "eval_every_steps": spec.eval_every_steps,
            "step_budget": spec.step_budget,
        }
        for role in ("model", "learning_rule", "task"):
            row.update({f"{role}.{k}": v for k, v in getattr(sim, role).items()})
        row.update({f"latest.{k}": v for k, v in sorted(sim.latest_scalars.items())})
        rows.append(row)
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(RUN_COLUMNS))
    frame["created"] = _utc(frame["created"].to_numpy(dtype=np.int64) * 1_000_000)
    return frame


def events_frame(events: Iterable[record_pb2.RecordedEvent]) -> pd.DataFrame:
    """Recorded events, in order: kind "state" or "intervention", state e.g. "PAUSED"."""
    events = list(events)
    frame = pd.DataFrame(
        {
            "step": np.array([e.step for e in events], dtype=np.int64),
            "wall_time": _utc(np.array([e.wall_time_unix_nanos for e in events], dtype=np.int64)),
            "kind": np.array([e.kind for e in events], dtype=object),
            "state": np.array(
                [short_name(types_pb2.SimulationState, e.state, "SIMULATION_STATE_") for e in events],
                dtype=object,
            ),
            "message": np.array([e.message for e in events], dtype=object),
        },
        columns=list(EVENT_COLUMNS),
    )
    for name in ("kind", "state", "message"):
        frame[name] = frame[name].astype(str)
    return frame


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint of a run's full state, kept as a .npz file in the server's data directory.

    Attributes:
        step: the step it holds.
        created: when it was written (UTC).
        sha256: hex SHA-256 of the file, which the server checks before using it.
        pinned: kept whatever the retention (the last few plus every pinned one are kept).
        reason: why it was taken: "interval", "pause", "shutdown", "request" or "time travel"
            (saved at a past step).
    """

    step: int
    created: _dt.datetime
    size_bytes: int
    sha256: str
    pinned: bool
    reason: str

    @staticmethod
    def from_proto(msg: record_pb2.CheckpointInfo) -> Checkpoint:
        """The view of an API CheckpointInfo message."""
        created = _dt.datetime.fromtimestamp(msg.created_unix_millis / 1000, tz=_dt.timezone.utc)
        return Checkpoint(msg.step, created, msg.size_bytes, msg.sha256, msg.pinned, msg.reason)
