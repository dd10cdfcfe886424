"""eiscope.notebook.live_curves against a live server: what the figure draws is the run record
(GetHistory, read in full by the test) at the same steps, first from the history, then from the
watch as the runs train. Widgets are built in this process, without a page; matplotlib renders
with Agg (ipympl's canvas), so nothing needs a display."""

import contextlib
import threading
import time

import numpy as np
import pytest

import eiscope
from eiscope.notebook import live_curves


def go(client, run_id, n):
    """Steps a run n times and waits until it is there."""
    result = client.step(run_id, n)
    client.wait_for_step(run_id, result.effective_step + n)


def recorded(client, run_id):
    """The run's whole loss record, not downsampled: [(step, value), ...]."""
    frame = client.history(run_id, observables=["loss"])
    return list(zip(frame["step"].tolist(), frame["value"].tolist()))


def drawn(curves, run_id):
    line = curves.line(run_id)
    return list(zip(np.asarray(line.get_xdata()).tolist(), np.asarray(line.get_ydata()).tolist()))


def last_drawn(curves, run_id):
    steps = np.asarray(curves.line(run_id).get_xdata())
    return int(steps[-1]) if len(steps) else -1


@pytest.fixture
def forks(client):
    """Deletes the forks a test made."""
    made = []
    yield made
    for run_id in made:
        with contextlib.suppress(eiscope.NotFoundError):
            client.delete(run_id)


def watch_threads():
    return [t for t in threading.enumerate() if t.name.startswith("eiscope-")]


def test_each_run_is_drawn_from_its_record_then_from_the_watch_and_a_fork_continues_its_parent(
    client, make_mlp, forks
):
    sim = make_mlp(seed=11, name="baseline")
    go(client, sim.id, 40)
    fork = client.fork(sim.id)
    forks.append(fork.id)
    go(client, fork.id, 10)
    curves = live_curves(client, [sim.id, fork.id], "loss")
    try:
        parent = recorded(client, sim.id)
        assert [s for s, _ in parent] == list(range(1, 41))
        assert drawn(curves, sim.id) == parent
        assert drawn(curves, fork.id) == parent + recorded(client, fork.id)  # steps 1..40, then 41..50
        assert [t.get_text() for t in curves.figure.axes[0].get_legend().get_texts()] == [
            "baseline",
            fork.name,
        ]

        go(client, sim.id, 25)
        go(client, fork.id, 5)
        curves.wait_until(lambda: last_drawn(curves, sim.id) >= 65 and last_drawn(curves, fork.id) >= 55, 30)
        assert drawn(curves, sim.id) == recorded(client, sim.id)  # 1..65: the watch added 41..65
        assert drawn(curves, fork.id) == parent + recorded(client, fork.id)  # 1..55
        assert [s for s, _ in drawn(curves, fork.id)] == list(range(1, 56))
        assert "loss up to step 65" in curves.status
    finally:
        curves.close()


def test_history_is_downsampled_and_live_points_thinned_keeping_real_points_and_extremes(client, make_mlp):
    sim = make_mlp(seed=12)
    go(client, sim.id, 60)
    curves = live_curves(client, sim.id, max_points=8)
    try:
        record = dict(recorded(client, sim.id))
        first = drawn(curves, sim.id)
        assert len(first) <= 8 and first[-1][0] == 60
        assert all(record[s] == v for s, v in first), "every point drawn is a recorded one"
        assert min(record.values()) in [v for _, v in first] and max(record.values()) in [v for _, v in first]

        go(client, sim.id, 60)
        curves.wait_for_step(120, timeout=30)
        record = dict(recorded(client, sim.id))
        now = drawn(curves, sim.id)
        assert now[-1][0] == 120 and len(now) <= 2 * 8 + len(first)
        assert all(record[s] == v for s, v in now)
    finally:
        curves.close()


def test_smoothing_draws_the_debiased_moving_average_over_faint_points(client, make_mlp):
    sim = make_mlp(seed=13)
    go(client, sim.id, 30)
    curves = live_curves(client, [sim], smoothing=0.8)
    try:
        raw = np.asarray(curves.line(sim.id).get_ydata(), dtype=np.float64)
        smoothed = curves.smoothed_line(sim.id)
        assert smoothed is not None and curves.line(sim.id).get_alpha() == pytest.approx(0.3)
        acc, expected = 0.0, []
        for k, v in enumerate(raw, 1):  # TensorBoard: EMA divided by 1 - w^k
            acc = 0.8 * acc + 0.2 * v
            expected.append(acc / (1 - 0.8**k))
        np.testing.assert_allclose(smoothed.get_ydata(), expected, rtol=1e-12)
        np.testing.assert_array_equal(smoothed.get_xdata(), curves.line(sim.id).get_xdata())
    finally:
        curves.close()


