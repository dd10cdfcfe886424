"""Time travel through the SDK, against a live server: parameters, measurements and forks at
past steps of a steered run equal those of a twin (same spec and seed, same commands) stepped to
that step, bit for bit; reconstruct() reports its progress from the nearest checkpoint and is
then served from the cache; a checkpoint saved at a past step; and the error paths.

The runs are small MLPs checkpointed every EVERY steps, so a past step is rebuilt by replaying
at most EVERY steps; their log holds one learning-rate change at STEER_AT."""

import contextlib
import time

import numpy as np
import pytest

import eiscope
from eiscope import commands

EVERY = 50
STEER_AT = 60
END = 160
SPEC = dict(
    model={"kind": "mlp", "hidden": [32]},
    learning_rule={"kind": "sgd", "learning_rate": 0.05},
    task={"kind": "fashion_mnist"},
    batch_size=16,
    seed=5,
    name="time travel",
    checkpoint_every_steps=EVERY,
)


def go(client, sim_id, target):
    """Steps the run to `target` and waits until it is paused there."""
    n = target - client.get(sim_id).step
    if n > 0:
        client.step(sim_id, n)
        sim = client.wait_for_step(sim_id, target, timeout=60)
        assert (sim.step, sim.state) == (target, "PAUSED")


def drive(client, sim_id, target):
    """Steps the run to `target`, lowering the learning rate at STEER_AT on the way."""
    if client.get(sim_id).step < STEER_AT <= target:
        go(client, sim_id, STEER_AT)
        assert client.apply(sim_id, commands.set_rule_params(learning_rate=0.02)).effective_step == STEER_AT
    go(client, sim_id, target)


def assert_same_bits(actual, expected):
    assert actual.keys() == expected.keys()
    for name, value in expected.items():
        assert actual[name].dtype == value.dtype == np.float32, name
        assert actual[name].shape == value.shape, name
        assert actual[name].tobytes() == value.tobytes(), name


def content(frame):
    """A frame's step, names, kind and payload bits: what a twin must share (not its id or time)."""
    value = frame.value
    if isinstance(value, tuple):
        value = tuple(np.asarray(v).tobytes() for v in value)
    elif isinstance(value, np.ndarray):
        value = (value.dtype.str, value.shape, value.tobytes())
    else:
        value = float(value).hex()
    return frame.step, frame.observable, frame.layer, frame.kind, value, frame.merged_count, frame.dropped


@pytest.fixture
def make_run(client):
    """Creates runs of SPEC (keyword arguments override it) and deletes them after the test."""
    created = []

    def make(**overrides):
        sim = client.create(**{**SPEC, **overrides})
        created.append(sim.id)
        return sim

    yield make
    for sim_id in created:
        with contextlib.suppress(eiscope.NotFoundError):
            client.delete(sim_id)


@pytest.fixture(scope="module")
def run(client):
    """The steered run, paused at END; shared by the tests that only read its past."""
    sim = client.create(**SPEC)
    assert sim.spec.checkpoints.every_steps == EVERY
    drive(client, sim.id, END)
    yield sim
    client.delete(sim.id)


def test_parameters_at_past_steps_equal_a_twin_stepped_there_bit_for_bit(client, run, make_run):
    twin = make_run()
    for k in (0, 37, EVERY, STEER_AT, 99, 137):
        drive(client, twin.id, k)
        assert_same_bits(client.parameters(run.id, step=k), client.parameters(twin.id))
        only = client.parameters(run.id, ["layer0.W"], step=k)
        assert list(only) == ["layer0.W"]
    start, late = client.parameters(run.id, step=0), client.parameters(run.id, step=137)
    assert not np.array_equal(start["layer0.W"], late["layer0.W"]), "the run learned meanwhile"
    assert client.get(run.id).step == END, "reading the past does not move the run"


def test_a_fork_from_a_past_step_starts_there_with_the_log_up_to_it_and_equals_the_twin(
    client, run, make_run
):
    k = 117
    fork = client.fork(run.id, step=k)
    try:
        assert (fork.parent_id, fork.fork_step, fork.step, fork.state) == (run.id, k, k, "PAUSED")
        assert [step for step, _ in client.intervention_log(fork.id)] == [STEER_AT]
        twin = make_run()
        drive(client, twin.id, k)
        assert_same_bits(client.parameters(fork.id), client.parameters(twin.id))
        go(client, fork.id, k + 30)
        go(client, twin.id, k + 30)
        assert_same_bits(client.parameters(fork.id), client.parameters(twin.id))
        assert client.get(run.id).step == END
    finally:
        client.delete(fork.id)


def test_measure_at_a_past_step_equals_the_twins_measure_at_that_step(client, run, make_run):
    k = 133
    wanted = ["singular_values", "weight_histogram", "activation_mean", "weights"]
    past = client.measure(run.id, wanted, layers=["layer0"], step=k)
    twin = make_run()
    drive(client, twin.id, k)
    now = client.measure(twin.id, wanted, layers=["layer0"])
    assert [content(f) for f in past] == [content(f) for f in now]
    assert {f.simulation_id for f in past} == {run.id}
    by_name = {(f.observable, f.layer): f for f in past}
    assert set(by_name) >= {
        ("singular_values", "layer0.W"),
        ("weight_histogram", "layer0.W"),
        ("activation_mean", "layer0"),
        ("weights", "layer0.W"),
    }
    assert all(f.step == k for f in past)
    spectrum = by_name["singular_values", "layer0.W"]
    assert spectrum.kind == "tensor" and spectrum.value.dtype == np.float32
    assert spectrum.value.shape == (32,) and np.all(np.diff(spectrum.value) <= 0), "descending"
    edges, counts = by_name["weight_histogram", "layer0.W"].value
    assert len(edges) == len(counts) + 1 and counts.sum() == 32 * 784
    assert isinstance(by_name["activation_mean", "layer0"].value, float)
    weights = by_name["weights", "layer0.W"].value
    assert weights.tobytes() == client.parameters(run.id, ["layer0.W"], step=k)["layer0.W"].tobytes()


