"""Watch streams: cancellation, and the server staying usable afterwards."""

import threading

import numpy as np
import pytest

import eiscope


def test_watch_can_be_cancelled_mid_stream_and_the_server_stays_usable(client, make_mlp):
    sim = make_mlp()
    client.play(sim.id)
    watch = client.watch(sim.id, observables=["loss"], timeout=30)
    frames = iter(watch)
    first = [next(frames) for _ in range(5)]
    watch.cancel()
    assert watch.cancelled
    assert list(frames) == []  # no error, the iteration just ends
    assert all(f.observable == "loss" for f in first)

    client.pause(sim.id)
    assert client.get(sim.id).id == sim.id
    with client.watch(sim.id, observables=["loss"], timeout=30) as again:
        assert next(iter(again)).observable == "loss"


def test_cancel_from_another_thread_ends_a_blocked_iteration(client, make_mlp):
    sim = make_mlp()  # paused: after the current values, no frame comes
    watch = client.watch(sim.id, observables=["loss"], timeout=20)
    timer = threading.Timer(0.5, watch.cancel)
    timer.start()
    received = list(watch)  # would raise DeadlineExceededError if cancel did not work
    timer.join()
    assert watch.cancelled
    assert all(f.step == 0 for f in received)


def test_watch_of_an_unknown_simulation_raises_not_found(client):
    with pytest.raises(eiscope.NotFoundError) as error:
        list(client.watch("no-such-simulation", timeout=10))
    assert error.value.code == "NOT_FOUND"


def test_watch_delivers_weights_as_arrays_equal_to_parameters(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 3)
    client.wait(sim.id, until=lambda s: s.step == 3 and s.state == "PAUSED", timeout=30)
    expected = client.parameters(sim.id, names=["layer0.W"])["layer0.W"]
    wanted = {"weights", "weight_histogram"}
    seen = {}
    with client.watch(sim.id, observables=sorted(wanted), layers=["layer0.W"], timeout=10) as w:
        for frame in w:  # the current value of each, at once
            assert frame.layer == "layer0.W" and frame.step == 3
            seen[frame.observable] = frame
            if seen.keys() == wanted:
                break
    weights = seen["weights"]
    assert weights.kind == "tensor" and weights.value.dtype == np.float32
    assert np.array_equal(weights.value, expected)
    edges, counts = seen["weight_histogram"].value
    assert len(edges) == len(counts) + 1 and np.all(np.diff(edges) > 0)
    assert int(counts.sum()) == expected.size
    assert edges[0] <= expected.min() and expected.max() <= edges[-1]


def test_watch_reports_state_changes_as_events(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 1)  # so that a current state exists to be sent at once
    client.wait(sim.id, until=lambda s: s.step == 1 and s.state == "PAUSED", timeout=30)
    events = []
    with client.watch(sim.id, observables=["state"], timeout=10) as w:
        for frame in w:
            assert frame.kind == "event"
            events.append((frame.step, *frame.value))
            if len(events) == 1:
                client.step(sim.id, 3)  # only once subscribed: no event is missed
            if frame.step == 4 and frame.value[0] == "PAUSED":
                break
    assert events[0][:2] == (1, "PAUSED")
    assert [state for _, state, _ in events[1:]] == ["RUNNING", "PAUSED"]
    assert all(message for _, _, message in events)


def test_delete_ends_the_open_watch_streams_of_the_simulation(client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 1)
    client.wait(sim.id, until=lambda s: s.step == 1 and s.state == "PAUSED", timeout=30)
    watch = client.watch(sim.id, observables=["loss"], timeout=10)
    received = 0
    for _ in watch:  # ends normally; a DeadlineExceededError would mean it stayed open
        received += 1
        if received == 1:
            client.delete(sim.id)
    assert received >= 1
    with pytest.raises(eiscope.NotFoundError):
        client.get(sim.id)
