"""Admission on a busy server: a server started with --workers 1 plays one run at a time, and
the SDK reads the others as QUEUED with their queue position, and waits through the queue."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import START_TIMEOUT_S, _jar, _Server

import eiscope


@pytest.fixture(scope="module")
def one_slot(tmp_path_factory):
    process = _Server(_jar(), tmp_path_factory.mktemp("eiscope-admission"), "--workers", "1")
    process.wait_ready(START_TIMEOUT_S)
    with eiscope.Client(f"127.0.0.1:{process.port}") as c:
        yield c
    process.stop()


def _mlp(client, seed):
    return client.create(
        model={"kind": "mlp", "hidden": [16]},
        learning_rule={"kind": "sgd", "learning_rate": 0.05},
        task={"kind": "fashion_mnist"},
        batch_size=8,
        seed=seed,
    )


def test_runs_beyond_the_workers_read_queued_with_their_position_and_start_in_order(one_slot):
    a, b, c = (_mlp(one_slot, seed) for seed in (1, 2, 3))
    assert one_slot.play(a.id).simulation.state == "RUNNING"
    played = one_slot.play(b.id).simulation
    assert (played.state, played.queue_position) == ("QUEUED", 1)
    stepped = one_slot.step(c.id, 5).simulation
    assert (stepped.state, stepped.queue_position) == ("QUEUED", 2)
    assert stepped.status_message.startswith("queued at position 2: the server plays at most 1 runs")
    listed = {s.id: (s.state, s.queue_position) for s in one_slot.list()}
    assert listed[b.id] == ("QUEUED", 1) and listed[c.id] == ("QUEUED", 2)

    with ThreadPoolExecutor(1) as pool:
        # Waits through the queue: c is QUEUED now, at step 0, and must not count as stopped.
        waited = pool.submit(one_slot.wait_for_step, c.id, 5, timeout=120)
        one_slot.pause(a.id)  # b starts; c moves up
        assert one_slot.get(c.id).queue_position == 1
        one_slot.pause(b.id)  # c starts, steps 5, pauses
        done = waited.result(timeout=150)
    assert (done.state, done.step, done.queue_position) == ("PAUSED", 5, 0)

    events = one_slot.events(c.id)
    states = list(events[events["kind"] == "state"]["state"])
    assert states[-3:] == ["QUEUED", "RUNNING", "PAUSED"]
    started = events[events["state"] == "RUNNING"]["message"].iloc[-1]
    assert started.startswith("stepping 5 (after ") and started.endswith(" s in the queue)")
    for sim in (a, b, c):
        one_slot.delete(sim.id)


def test_pausing_a_queued_run_takes_it_out_of_the_queue(one_slot):
    a, b = _mlp(one_slot, 4), _mlp(one_slot, 5)
    one_slot.play(a.id)
    assert one_slot.play(b.id).simulation.state == "QUEUED"
    paused = one_slot.pause(b.id).simulation
    assert (paused.state, paused.queue_position, paused.step) == ("PAUSED", 0, 0)
    assert one_slot.get(a.id).state == "RUNNING"
    for sim in (a, b):
        one_slot.delete(sim.id)
