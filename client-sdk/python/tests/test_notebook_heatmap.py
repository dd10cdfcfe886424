"""eiscope.notebook.weight_heatmap against a live server, and both widgets on every model of the
catalogue: the drawn matrix equals GetParameters' pooled values at the step drawn and a pooling
of the full values computed here with numpy; it follows the run as it trains and is steered."""

import threading

import numpy as np
import pytest

import eiscope
from eiscope import commands
from eiscope.notebook import live_curves, weight_heatmap

#: A small network of every model kind of the catalogue, on a task it learns.
SMALL = {
    "mlp": ({"kind": "mlp", "hidden": [16]}, "fashion_mnist"),
    "dann": ({"kind": "dann", "hidden_excitatory": [16], "hidden_inhibitory": [4]}, "fashion_mnist"),
    "column_ei_mlp": ({"kind": "column_ei_mlp", "hidden": [22]}, "fashion_mnist"),
    "layernorm_mlp": ({"kind": "layernorm_mlp", "hidden": [16]}, "fashion_mnist"),
    "batchnorm_mlp": ({"kind": "batchnorm_mlp", "hidden": [16]}, "fashion_mnist"),
    "point_neuron": ({"kind": "point_neuron"}, "r_of_k"),
    "rnn": ({"kind": "rnn", "hidden": [16]}, "adding"),
    "column_ei_rnn": ({"kind": "column_ei_rnn", "hidden": [20]}, "adding"),
    "dann_rnn": ({"kind": "dann_rnn", "hidden": [16]}, "adding"),
    "ctrnn": ({"kind": "ctrnn", "hidden": 16}, "perceptual_decision_making"),
}


def go(client, run_id, n):
    result = client.step(run_id, n)
    client.wait_for_step(run_id, result.effective_step + n)


