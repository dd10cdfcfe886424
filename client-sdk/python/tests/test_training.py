"""Training behaviour seen through the SDK: loss falls, weights are numpy, runs are seeded."""

import numpy as np

STEPS = 200


def _train(client, sim_id, steps=STEPS):
    client.step(sim_id, steps)
    sim = client.wait(sim_id, until=lambda s: s.step >= steps and s.state == "PAUSED", timeout=30)
    assert sim.step == steps, sim
    return client.parameters(sim_id)


def test_loss_falls_while_training(client, make_mlp):
    sim = make_mlp()
    _train(client, sim.id, 1)  # so that the watch's first frame (the current loss) exists
    losses = []
    with client.watch(sim.id, observables=["loss"], timeout=30) as frames:
        for frame in frames:
            assert (frame.observable, frame.kind) == ("loss", "scalar")
            losses.append((frame.step, frame.value))
            if len(losses) == 1:
                client.step(sim.id, STEPS)  # only once subscribed: no sample is missed
            if frame.step >= 1 + STEPS:
                break
    steps = [s for s, _ in losses]
    assert steps == sorted(steps) and steps[0] == 1
    values = np.array([v for _, v in losses])
    assert len(values) >= 60, f"only {len(values)} loss frames"
    assert values[-20:].mean() < values[:20].mean(), values


def test_parameters_are_float32_arrays_of_the_declared_shape(client, make_mlp):
    sim = make_mlp()
    params = client.parameters(sim.id)
    assert set(params) == set(sim.parameters)
    for name, shape in sim.parameters.items():
        assert params[name].shape == shape and params[name].dtype == np.float32
    weights = client.parameters(sim.id, names=["layer0.W"])
    assert list(weights) == ["layer0.W"]
    assert weights["layer0.W"].shape == (64, 784)
    W = weights["layer0.W"]
    # He initialisation of the first layer, W ~ N(0, 1/fan_in): checks the bytes decode right.
    assert np.isfinite(W).all()
    assert abs(W.mean()) < 0.002 and abs(W.std() - (1 / 784) ** 0.5) < 0.002


def test_same_seed_gives_identical_weights(client, make_mlp):
    first = _train(client, make_mlp(seed=1).id)
    second = _train(client, make_mlp(seed=1).id)
    assert first.keys() == second.keys()
    for name in first:
        assert np.array_equal(first[name], second[name]), name


def test_different_seed_gives_different_weights(client, make_mlp):
    first = _train(client, make_mlp(seed=1).id)
    other = _train(client, make_mlp(seed=2).id)
    assert not np.array_equal(first["layer0.W"], other["layer0.W"])
