"""Client(live_window_bytes=...): live watches on a channel whose streams hold little in flight."""

import statistics
import threading
import time

import numpy as np
import pytest

import eiscope


def test_a_live_window_below_the_minimum_or_not_a_number_is_refused(server):
    address = f"127.0.0.1:{server.port}"
    with pytest.raises(ValueError, match="at least 1024"):
        eiscope.Client(address, live_window_bytes=512)
    with pytest.raises(TypeError, match="whole number of bytes"):
        eiscope.Client(address, live_window_bytes="64k")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="live_channel_options"):
        import grpc

        with grpc.insecure_channel(address) as channel:
            eiscope.Client(channel=channel, live_window_bytes=4096)


def test_a_tensor_larger_than_the_window_arrives_whole(server, client, make_mlp):
    sim = make_mlp()  # layer0.W is 64 x 784 float32: 200 KB, against a window of 1 KB
    client.step(sim.id, 2)
    client.wait(sim.id, until=lambda s: s.step == 2 and s.state == "PAUSED", timeout=30)
    expected = client.parameters(sim.id, names=["layer0.W"])["layer0.W"]
    live = eiscope.Client(f"127.0.0.1:{server.port}", live_window_bytes=1024)
    with live, live.watch(sim.id, observables=["weights"], layers=["layer0.W"], timeout=10) as w:
        frame = next(iter(w))
    assert frame.step == 2 and np.array_equal(frame.value, expected)


def test_a_watch_from_a_step_on_a_live_window_client_still_gets_every_value(server, client, make_mlp):
    sim = make_mlp()
    client.step(sim.id, 300)
    client.wait(sim.id, until=lambda s: s.step == 300 and s.state == "PAUSED", timeout=60)
    live = eiscope.Client(f"127.0.0.1:{server.port}", live_window_bytes=1024)
    with live, live.watch(sim.id, observables=["loss"], from_step=0, until_paused=True, timeout=30) as w:
        steps = [f.step for f in w if f.observable == "loss"]
    assert steps == list(range(1, 301))


def _ages_of_a_slow_reader(address: str, sim_id: str, window, seconds: float, out: dict) -> None:
    """Reads `loss` at about 100 frames a second for `seconds`; out[window] = (age in s of each
    frame read in the last second, the largest merged_count seen)."""
    ages, merged = [], 1
    c = eiscope.Client(address, live_window_bytes=window)
    with c, c.watch(sim_id, observables=["loss"], timeout=seconds + 30) as w:
        start = time.monotonic()
        for frame in w:
            now = time.monotonic()
            if now - start > seconds:
                break
            if now - start > seconds - 1:
                ages.append(time.time() - frame.wall_time)
            merged = max(merged, frame.merged_count)
            time.sleep(0.01)
    out[window] = (ages, merged)


def test_a_slow_reader_of_a_live_window_reads_recent_merged_frames_where_the_default_window_ages(
    server, client, make_mlp
):
    # A run making thousands of loss frames a second, two readers taking 100 a second: the one
    # with gRPC's window falls further behind each second (its frames wait in buffers, each as
    # it was); the one with a 1 KB window leaves them on the server, which merges what waits
    # longer than --max-stream-lag-ms (100) into the newest sample, with its count.
    sim = make_mlp()
    client.play(sim.id)
    out: dict = {}
    readers = [
        threading.Thread(
            target=_ages_of_a_slow_reader,
            args=(f"127.0.0.1:{server.port}", sim.id, window, 4.0, out),
        )
        for window in (None, 1024)
    ]
    for r in readers:
        r.start()
    for r in readers:
        r.join(60)
    client.pause(sim.id)
    (default_ages, default_merged), (live_ages, live_merged) = out[None], out[1024]
    assert live_ages and default_ages
    live_lag, default_lag = statistics.median(live_ages), statistics.median(default_ages)
    assert live_lag < 1.5, f"frames read through a 1 KB window were {live_lag:.2f} s old"
    assert live_merged > 1, "the server merged nothing for the slow live reader"
    assert default_lag > 2 * live_lag, (
        f"gRPC's own window: {default_lag:.2f} s behind, a 1 KB window: {live_lag:.2f} s"
    )
    print(f"lag: default {default_lag:.3f} s (merged up to {default_merged}), 1 KB {live_lag:.3f} s")
