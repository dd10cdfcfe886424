"""Create, get, list, delete and control against a live server."""

import numpy as np


def test_create_leaves_the_simulation_paused_at_step_zero(client, make_mlp):
    sim = make_mlp(name="lifecycle")
    assert (sim.state, sim.step, sim.name, sim.seed) == ("PAUSED", 0, "lifecycle", 1)
    assert sim.model == {"kind": "mlp", "hidden": [64]}
    assert sim.parameters["layer0.W"] == (64, 784)
    assert client.get(sim.id).step == 0


def test_list_contains_created_simulations_and_delete_removes_them(client, make_mlp):
    sim = make_mlp()
    assert sim.id in [s.id for s in client.list()]
    client.delete(sim.id)
    assert sim.id not in [s.id for s in client.list()]


def test_step_runs_exactly_n_updates_then_pauses(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 200)
    after = client.wait(sim.id, until=lambda s: s.step >= 200 and s.state == "PAUSED", timeout=30)
    assert (after.step, after.state) == (200, "PAUSED")
    assert "loss" in after.latest_scalars


def test_play_then_pause_stops_training(client, make_mlp):
    sim = make_mlp()
    client.play(sim.id)
    client.wait(sim.id, until_step=5, timeout=30)
    client.pause(sim.id)
    paused = client.wait(sim.id, until=lambda s: s.state == "PAUSED", timeout=30)
    assert paused.step >= 5
    assert client.get(sim.id).step == paused.step


def test_reset_returns_to_step_zero_with_the_initial_weights(client, make_mlp):
    sim = make_mlp()
    initial = client.parameters(sim.id)
    client.step(sim.id, 20)
    client.wait(sim.id, until_step=20, timeout=30)
    assert not np.array_equal(client.parameters(sim.id)["layer0.W"], initial["layer0.W"])
    client.reset(sim.id)
    client.wait(sim.id, until=lambda s: s.step == 0 and s.state == "PAUSED", timeout=30)
    after = client.parameters(sim.id)
    assert after.keys() == initial.keys()
    assert all(np.array_equal(after[k], initial[k]) for k in initial)


def test_create_from_a_preset_takes_its_spec_and_overrides_seed_and_name(client):
    preset = client.catalogue().presets["mlp-fashion-mnist"]
    sim = client.create(preset=preset.name, seed=7, name="from preset")
    try:
        assert (sim.state, sim.step, sim.seed, sim.name) == ("PAUSED", 0, 7, "from preset")
        assert sim.model["kind"] == preset.spec.model.kind
        assert sim.spec.batch_size == preset.spec.batch_size
    finally:
        client.delete(sim.id)
