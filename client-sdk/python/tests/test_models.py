"""Dale's-law models from a notebook: the catalogue's E/I networks, created, stepped and read."""

import numpy as np


def test_catalogue_lists_the_feed_forward_ei_models_rules_and_the_comparison(client):
    cat = client.catalogue()
    assert {"mlp", "dann", "column_ei_mlp", "layernorm_mlp"} <= set(cat.models)
    assert {"sgd", "adam", "adamw", "sign_frozen_sgd"} <= set(cat.learning_rules)
    assert {"cornford2021-dann", "cornford2021-column-ei", "cornford2021-mlp"} <= set(cat.presets)


def test_a_dann_on_fashion_mnist_steps_and_keeps_dales_law(client):
    sim = client.create(
        model={"kind": "dann", "hidden_excitatory": [50], "hidden_inhibitory": [5]},
        learning_rule={"kind": "sgd", "learning_rate": 0.1, "correct_inhibitory": True},
        task={"kind": "fashion_mnist"},
        batch_size=32,
        seed=3,
    )
    assert sim.parameters["layer0.Wex"] == (50, 784)
    assert sim.parameters["layer0.Wix"] == (5, 784)
    assert sim.parameters["layer0.Wei"] == (50, 5)
    client.step(sim.id, 100)
    done = client.wait(sim.id, until=lambda s: s.step >= 100 and s.state == "PAUSED", timeout=60)
    assert done.step == 100
    params = client.parameters(sim.id)
    for name in ("layer0.Wex", "layer0.Wix", "layer0.Wei", "layer1.Wex", "layer1.Wix", "layer1.Wei"):
        assert (params[name] >= 0).all(), f"{name} has negative entries"
    # The effective signed matrix mixes signs although every stored weight is non-negative.
    effective = params["layer0.Wex"] - params["layer0.Wei"] @ params["layer0.Wix"]
    assert (effective < 0).any() and (effective > 0).any()
    assert done.latest_scalars["loss"] < np.log(10), done.latest_scalars


def test_presets_of_one_comparison_share_a_group(client):
    presets = client.catalogue().presets
    group = presets["cornford2021-dann"].group
    assert group and "Cornford" in group
    members = {name for name, p in presets.items() if p.group == group}
    assert members == {
        "cornford2021-mlp",
        "cornford2021-layernorm-mlp",
        "cornford2021-dann",
        "cornford2021-dann-no-correction",
        "cornford2021-column-ei",
        "cornford2021-batchnorm-mlp",
        "cornford2021-dann-dngd",
    }