def pooled(values, max_rows, max_cols):
    """Each block's value of largest magnitude, sign kept, by the documented block bounds (row
    block i covers rows i*R//r to (i+1)*R//r); a vector is one row."""
    m = values.reshape(1, -1) if values.ndim == 1 else values
    rows, cols = m.shape
    r, c = min(rows, max_rows), min(cols, max_cols)
    out = np.empty((r, c), dtype=np.float32)
    for i in range(r):
        for j in range(c):
            block = m[i * rows // r : (i + 1) * rows // r, j * cols // c : (j + 1) * cols // c].ravel()
            out[i, j] = block[np.argmax(np.abs(block))]
    return out


def expect_drawn(client, heatmap, run_id, name, max_rows, max_cols):
    """The heatmap shows the parameter at its step: as the server pools it, and as numpy does."""
    step = heatmap.step
    full = client.parameters(run_id, [name], step=step)[name]
    server = client.parameters(run_id, [name], step=step, max_rows=max_rows, max_cols=max_cols)[name]
    np.testing.assert_array_equal(heatmap.values, server.reshape(heatmap.values.shape), err_msg=name)
    np.testing.assert_array_equal(heatmap.values, pooled(full, max_rows, max_cols), err_msg=name)
    assert heatmap.full_shape == full.shape, name
    low, high = heatmap.figure.axes[0].images[0].get_clim()
    assert low == -high and high == pytest.approx(float(np.abs(heatmap.values).max()) or 1e-12), name


def expect_blocks(heatmap, sim, name):
    """The separators drawn are where the server's E/I partition of `name` puts the boundary
    between E and I rows (and columns), and only there."""
    infos = {i.name: i for i in (*sim.proto.parameters, *sim.proto.effective_matrices)}
    part = infos[name].partition if infos[name].HasField("partition") else None
    axes = heatmap.figure.axes[0]
    rows = [line.get_ydata()[0] for line in axes.lines if list(line.get_xdata()) == [0, 1]]
    cols = [line.get_xdata()[0] for line in axes.lines if list(line.get_ydata()) == [0, 1]]
    split_rows = part is not None and part.excitatory_rows and part.inhibitory_rows
    split_cols = part is not None and part.excitatory_cols and part.inhibitory_cols
    assert rows == ([part.excitatory_rows] if split_rows else []), name
    assert cols == ([part.excitatory_cols] if split_cols else []), name


def test_the_heatmap_draws_the_pooled_weights_and_follows_the_run_as_it_trains(client, make_mlp):
    sim = make_mlp(seed=21, model={"kind": "mlp", "hidden": [64]})
    heatmap = weight_heatmap(client, sim.id, "layer0.W", max_rows=10, max_cols=12)
    try:
        assert heatmap.step == 0 and heatmap.values.shape == (10, 12)
        expect_drawn(client, heatmap, sim.id, "layer0.W", 10, 12)
        assert heatmap.figure.axes[0].images[0].get_extent() == [0.0, 784.0, 64.0, 0.0]  # axes count units
        go(client, sim.id, 20)
        heatmap.wait_for_step(20, timeout=30)
        assert heatmap.step == 20
        expect_drawn(client, heatmap, sim.id, "layer0.W", 10, 12)
        assert "64x784, 10x12 blocks" in heatmap.status

        client.apply(sim.id, commands.prune(0.9))  # paused: the step stays 20, the weights change
        after = client.parameters(sim.id, ["layer0.W"], max_rows=10, max_cols=12)["layer0.W"]
        heatmap.wait_until(lambda: np.array_equal(heatmap.values, after), timeout=30)
        expect_drawn(client, heatmap, sim.id, "layer0.W", 10, 12)
    finally:
        heatmap.close()


def test_the_change_since_start_is_drawn_on_the_same_centred_scale(client, make_mlp):
    sim = make_mlp(seed=22)
    go(client, sim.id, 15)
    heatmap = weight_heatmap(client, sim.id, "layer1.W", max_rows=5, max_cols=8, change_since_start=True)
    try:
        start = client.parameters(sim.id, ["layer1.W"], step=0)["layer1.W"]
        now = client.parameters(sim.id, ["layer1.W"], step=heatmap.step)["layer1.W"]
        np.testing.assert_array_equal(heatmap.values, pooled(now - start, 5, 8))
        assert "change since step 0" in heatmap.figure.axes[0].get_title()
    finally:
        heatmap.close()


@pytest.mark.parametrize("kind", sorted(SMALL))
def test_both_widgets_draw_every_model_of_the_catalogue(client, kind):
    assert set(SMALL) == set(client.catalogue().models), "a model of the catalogue is not tried here"
    model, task = SMALL[kind]
    sim = client.create(model=model, learning_rule="sgd", task=task, seed=1, batch_size=8)
    try:
        go(client, sim.id, 3)
        curves = live_curves(client, sim.id)
        try:
            frame = client.history(sim.id, observables=["loss"])
            line = curves.line(sim.id)
            assert list(line.get_xdata()) == frame["step"].tolist() == [1, 2, 3]
            assert list(line.get_ydata()) == frame["value"].tolist()
        finally:
            curves.close()
        # Weights, biases, gains, shunts and the effective signed matrices: every one draws.
        for name in [*sim.parameters, *sim.effective_matrices]:
            heatmap = weight_heatmap(client, sim.id, name, max_rows=6, max_cols=5)
            try:
                assert heatmap.step == 3
                expect_drawn(client, heatmap, sim.id, name, 6, 5)
                expect_blocks(heatmap, sim, name)
            finally:
                heatmap.close()
    finally:
        client.delete(sim.id)


def test_e_i_matrices_show_the_e_block_then_the_i_block_as_the_server_splits_them(client):
    model, task = SMALL["column_ei_mlp"]  # 22 hidden units: 20 E then 2 I
    sim = client.create(model=model, learning_rule="sgd", task=task, seed=2, batch_size=8)
    dann = client.create(
        model=SMALL["dann"][0], learning_rule="sgd", task="fashion_mnist", seed=2, batch_size=8
    )
    try:
        go(client, sim.id, 5)
        readout = weight_heatmap(client, sim.id, "layer1")  # W_pos D: 10 outputs x (20 E | 2 I)
        hidden = weight_heatmap(client, sim.id, "layer0.W_pos")  # (20 E | 2 I) rows x 784 inputs
        effective = weight_heatmap(client, dann.id, "layer0", max_rows=8, max_cols=49)
        inhibitory = weight_heatmap(client, dann.id, "layer0.Wix")
        try:
            values = readout.values
            assert (values[:, :20] >= 0).all() and (values[:, 20:] <= 0).all() and (values[:, 20:] < 0).any()
            assert readout.figure.axes[0].get_xlabel().endswith(": E 0-19, I 20-21")
            assert hidden.figure.axes[0].get_ylabel().endswith(": E 0-19, I 20-21")
            assert inhibitory.figure.axes[0].get_ylabel().endswith(": I 0-3")
            for heatmap, run, name in ((readout, sim, "layer1"), (hidden, sim, "layer0.W_pos")):
                expect_drawn(client, heatmap, run.id, name, 128, 128)
                expect_blocks(heatmap, run, name)
            # A DANN's effective matrix, Wex - Wei Wix, recomputed here from its parameters.
            p = client.parameters(dann.id, ["layer0.Wex", "layer0.Wei", "layer0.Wix"], step=effective.step)
            w = p["layer0.Wex"].astype(np.float64) - p["layer0.Wei"].astype(np.float64) @ p["layer0.Wix"]
            np.testing.assert_allclose(effective.values, pooled(w, 8, 49), rtol=1e-5, atol=1e-6)
        finally:
            for heatmap in (readout, hidden, effective, inhibitory):
                heatmap.close()
    finally:
        client.delete(sim.id)
        client.delete(dann.id)


def test_wrong_arguments_are_refused_and_closing_ends_every_thread(client, make_mlp):
    sim = make_mlp(seed=23)
    with pytest.raises(eiscope.InvalidArgumentError, match=r"unknown parameter.*'layer9.W'.*layer0.W"):
        weight_heatmap(client, sim.id, "layer9.W")
    with pytest.raises(ValueError, match="max_rows must be >= 0"):
        weight_heatmap(client, sim.id, "layer0.W", max_rows=-1)
    with pytest.raises(ValueError, match="run: one run id or Simulation"):
        weight_heatmap(client, [sim.id, sim.id], "layer0.W")
    with pytest.raises(eiscope.NotFoundError):
        weight_heatmap(client, "sim-does-not-exist", "layer0.W")
    before = set(threading.enumerate())
    heatmap = weight_heatmap(client, sim.id, "layer0.W")
    started = {t for t in set(threading.enumerate()) - before if t.name.startswith("eiscope-")}
    assert {t.name for t in started} == {
        "eiscope-redraw",
        f"eiscope-heatmap-watch-{sim.id}",
        f"eiscope-heatmap-read-{sim.id}",
    }
    heatmap.widget.close()
    assert heatmap.stopped and not any(t.is_alive() for t in started)
