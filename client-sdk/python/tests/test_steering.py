"""Steering, fork, replay log and sessions through the SDK, and the worked example, against a
live server. The worked example is scaled down (200 steps, lesion at 100) to stay under ~30 s;
lesioning half the units stands in for pruning (not in the engine yet), weight histograms for
the spectrum (no spectrum observable yet) and adam for exponentiated gradient when the
catalogue has no EG."""
import numpy as np
import pytest

import eiscope
from eiscope import commands

HIDDEN = 40


@pytest.fixture
def make_dann(client):
    created = []

    def make(seed=1, **overrides):
        kwargs = dict(model={"kind": "dann", "hidden_excitatory": [HIDDEN], "hidden_inhibitory": [4]},
                      learning_rule={"kind": "sgd", "learning_rate": 0.05, "correct_inhibitory": True},
                      task={"kind": "fashion_mnist"}, batch_size=32, seed=seed)
        kwargs.update(overrides)
        sim = client.create(**kwargs)
        created.append(sim.id)
        return sim

    yield make
    for sim_id in created:
        try:
            client.delete(sim_id)
        except eiscope.NotFoundError:
            pass


def test_worked_example_dann_lesion_fork_switch_compare(client, make_dann):
    dann = make_dann(eval_every_steps=100)
    has_eg = "exponentiated_gradient" in client.catalogue().learning_rules
    with client.session() as session:
        histograms = session.subscribe(dann.id, observables=["weight_histogram"], layers=["layer0"],
                                       max_hz=10)
        session.command(dann.id, commands.run_until(100))
        client.wait(dann.id, until=lambda s: s.step >= 100 and s.state == "PAUSED", timeout=30)
        for unit in range(HIDDEN // 2):
            session.command(dann.id, commands.lesion("layer0", unit))
        fork = client.fork(dann.id)
        assert (fork.parent_id, fork.fork_step, fork.step) == (dann.id, 100, 100)
        switch = (commands.switch_rule("exponentiated_gradient") if has_eg
                  else commands.switch_rule("adam", learning_rate=1e-3))
        assert session.command(fork.id, switch) == 100
        for sim in (dann, fork):
            session.command(sim.id, commands.run_until(200))
        a = client.wait(dann.id, until=lambda s: s.step >= 200 and s.state == "PAUSED", timeout=60)
        b = client.wait(fork.id, until=lambda s: s.step >= 200 and s.state == "PAUSED", timeout=60)
        first = histograms.get(timeout=10)
        assert first.observable == "weight_histogram" and first.layer.startswith("layer0")
    assert b.current_learning_rule["kind"] == ("exponentiated_gradient" if has_eg else "adam")
    assert a.latest_scalars["test_accuracy"] > 0.5 and b.latest_scalars["test_accuracy"] > 0.5
    wa = client.parameters(dann.id, ["layer0.Wex"])["layer0.Wex"]
    wb = client.parameters(fork.id, ["layer0.Wex"])["layer0.Wex"]
    assert not np.array_equal(wa, wb)
    assert not wb[: HIDDEN // 2].any(), "lesioned units stay silent"
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
