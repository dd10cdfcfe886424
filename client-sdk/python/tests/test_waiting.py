"""What the README promises a new user, against a live server: create() without batch_size,
wait_for_step() after run_until and step, watch() that ends when the run pauses, and watch
from_step (the recorded history, then live frames)."""

import pytest

import eiscope
from eiscope import commands


def test_create_without_batch_size_sends_the_documented_default(client, make_mlp):
    sim = make_mlp(batch_size=None)
    assert sim.spec.batch_size == eiscope.client.DEFAULT_BATCH_SIZE == 32


def test_wait_for_step_after_run_until_lets_the_next_command_land_at_that_step(client, make_mlp):
    sim = make_mlp()
    client.apply(sim.id, commands.run_until(150))
    reached = client.wait_for_step(sim.id, 150, timeout=30)
    assert (reached.step, reached.state) == (150, "PAUSED")
    assert client.apply(sim.id, commands.prune(0.5)).effective_step == 150
    assert [step for step, _ in client.intervention_log(sim.id)] == [0, 150]


def test_wait_for_step_after_step_and_while_playing(client, make_mlp):
    sim = make_mlp()
    result = client.step(sim.id, 40)
    assert client.wait_for_step(sim.id, result.effective_step + 40, timeout=30).step == 40
    client.play(sim.id)
    try:
        assert client.wait_for_step(sim.id, 120, timeout=30).step >= 120
    finally:
        client.pause(sim.id)


def test_wait_for_step_returns_at_once_when_the_run_stopped_short_and_times_out(client, make_mlp):
    sim = make_mlp()
    stopped = client.wait_for_step(sim.id, 1000, timeout=30)  # paused at 0: would wait in vain
    assert (stopped.step, stopped.state) == (0, "PAUSED")
    client.play(sim.id)
    try:
        with pytest.raises(TimeoutError, match="step 100000000 not reached"):
            client.wait_for_step(sim.id, 100_000_000, timeout=0.5)
    finally:
        client.pause(sim.id)
    with pytest.raises(eiscope.NotFoundError):
        client.wait_for_step("no-such-simulation", 1)


def test_watch_from_step_0_until_paused_gives_every_step_then_ends(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 100)  # under way once it returns; may finish before the watch opens
    frames = list(client.watch(sim.id, observables=["loss"], from_step=0, until_paused=True, timeout=30))
    assert [f.step for f in frames] == list(range(1, 101))
    assert {f.observable for f in frames} == {"loss"}


def test_watch_until_paused_of_a_paused_run_gives_the_current_values_and_ends(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 10)
    client.wait_for_step(sim.id, 10, timeout=30)
    frames = list(client.watch(sim.id, observables=["loss", "state"], until_paused=True, timeout=30))
    assert [(f.step, f.observable) for f in frames] == [(10, "loss"), (10, "state")]
    assert frames[-1].value[0] == "PAUSED"


def test_watch_from_step_without_until_paused_streams_history_then_live(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 20)
    client.wait_for_step(sim.id, 20, timeout=30)
    seen = []
    with client.watch(sim.id, observables=["loss"], from_step=11, timeout=30) as frames:
        for frame in frames:
            seen.append(frame.step)
            if frame.step == 20:
                client.step(sim.id, 5)  # live frames follow the recorded ones
            if frame.step == 25:
                break
    assert seen == list(range(11, 26))
