"""Steering, fork, replay log and sessions through the SDK, and the worked example, against a
live server. The worked example is scaled down (200 steps, pruning at 100) to stay under ~30 s;
weight histograms stand in for the spectrum (no spectrum observable yet)."""

import contextlib

import numpy as np
import pytest

import eiscope
from eiscope import commands

HIDDEN = 40


@pytest.fixture
def make_dann(client):
    created = []

    def make(seed=1, **overrides):
        kwargs = dict(
            model={"kind": "dann", "hidden_excitatory": [HIDDEN], "hidden_inhibitory": [4]},
            learning_rule={"kind": "sgd", "learning_rate": 0.05, "correct_inhibitory": True},
            task={"kind": "fashion_mnist"},
            batch_size=32,
            seed=seed,
        )
        kwargs.update(overrides)
        sim = client.create(**kwargs)
        created.append(sim.id)
        return sim

    yield make
    for sim_id in created:
        with contextlib.suppress(eiscope.NotFoundError):
            client.delete(sim_id)


def _zero_fraction(params):
    weights = [v for k, v in params.items() if k.split(".")[-1] in ("Wex", "Wix", "Wei")]
    return sum(int((w == 0).sum()) for w in weights) / sum(w.size for w in weights)


def test_worked_example_dann_prune_fork_switch_to_eg_compare(client, make_dann):
    dann = make_dann(eval_every_steps=100)
    with client.session() as session:
        histograms = session.subscribe(
            dann.id, observables=["weight_histogram"], layers=["layer0"], max_hz=10
        )
        session.command(dann.id, commands.run_until(100))
        client.wait(dann.id, until=lambda s: s.step >= 100 and s.state == "PAUSED", timeout=30)
        assert session.command(dann.id, commands.prune(0.5)) == 100
        assert _zero_fraction(client.parameters(dann.id)) >= 0.5
        fork = client.fork(dann.id)
        assert (fork.parent_id, fork.fork_step, fork.step) == (dann.id, 100, 100)
        assert session.command(fork.id, commands.switch_rule("eg", learning_rate=0.05)) == 100
        for sim in (dann, fork):
            session.command(sim.id, commands.run_until(200))
        a = client.wait(dann.id, until=lambda s: s.step >= 200 and s.state == "PAUSED", timeout=60)
        b = client.wait(fork.id, until=lambda s: s.step >= 200 and s.state == "PAUSED", timeout=60)
        first = histograms.get(timeout=10)
        assert first.observable == "weight_histogram" and first.layer.startswith("layer0")
    assert b.current_learning_rule["kind"] == "eg"
    assert a.latest_scalars["test_accuracy"] > 0.5 and b.latest_scalars["test_accuracy"] > 0.5
    pa, pb = client.parameters(dann.id), client.parameters(fork.id)
    assert not np.array_equal(pa["layer0.Wex"], pb["layer0.Wex"])
    # Pruned weights stay pruned under both rules; EG also never revives a zero.
    assert _zero_fraction(pa) >= 0.5 and _zero_fraction(pb) >= 0.5
    assert len(client.intervention_log(fork.id)) == len(client.intervention_log(dann.id)) + 1


def test_commands_are_logged_with_their_step(client, make_dann):
    sim = make_dann()
    client.apply(sim.id, commands.run_until(5))
    client.wait(sim.id, until=lambda s: s.step >= 5 and s.state == "PAUSED", timeout=30)
    result = client.apply(sim.id, commands.set_rule_params(learning_rate=0.01))
    assert result.effective_step == 5
    assert result.simulation.current_learning_rule["learning_rate"] == 0.01
    log = client.intervention_log(sim.id)
    assert [step for step, _ in log] == [0, 5]
    assert log[1][1] == commands.set_rule_params(learning_rate=0.01)


def test_a_bad_command_names_the_field(client, make_dann):
    sim = make_dann()
    with pytest.raises(eiscope.InvalidArgumentError, match="command.set_weight.row"):
        client.apply(sim.id, commands.set_weight("layer0.Wex", 999, 0, 0.1))
    with pytest.raises(eiscope.NotFoundError):
        client.fork("sim-nope")
    with client.session() as session:
        with pytest.raises(eiscope.InvalidArgumentError, match="command.lesion.unit"):
            session.command(sim.id, commands.lesion("layer0", 999))
        assert session.command(sim.id, commands.freeze("layer0")) == 0
    assert client.intervention_log(sim.id)[0][1] == commands.freeze("layer0")
