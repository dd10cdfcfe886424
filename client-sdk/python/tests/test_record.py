"""The run record through the SDK, against a live server: history as a DataFrame (checked
against the frames a live watch delivered while the run trained), runs(), latest values,
events, checkpoints, exports (Parquet, CSV, TensorBoard read back with tensorboard's own
reader) and their error paths."""

import io

import numpy as np
import pandas as pd
import pytest

import eiscope

STEPS = 300


@pytest.fixture(scope="module")
def trained(client):
    """An MLP trained STEPS steps, paused, and the loss of every step as a live watch saw it
    while it trained: (simulation, {step: loss})."""
    sim = client.create(
        model={"kind": "mlp", "hidden": [32]},
        learning_rule={"kind": "sgd", "learning_rate": 0.05},
        task={"kind": "fashion_mnist"},
        batch_size=32,
        seed=3,
        name="record",
    )
    live, started = {}, False
    with client.watch(sim.id, observables=["loss", "state"], timeout=60) as frames:
        for frame in frames:  # first the current state: the watch stands, then step
            if not started:
                client.step(sim.id, STEPS)
                started = True
            if frame.observable == "loss":
                assert frame.merged_count == 1
                live[frame.step] = frame.value
            if frame.step == STEPS and frame.observable == "state" and frame.value[0] == "PAUSED":
                break
    yield client.get(sim.id), live
    client.delete(sim.id)


def test_history_of_a_run_trained_300_steps_has_each_loss_the_live_watch_saw(client, trained):
    sim, live = trained
    df = client.history(sim.id, observables=["loss"])
    assert list(df.columns) == ["run", "step", "wall_time", "observable", "layer", "value"]
    assert str(df["step"].dtype) == "int64" and str(df["value"].dtype) == "float64"
    assert str(df["wall_time"].dtype) == "datetime64[ns, UTC]"
    assert (df["run"] == sim.id).all() and (df["observable"] == "loss").all()
    assert (df["layer"] == "").all()
    assert df["step"].tolist() == list(range(1, STEPS + 1))
    assert df["value"].tolist() == [live[s] for s in range(1, STEPS + 1)]
    assert df["wall_time"].is_monotonic_increasing
    assert df.attrs["downsampled"] is False
    assert df.attrs["merged_samples"] == {sim.id: 0}
    assert df.attrs["last_step"] == {sim.id: STEPS}


def test_history_equals_what_watch_from_step_0_delivers_and_the_watch_ends(client, trained):
    sim, _ = trained
    frames = list(
        client.watch(sim.id, observables=["loss"], from_step=0, until_paused=True, timeout=30)
    )  # DeadlineExceededError if it did not end by itself
    assert {f.observable for f in frames} == {"loss"}  # the state events it ended on: hidden
    df = client.history(sim.id, observables=["loss"])
    assert [f.step for f in frames] == df["step"].tolist()
    assert [f.value for f in frames] == df["value"].tolist()
    assert [f.wall_time_unix_nanos for f in frames] == df["wall_time"].astype("int64").tolist()


def test_downsampled_history_keeps_the_extremes_of_the_full_series(client, trained):
    sim, _ = trained
    full = client.history(sim.id, observables=["loss"])
    small = client.history(sim.id, observables=["loss"], max_points=40)
    assert small.attrs["downsampled"] is True
    assert 4 <= len(small) <= 40
    assert small["value"].min() == full["value"].min()
    assert small["value"].max() == full["value"].max()
    by_step = full.set_index("step")["value"]
    assert small["step"].is_monotonic_increasing
    assert (small["value"].to_numpy() == by_step.loc[small["step"]].to_numpy()).all()


def test_history_of_several_runs_has_one_run_column(client, trained, make_mlp):
    sim, _ = trained
    other = make_mlp()
    client.step(other.id, 5)
    assert client.wait_for_step(other.id, 5, timeout=30).step == 5
    df = client.history([sim.id, other], observables="loss", from_step=2, to_step=250)
    assert df.groupby("run").size().to_dict() == {sim.id: 249, other.id: 4}
    assert df["run"].tolist() == [sim.id] * 249 + [other.id] * 4


def test_runs_flattens_the_spec_into_columns_and_shows_the_tags(client, trained):
    sim, _ = trained
    updated = client.update_run(sim.id, name="baseline 32", tags=["baseline", "mlp"], notes="seed 3")
    assert (updated.name, updated.tags, updated.notes) == ("baseline 32", ["baseline", "mlp"], "seed 3")
    runs = client.runs()
    for column in (
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
        "current_learning_rule",
        "seed",
        "batch_size",
        "model.kind",
        "model.hidden",
        "learning_rule.kind",
        "learning_rule.learning_rate",
        "task.kind",
        "latest.loss",
    ):
        assert column in runs.columns, column
    row = runs.set_index("id").loc[sim.id]
    assert (row["name"], row["tags"], row["notes"]) == ("baseline 32", ["baseline", "mlp"], "seed 3")
    assert (row["state"], row["step"], row["recorded_step"]) == ("PAUSED", STEPS, STEPS)
    assert (row["model.kind"], row["model.hidden"]) == ("mlp", [32])
    assert (row["learning_rule.kind"], row["learning_rule.learning_rate"]) == ("sgd", 0.05)
    assert (row["current_learning_rule"], row["task.kind"]) == ("sgd", "fashion_mnist")
    assert (row["seed"], row["batch_size"], row["preset"], row["parent_id"]) == (3, 32, "", "")
    assert str(runs["created"].dtype) == "datetime64[ns, UTC]"
    assert client.update_run(sim.id, tags=[]).tags == []
    assert client.get(sim.id).name == "baseline 32"  # untouched by a tags-only update