def test_redraws_keep_to_their_rate_however_fast_the_run_goes(client, make_mlp):
    sim = make_mlp(seed=14)
    curves = live_curves(client, sim.id, max_redraws_per_s=4)
    draws = []
    original = curves.canvas.draw
    curves.canvas.draw = lambda: (draws.append(time.monotonic()), original())
    try:
        go(client, sim.id, 400)
        curves.wait_for_step(400, timeout=30)
        assert len(draws) >= 2
        gaps = np.diff(draws)
        assert gaps.min() >= 0.25 - 0.01, f"redraws {gaps.min():.3f} s apart at 4 a second"
    finally:
        curves.close()


def test_a_per_layer_scalar_is_drawn_for_its_layer(client, make_mlp):
    sim = make_mlp(seed=18)
    curves = live_curves(client, sim.id, "nse", layer="layer0.W")  # its watch asks for the NSE
    try:
        assert curves.figure.axes[0].get_ylabel() == "nse (layer0.W)"
        # The NSE is measured while someone watches it, and the curves' watch starts on their own
        # thread: steps taken before it is in place have no NSE (CI once stepped all 40 first and
        # waited 30 s for nothing). Step until the watch has drawn two measurements.
        deadline = time.monotonic() + 60
        while len(drawn(curves, sim.id)) < 2 and time.monotonic() < deadline:
            go(client, sim.id, 20)
            with contextlib.suppress(TimeoutError):
                curves.wait_until(lambda: len(drawn(curves, sim.id)) >= 2, 2)
        assert len(drawn(curves, sim.id)) >= 2, curves.status
        frame = client.history(sim.id, observables=["nse"], layers=["layer0.W"])
        record = dict(zip(frame["step"].tolist(), frame["value"].tolist()))
        assert set(frame["layer"]) == {"layer0.W"}
        # A measurement reaches the stream and the record separately (the newest may be drawn
        # before it is recorded): the points both hold agree, and there are some.
        points = drawn(curves, sim.id)
        common = [(s, v) for s, v in points if s in record]
        assert len(common) >= len(points) - 1 >= 1
        assert all(record[s] == v for s, v in common) and all(0 < v <= 1 for _, v in points)
    finally:
        curves.close()


def test_a_reset_run_starts_its_curve_again_and_a_deleted_one_is_said(client, make_mlp):
    sim = make_mlp(seed=15)
    go(client, sim.id, 20)
    curves = live_curves(client, sim.id)
    try:
        client.reset(sim.id)
        go(client, sim.id, 5)
        curves.wait_until(lambda: [s for s, _ in drawn(curves, sim.id)] == [1, 2, 3, 4, 5], 30)
        assert drawn(curves, sim.id) == recorded(client, sim.id)
        client.delete(sim.id)
        curves.wait_until(lambda: "was deleted" in curves.status, 30)
    finally:
        curves.close()


def test_closing_the_widget_stops_the_watches_and_the_redraw_thread(client, make_mlp):
    sim = make_mlp(seed=16)
    before = set(watch_threads())
    curves = live_curves(client, sim.id)
    started = set(watch_threads()) - before
    assert {t.name for t in started} == {"eiscope-redraw", f"eiscope-watch-{sim.id}"}
    curves.widget.close()  # what closing the widget in the page does too
    assert curves.stopped and "stopped" in curves.status
    assert not any(t.is_alive() for t in started)
    assert curves.canvas.comm is None, "the canvas inside is closed too"
    curves.close()  # idempotent


def test_a_resize_from_the_page_waits_for_a_redraw_in_progress_then_applies(client, make_mlp):
    sim = make_mlp(seed=19)
    curves = live_curves(client, sim.id)
    try:
        resized = threading.Event()
        message = {"type": "resize", "width": 500, "height": 300}  # what ipympl's page sends
        page = threading.Thread(
            target=lambda: (curves.canvas._handle_message(None, message, []), resized.set())
        )
        with curves._lock:  # as the redraw thread holds it while it draws
            page.start()
            assert not resized.wait(0.5), "the page's message went through while the figure was being drawn"
        assert resized.wait(10)
        assert list(curves.figure.get_size_inches()) == [5.0, 3.0]
        go(client, sim.id, 5)
        curves.wait_for_step(5, timeout=30)
    finally:
        curves.close()


def test_wrong_arguments_are_refused_in_the_cell_with_what_to_give(client, make_mlp):
    sim = make_mlp(seed=17)
    with pytest.raises(
        ValueError, match=r"'weights' is not a scalar observable; the catalogue has \[.*'loss'"
    ):
        live_curves(client, sim.id, "weights")
    with pytest.raises(ValueError, match="'nse' is measured per layer: pass layer="):
        live_curves(client, sim.id, "nse")
    with pytest.raises(ValueError, match="'loss' is network-wide"):
        live_curves(client, sim.id, "loss", layer="layer0.W")
    with pytest.raises(ValueError, match=r"smoothing must be in \[0, 1\)"):
        live_curves(client, sim.id, smoothing=1.0)
    with pytest.raises(ValueError, match="max_redraws_per_s must be > 0"):
        live_curves(client, sim.id, max_redraws_per_s=0)
    with pytest.raises(eiscope.NotFoundError):
        live_curves(client, [sim.id, "sim-does-not-exist"])
    assert not watch_threads(), "a refused call starts no thread"
