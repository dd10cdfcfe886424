"""Client(live_unread_messages=...): live watches whose server sends no more than the reader
has read, merging what waits, so a slow reader gets the present."""

import statistics
import threading
import time

import pytest

import eiscope


@pytest.mark.parametrize("bad", [0, -1, 2**32, True, 1.5, "2"])
def test_a_live_unread_limit_that_is_not_a_whole_number_from_1_is_refused(server, bad):
    with pytest.raises(ValueError, match="live_unread_messages is a whole number of messages from 1"):
        eiscope.Client(f"127.0.0.1:{server.port}", live_unread_messages=bad)


def test_a_live_watch_of_an_unknown_run_raises_not_found(server):
    c = eiscope.Client(f"127.0.0.1:{server.port}", live_unread_messages=1)
    with (
        c,
        pytest.raises(eiscope.NotFoundError, match="no-such-run"),
        c.watch("no-such-run", timeout=10) as w,
    ):
        next(iter(w))


def _slow_reader(address: str, sim_id: str, unread, seconds: float, out: dict) -> None:
    """Reads `loss` at about 100 frames a second for `seconds`; out[unread] = (age in s of each
    frame read in the last second, every frame read as (step, merged_count))."""
    ages, frames = [], []
    c = eiscope.Client(address, live_unread_messages=unread)
    with c, c.watch(sim_id, observables=["loss"], timeout=seconds + 30) as w:
        start = time.monotonic()
        for frame in w:
            now = time.monotonic()
            if now - start > seconds:
                break
            if now - start > seconds - 1:
                ages.append(time.time() - frame.wall_time)
            frames.append((frame.step, frame.merged_count))
            time.sleep(0.01)
    out[unread] = (ages, frames)


def test_a_slow_reader_with_an_unread_limit_reads_the_present_and_the_counts_of_the_rest(
    server, client, make_mlp
):
    # A run making thousands of loss frames a second, two readers taking 100 a second. The one
    # on a plain Watch falls further behind each second (frames wait in buffers as they were);
    # the one allowed a single unread message gets, each time it comes back, each observable's
    # newest sample, standing for every sample since the one before.
    sim = make_mlp()
    client.play(sim.id)
    out: dict = {}
    readers = [
        threading.Thread(target=_slow_reader, args=(f"127.0.0.1:{server.port}", sim.id, unread, 4.0, out))
        for unread in (None, 1)
    ]
    for r in readers:
        r.start()
    for r in readers:
        r.join(60)
    client.pause(sim.id)
    (plain_ages, _), (ages, frames) = out[None], out[1]
    assert ages and plain_ages
    lag, plain_lag = statistics.median(ages), statistics.median(plain_ages)
    assert lag < 0.5, f"frames read with one unread message allowed were {lag:.2f} s old"
    assert plain_lag > 2 * lag, f"plain Watch: {plain_lag:.2f} s behind, one unread message: {lag:.2f} s"
    steps = [s for s, _ in frames]
    assert steps == sorted(set(steps)), "frames in step order, none twice"
    assert max(n for _, n in frames) > 1, "the server merged nothing for the slow reader"
    # Every loss sample after the first frame's is in exactly one frame read: its count.
    assert sum(n for _, n in frames[1:]) == steps[-1] - steps[0]
    print(f"lag: plain Watch {plain_lag:.3f} s, one unread message {lag:.3f} s")


def test_a_session_subscription_with_an_unread_limit_reads_the_present(client, make_mlp):
    sim = make_mlp()
    with pytest.raises(ValueError, match="max_unread_messages is a whole number"), client.session() as s:
        s.subscribe(sim.id, ["loss"], max_unread_messages=-1)
    with client.session() as s:
        sub = s.subscribe(sim.id, ["loss"], max_unread_messages=1)
        client.play(sim.id)
        frames = []
        for _ in range(40):  # about 25 frames a second, of a run making thousands
            frames.append(sub.get(timeout=30))
            time.sleep(0.04)
        ages = [time.time() - f.wall_time for f in frames[-10:]]
        client.pause(sim.id)
        sub.unsubscribe()
    steps = [f.step for f in frames]
    assert steps == sorted(set(steps)), "frames in step order, none twice"
    assert max(f.merged_count for f in frames) > 1, "the server merged nothing for the slow reader"
    assert sum(f.merged_count for f in frames[1:]) == steps[-1] - steps[0]
    assert statistics.median(ages) < 0.5, f"frames read were {statistics.median(ages):.2f} s old"


def test_a_live_watch_with_an_unread_limit_ends_when_its_run_is_deleted(server, client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 3)
    client.wait(sim.id, until=lambda s: s.step == 3 and s.state == "PAUSED", timeout=30)
    other = make_mlp()
    with eiscope.Client(f"127.0.0.1:{server.port}", live_unread_messages=1) as c, client.session() as s:
        sub = s.subscribe(sim.id, ["loss"], max_unread_messages=1)
        kept = s.subscribe(other.id, ["loss"])
        w = c.watch(sim.id, ["loss"], timeout=30)
        first = next(iter(w))
        assert first.step == 3
        client.delete(sim.id)
        assert [f.step for f in w] == [], "the watch ended without more frames"
        assert [f.step for f in sub] == [3], "the subscription ended after its current value"
        assert s.step(other.id, 2) == 0, "the session goes on"
        assert kept.get(timeout=30).step == 1
