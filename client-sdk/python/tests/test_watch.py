"""Watch streams: cancellation, and the server staying usable afterwards."""
import threading

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
