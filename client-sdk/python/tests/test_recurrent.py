"""Recurrent E/I networks from a notebook: a DANN RNN on the 2AF task, its hidden states and its spectrum."""

import numpy as np


def _frames(client, sim_id, observables, layers):
    """The current value of each (observable, layer) asked for, at once, from a paused simulation."""
    wanted = {(o, layer) for o in observables for layer in layers}
    seen = {}
    with client.watch(sim_id, observables=observables, layers=layers, timeout=60) as w:
        for frame in w:
            if (frame.observable, frame.layer) in wanted:
                seen[(frame.observable, frame.layer)] = frame
            if seen.keys() == wanted:
                break
    return seen


def test_the_catalogue_lists_the_recurrent_models_sequence_tasks_and_presets(client):
    cat = client.catalogue()
    assert {"rnn", "column_ei_rnn", "dann_rnn", "ctrnn"} <= set(cat.models)
    assert {
        "seq_mnist",
        "adding",
        "perceptual_decision_making",
        "delayed_match_to_sample",
        "context_decision_making",
    } <= set(cat.tasks)
    groups = {p.group for p in cat.presets.values()}
    assert any("Li et al. 2023" in g for g in groups) and any("Liu et al. 2024" in g for g in groups)


def test_a_dann_rnn_learns_2af_and_streams_its_hidden_states_and_recurrent_spectrum(client):
    sim = client.create(
        model={"kind": "dann_rnn", "hidden": [20]},
        learning_rule={"kind": "sgd", "learning_rate": 0.05, "momentum": 0.9, "correct_inhibitory": True},
        task={"kind": "perceptual_decision_making"},
        batch_size=32,
        seed=5,
    )
    assert sim.parameters["rnn0.Wex"] == (20, 20)
    assert sim.parameters["rnn0.Uex"] == (20, 3)
    client.step(sim.id, 150)
    done = client.wait(sim.id, until=lambda s: s.step >= 150 and s.state == "PAUSED", timeout=120)
    assert done.step == 150
    params = client.parameters(sim.id)
    for name in ("rnn0.Wex", "rnn0.Wix", "rnn0.Wei", "rnn0.Uex", "rnn0.Uix", "rnn0.Uei"):
        assert (params[name] >= 0).all(), f"{name} has negative entries"
    w = params["rnn0.Wex"] - params["rnn0.Wei"] @ params["rnn0.Wix"]

    got = _frames(client, sim.id, ["hidden_states", "singular_values", "spectral_radius", "nse"], ["rnn0"])
    hidden = got[("hidden_states", "rnn0")].value
    assert hidden.shape == (8, 32, 20) and hidden.dtype == np.float32  # time x probe trial x unit
    assert (hidden >= 0).all() and (hidden > 0).any()  # ReLU units, some active
    sv = got[("singular_values", "rnn0")].value  # of the effective signed matrix
    assert np.allclose(sv, np.linalg.svd(w.astype(np.float64), compute_uv=False), rtol=1e-4, atol=1e-5)
    radius = got[("spectral_radius", "rnn0")].value
    assert abs(radius - np.abs(np.linalg.eigvals(w.astype(np.float64))).max()) < 1e-4
    p = sv / sv.sum()
    assert abs(got[("nse", "rnn0")].value - (-(p * np.log(p)).sum() / np.log(len(p)))) < 1e-5


def test_a_watchpoint_on_the_spectral_radius_of_a_recurrent_matrix_pauses_the_run(client):
    from eiscope import commands

    sim = client.create(
        model={"kind": "rnn", "hidden": [16]},
        learning_rule={"kind": "sgd", "learning_rate": 0.05, "momentum": 0.9},
        task={"kind": "perceptual_decision_making"},
        batch_size=16,
        seed=2,
    )
    start = client.parameters(sim.id)["rnn0.W"].astype(np.float64)
    radius0 = np.abs(np.linalg.eigvals(start)).max()
    client.apply(
        sim.id,
        commands.watchpoint(
            "radius moved", "spectral_radius", "above", radius0 * 1.02, layer="rnn0", every_steps=5
        ),
    )
    client.apply(sim.id, commands.run_until(20000))
    done = client.wait(sim.id, until=lambda s: s.state == "PAUSED", timeout=120)
    assert (
        "watchpoint 'radius moved'" in done.status_message
        and "spectral_radius of rnn0" in done.status_message
    )
    w = client.parameters(sim.id)["rnn0.W"].astype(np.float64)
    assert done.step < 20000
    # measured every 5 steps on a copy, off the training thread: the radius it saw is past the threshold, and
    # training has moved on by at most a few steps since (the copy's step is a multiple of 5)
    assert np.abs(np.linalg.eigvals(w)).max() > radius0