def test_reconstruct_reports_progress_from_the_nearest_checkpoint_then_serves_from_the_cache(
    client, make_run
):
    sim = make_run()
    go(client, sim.id, END)
    # The checkpoint taken as the run stopped at END is written after every earlier one: once it is
    # listed, the list is complete (a lagging interval checkpoint may still be in the writer's queue).
    deadline = time.monotonic() + 30
    while not any(c.step == END for c in client.checkpoints(sim.id)):
        assert time.monotonic() < deadline, f"the checkpoint at the stop step {END} is listed"
        time.sleep(0.05)
    k = 137
    nearest = max(c.step for c in client.checkpoints(sim.id) if c.step <= k)
    assert k - 2 * EVERY <= nearest <= k, "checkpoints every EVERY steps (later if a write lagged)"
    seen = []
    last = client.reconstruct(sim.id, k, progress=seen.append)
    assert isinstance(last, eiscope.ReconstructionProgress)
    assert (last.step, last.source, last.from_step, last.done) == (k, "checkpoint", nearest, True)
    assert last.replayed_steps == last.total_steps == k - nearest
    assert seen[-1] == last and seen[0].replayed_steps == 0
    assert [p.done for p in seen] == [False] * (len(seen) - 1) + [True]
    replayed = [p.replayed_steps for p in seen]
    assert replayed == sorted(replayed)

    again = client.reconstruct(sim.id, k)
    assert (again.source, again.from_step, again.total_steps, again.done) == ("cache", k, 0, True)
    live = []
    assert client.reconstruct(sim.id, END, progress=live.append).source == "live"
    assert len(live) == 1 and live[0].done


def test_a_progress_callback_that_raises_cancels_the_reconstruction(client, make_run):
    sim = make_run()
    go(client, sim.id, 90)

    class GiveUp(Exception):
        pass

    def give_up(progress):
        raise GiveUp(progress.step)

    with pytest.raises(GiveUp):
        client.reconstruct(sim.id, 80, progress=give_up)
    assert client.reconstruct(sim.id, 80).done, "the client and the server carry on"


def test_a_checkpoint_saved_at_a_past_step_is_pinned_and_holds_that_steps_parameters(client, run):
    saved = client.save_checkpoint(run.id, step=123)
    assert (saved.step, saved.pinned, saved.reason) == (123, True, "time travel")
    assert_same_bits(client.checkpoint(run.id, step=123), client.parameters(run.id, step=123))
    existing = next(c for c in client.checkpoints(run.id) if not c.pinned and c.step < END)
    pinned = client.save_checkpoint(run.id, step=existing.step)
    assert (pinned.pinned, pinned.reason, pinned.sha256) == (True, existing.reason, existing.sha256)


def test_steps_ahead_of_the_run_raise_out_of_range_and_bad_requests_invalid_argument(client, make_run):
    sim = make_run()
    go(client, sim.id, 20)
    with pytest.raises(eiscope.OutOfRangeError) as error:
        client.parameters(sim.id, step=21)
    assert error.value.code == "OUT_OF_RANGE"
    assert "ahead" in error.value.message and "step 20" in error.value.message
    for call in (
        lambda: client.fork(sim.id, step=99),
        lambda: client.save_checkpoint(sim.id, step=99),
        lambda: client.measure(sim.id, ["weights"], step=99),
        lambda: client.reconstruct(sim.id, 50),
    ):
        with pytest.raises(eiscope.OutOfRangeError):
            call()
    with pytest.raises(eiscope.InvalidArgumentError):
        client.parameters(sim.id, step=-1)
    with pytest.raises(eiscope.InvalidArgumentError, match="GetHistory"):
        client.measure(sim.id, "loss", step=3)
    with pytest.raises(eiscope.InvalidArgumentError, match="layer9"):
        client.measure(sim.id, ["weights"], layers=["layer9"])
    with pytest.raises(eiscope.NotFoundError):
        client.reconstruct("no-such-run", 1)
    assert client.get(sim.id).step == 20


def pooled_reference(values, max_rows, max_cols):
    """Each block's value of largest magnitude (numpy, by the documented block bounds)."""
    m = values if values.ndim == 2 else values.reshape(1, -1)
    rows, cols = m.shape
    r, c = min(rows, max_rows), min(cols, max_cols)
    out = np.empty((r, c), dtype=np.float32)
    for i in range(r):
        for j in range(c):
            block = m[i * rows // r : (i + 1) * rows // r, j * cols // c : (j + 1) * cols // c].ravel()
            out[i, j] = block[np.argmax(np.abs(block))]
    return out if values.ndim == 2 else out.ravel()


def test_a_heatmap_reads_the_change_since_start_pooled_on_the_server(client, make_mlp):
    sim = make_mlp(seed=3)
    go(client, sim.id, 30)
    start = client.parameters(sim.id, step=0)
    now = client.parameters(sim.id)
    pooled = client.parameters(sim.id, max_rows=10, max_cols=12, change_since_start=True)
    assert list(pooled) == list(now)
    for name, values in now.items():
        expected = pooled_reference(values - start[name], 10, 12)
        assert pooled[name].shape == expected.shape, name
        np.testing.assert_array_equal(pooled[name], expected, err_msg=name)
    assert pooled["layer0.W"].shape == (10, 12)  # from 64 x 784
    with pytest.raises(eiscope.InvalidArgumentError, match="max_rows must be >= 0"):
        client.parameters(sim.id, max_rows=-1)
