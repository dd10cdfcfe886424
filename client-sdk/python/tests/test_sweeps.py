"""Sweeps against a live server: a grid's runs against the same specs made one by one, the
results table and its mean ± s.e. against numpy on the runs' own histories, pause / resume /
cancel, and the server's validation messages."""

import time

import numpy as np
import pytest

from eiscope import InvalidArgumentError, NotFoundError, Range

BASE = dict(
    model="point_neuron",
    learning_rule="sgd",
    task={"kind": "r_of_k", "inputs": 200, "train_size": 1000, "held_out_size": 200},
    batch_size=50,
    eval_every_steps=50,
)


def final_and_best(client, run_id):
    frame = client.history(run_id, ["loss"])
    loss = frame[frame.layer == ""].sort_values("step").value.to_numpy()
    return loss[-1], loss.min()


def test_a_grid_matches_runs_made_one_by_one_and_its_table_matches_numpy(client):
    lrs, seeds = [0.01, 0.05], [1, 2]
    sweep = client.create_sweep(
        grid={"learning_rule.learning_rate": lrs, "seed": seeds},
        name="py grid",
        step_budget=80,
        concurrency=2,
        **BASE,
    )
    assert (sweep.total_runs, sweep.concurrency, sweep.state) == (4, 2, "RUNNING")
    done = client.wait_for_sweep(sweep.id, timeout=180)
    assert done.state == "DONE"
    assert [r.values for r in done.runs] == [
        {"learning_rule.learning_rate": lr, "seed": s} for lr in lrs for s in seeds
    ]
    results = client.sweep_results(sweep.id, ["loss"])
    runs = results.runs
    assert list(runs["learning_rule.learning_rate"]) == [0.01, 0.01, 0.05, 0.05]
    for _, row in runs.iterrows():
        assert (row.state, row.step) == ("FINISHED", 80)
        assert "sweep:" + sweep.id in client.get(row.run_id).tags
        final, best = final_and_best(client, row.run_id)
        assert row.loss_final == final and row.loss_best == best
        lr = row["learning_rule.learning_rate"]
        twin = client.create(
            **{**BASE, "learning_rule": {"kind": "sgd", "learning_rate": lr}},
            seed=int(row.seed),
            step_budget=80,
        )
        client.play(twin.id)
        client.wait(twin.id, until=lambda s: s.state == "FINISHED", timeout=120)
        for name, w in client.parameters(twin.id).items():
            np.testing.assert_array_equal(client.parameters(row.run_id, [name])[name], w)
    groups = results.groups
    assert list(groups["learning_rule.learning_rate"]) == lrs
    for g in groups.itertuples():
        finals = np.array([final_and_best(client, runs.run_id[i])[0] for i in g.run_indices])
        assert g.loss_n == 2
        assert g.loss_final_mean == pytest.approx(finals.mean(), abs=1e-12)
        assert g.loss_final_stderr == pytest.approx(finals.std(ddof=1) / np.sqrt(2), abs=1e-12)
    assert sweep.id in [s.id for s in client.sweeps()]


def test_pause_resume_and_cancel(client):
    sweep = client.create_sweep(grid={"seed": [1, 2, 3]}, step_budget=1_000_000, concurrency=1, **BASE)
    deadline = time.monotonic() + 60
    while client.sweep(sweep.id).playing_runs != 1:
        assert time.monotonic() < deadline, "no run of the sweep started playing"
        time.sleep(0.05)
    paused = client.pause_sweep(sweep.id)
    assert paused.state == "PAUSED"
    assert all(client.get(r.run_id).state != "RUNNING" for r in paused.runs if r.run_id)
    assert client.resume_sweep(sweep.id).state == "RUNNING"
    cancelled = client.cancel_sweep(sweep.id)
    assert cancelled.state == "CANCELLED"
    made = [r.run_id for r in cancelled.runs if r.run_id]
    assert 1 <= len(made) < 3
    assert all(client.get(i).state == "PAUSED" for i in made)


def test_bad_sweeps_are_refused_naming_the_field(client):
    with pytest.raises(InvalidArgumentError, match=r"spec\.axes\[0\]\.field.*'lr'"):
        client.create_sweep(grid={"learning_rule.lr": [0.1]}, step_budget=10, **BASE)
    with pytest.raises(InvalidArgumentError, match=r"spec\.axes\[0\]\.values is empty"):
        client.create_sweep(grid={"seed": []}, step_budget=10, **BASE)
    with pytest.raises(InvalidArgumentError, match=r"log range needs min > 0"):
        client.create_sweep(
            random={"learning_rule.learning_rate": Range(0, 1, log=True)}, samples=2, step_budget=10, **BASE
        )
    with pytest.raises(NotFoundError):
        client.sweep("sweep-00000000")
    with pytest.raises(ValueError):
        client.create_sweep(step_budget=10, **BASE)


def test_a_papers_grid_starts_from_its_preset_with_fewer_seeds_and_steps(client):
    presets = {p.name: p for p in client.sweep_presets()}
    grid = presets["li2023-size-ei-grid"]
    assert grid.runs == 500 and grid.preset == "li2023-column-ei"
    assert grid.grid["model.hidden"][0] == [100] and grid.grid["model.hidden"][-1] == [1000]
    assert grid.grid["seed"] == [1, 2, 3, 4, 5]
    rich_lazy = presets["liu2024-rich-lazy"]
    assert rich_lazy.runs == 12 and rich_lazy.grid["seed"] == [2, 3, 4]

    sweep = client.create_sweep_from_preset("liu2024-rich-lazy", seeds=[3], step_budget=2, concurrency=2)
    assert sweep.total_runs == 4 and sweep.concurrency == 2
    done = client.wait_for_sweep(sweep.id, timeout=300)
    assert done.state == "DONE"
    results = client.sweep_results(sweep.id, rich_lazy.metrics)
    assert list(results.runs["preset"]) == rich_lazy.grid["preset"]
    assert set(results.runs["seed"]) == {3}
    for run_id in results.runs.run_id:
        sim = client.get(run_id)
        assert sim.step == 2 and sim.seed == 3

    with pytest.raises(ValueError, match=r"no sweep preset 'li2023-grid'.*li2023-size-ei-grid"):
        client.create_sweep_from_preset("li2023-grid")
