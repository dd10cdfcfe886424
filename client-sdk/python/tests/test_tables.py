"""Decoding of run-record answers into DataFrames, and TensorBoard tags, without a server."""

import numpy as np
import pytest

from eiscope._proto import record_pb2, service_pb2, types_pb2
from eiscope.record import write_tensorboard
from eiscope.simulation import Simulation
from eiscope.tables import HISTORY_COLUMNS, history_frame, runs_frame

T0 = 1_700_000_000_123_456_789


def series(observable, layer, steps, values, **fields):
    steps = np.asarray(steps, dtype="<i8")
    return record_pb2.Series(
        observable=observable,
        layer=layer,
        steps=steps.tobytes(),
        values=np.asarray(values, dtype="<f8").tobytes(),
        wall_times_unix_nanos=(T0 + steps * 1000).astype("<i8").tobytes(),
        **fields,
    )


def test_history_frame_decodes_packed_little_endian_columns():
    answer = service_pb2.GetHistoryResponse(
        last_step=9,
        series=[
            series("loss", "", [1, 2, 3], [2.5, 1.25, 0.1]),
            series("nse", "layer0.W", [9], [0.3], downsampled=True, merged_samples=4),
        ],
    )
    df = history_frame([("a", answer), ("b", answer)])
    assert tuple(df.columns) == HISTORY_COLUMNS
    assert df["run"].tolist() == ["a"] * 4 + ["b"] * 4
    assert df["step"].tolist() == [1, 2, 3, 9] * 2 and df["step"].dtype == np.int64
    assert df["value"].tolist() == [2.5, 1.25, 0.1, 0.3] * 2 and df["value"].dtype == np.float64
    assert df["layer"].tolist() == ["", "", "", "layer0.W"] * 2
    assert str(df["wall_time"].dtype) == "datetime64[ns, UTC]"
    assert df["wall_time"].astype("int64").tolist()[:4] == [T0 + 1000, T0 + 2000, T0 + 3000, T0 + 9000]
    assert df.attrs == {
        "last_step": {"a": 9, "b": 9},
        "merged_samples": {"a": 4, "b": 4},
        "downsampled": True,
    }


def test_history_frame_of_nothing_has_the_columns_and_types():
    df = history_frame([("a", service_pb2.GetHistoryResponse())])
    assert df.empty and tuple(df.columns) == HISTORY_COLUMNS
    assert df["step"].dtype == np.int64 and str(df["wall_time"].dtype) == "datetime64[ns, UTC]"


def test_history_frame_refuses_columns_of_different_lengths():
    bad = series("loss", "", [1, 2], [0.5, 0.25])
    bad.values = bad.values[:8]
    with pytest.raises(ValueError, match="2 steps, 1 values"):
        history_frame([("a", service_pb2.GetHistoryResponse(series=[bad]))])


def test_runs_frame_flattens_components_into_dotted_columns():
    spec = types_pb2.SimulationSpec(name="r", seed=5, batch_size=16)
    spec.model.kind = "mlp"
    spec.model.params["hidden"].ints.values.extend([64, 32])
    spec.learning_rule.kind = "sgd"
    spec.learning_rule.params["learning_rate"].number = 0.1
    spec.task.kind = "mnist"
    msg = types_pb2.Simulation(
        id="sim-1", spec=spec, created_unix_millis=1_700_000_000_000, tags=["x"], preset="p", recorded_step=7
    )
    msg.latest_scalars["loss"] = 0.5
    row = runs_frame([Simulation.from_proto(msg)]).iloc[0]
    assert (row["model.kind"], row["model.hidden"]) == ("mlp", [64, 32])
    assert (row["learning_rule.kind"], row["learning_rule.learning_rate"]) == ("sgd", 0.1)
    assert (row["task.kind"], row["seed"], row["batch_size"]) == ("mnist", 5, 16)
    assert (row["tags"], row["preset"], row["recorded_step"]) == (["x"], "p", 7)
    assert row["latest.loss"] == 0.5 and row["created"].year == 2023
    assert runs_frame([]).empty


def test_tensorboard_tags_are_the_observable_and_observable_slash_layer(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    answer = service_pb2.GetHistoryResponse(
        series=[series("loss", "", [1, 2], [2.5, 1.25]), series("nse", "layer0.W", [2], [0.3])]
    )
    write_tensorboard(history_frame([("a", answer)]), tmp_path)
    reader = EventAccumulator(str(tmp_path), size_guidance={"scalars": 0})
    reader.Reload()
    assert sorted(reader.Tags()["scalars"]) == ["loss", "nse/layer0.W"]
    assert [(e.step, e.value) for e in reader.Scalars("loss")] == [(1, 2.5), (2, 1.25)]
    assert reader.Scalars("nse/layer0.W")[0].wall_time == pytest.approx((T0 + 2000) / 1e9)