def test_latest_values_and_events_of_the_record(client, trained):
    sim, live = trained
    assert client.latest(sim.id, observables=["loss"]) == {"loss": live[STEPS]}
    assert client.latest(sim.id)["loss"] == live[STEPS]
    events = client.events(sim.id)
    assert list(events.columns) == ["step", "wall_time", "kind", "state", "message"]
    states = events[events["kind"] == "state"]
    assert (states["step"].iloc[0], states["state"].iloc[0]) == (0, "PAUSED")
    assert (states["step"].iloc[-1], states["state"].iloc[-1]) == (STEPS, "PAUSED")
    assert "RUNNING" in states["state"].tolist()
    assert client.events(sim.id, from_step=1, to_step=STEPS - 1).empty


def test_checkpoint_equals_the_parameters_bit_for_bit(client, trained, tmp_path):
    sim, _ = trained
    saved = client.save_checkpoint(sim.id)  # pausing took one at this step already: that one
    assert (saved.step, saved.reason, len(saved.sha256)) == (STEPS, "pause", 64)
    parameters = client.parameters(sim.id)
    for arrays in (client.checkpoint(sim.id), client.checkpoint(sim.id, step=STEPS)):
        assert arrays.keys() == parameters.keys()
        for name, value in parameters.items():
            assert arrays[name].dtype == np.float32 and np.array_equal(arrays[name], value), name
    only = client.checkpoint(sim.id, names=["layer0.W"])
    assert list(only) == ["layer0.W"]

    npz = client.checkpoint_npz(sim.id, path=tmp_path / "state.npz")
    assert (tmp_path / "state.npz").read_bytes() == npz
    with np.load(io.BytesIO(npz)) as archive:
        for name, value in parameters.items():
            assert np.array_equal(archive[f"param/{name}"], value), name

    assert client.pin_checkpoint(sim.id, STEPS).pinned
    kept = {c.step: c for c in client.checkpoints(sim.id)}
    assert kept[STEPS].pinned and kept[STEPS].created.tzinfo is not None
    assert not client.pin_checkpoint(sim.id, STEPS, pinned=False).pinned


def test_tensorboard_export_reads_back_with_tensorboards_event_reader(client, trained, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    sim, _ = trained
    written = client.export_tensorboard(sim.id, tmp_path / "tb", observables=["loss"])
    reader = EventAccumulator(str(tmp_path / "tb"), size_guidance={"scalars": 0})
    reader.Reload()
    assert reader.Tags()["scalars"] == ["loss"]
    events = reader.Scalars("loss")
    assert [e.step for e in events] == written["step"].tolist() == list(range(1, STEPS + 1))
    np.testing.assert_array_equal(
        np.array([e.value for e in events], dtype=np.float32), written["value"].to_numpy().astype(np.float32)
    )
    seconds = (written["wall_time"] - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    np.testing.assert_allclose([e.wall_time for e in events], seconds, rtol=0, atol=1e-6)


def test_parquet_and_csv_exports_read_back_equal_the_history(client, trained, tmp_path):
    sim, _ = trained
    history = client.history(sim.id)
    parquet = client.export_parquet(sim.id, tmp_path / "h.parquet")
    pd.testing.assert_frame_equal(parquet, history)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "h.parquet"), history)
    csv = client.export_csv(sim.id, tmp_path / "h.csv", observables=["loss"])
    back = pd.read_csv(tmp_path / "h.csv", keep_default_na=False, parse_dates=["wall_time"])
    pd.testing.assert_frame_equal(back, csv, check_exact=True)
    assert len(back) == STEPS


def test_record_error_paths_raise_the_sdks_errors_with_the_servers_message(client, trained):
    sim, _ = trained
    with pytest.raises(eiscope.NotFoundError):
        client.history("no-such-run")
    for call in (client.latest, client.events, client.checkpoints, client.checkpoint):
        with pytest.raises(eiscope.NotFoundError):
            call("no-such-run")
    with pytest.raises(eiscope.InvalidArgumentError, match="max_points") as error:
        client.history(sim.id, max_points=2)
    assert error.value.code == "INVALID_ARGUMENT" and "got 2" in error.value.message
    with pytest.raises(eiscope.NotFoundError, match="no checkpoint at step 7"):
        client.checkpoint(sim.id, step=7)
    with pytest.raises(eiscope.InvalidArgumentError, match="tag"):
        client.update_run(sim.id, tags=["a,b"])
