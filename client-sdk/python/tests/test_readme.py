"""The READMEs' Python snippets, run as written against the live server.

The ```python blocks of the repository's README.md (the short tour, the worked example, the
connectome) run in order in one namespace, and so do those of this SDK's README. The only
change made to them is the server address: the literal "127.0.0.1:7070" becomes the test
server's. They run in a temporary directory holding the one file they read, connectome.npy
(synapse counts, post x pre = 100 x 784). Each block runs on a thread with a deadline, so a
snippet that never ends (a watch loop that does not stop) fails instead of hanging. The SDK
README's tokens-and-TLS block runs against conftest's secure_server instead, from the
directory holding that server's .data, with a token in $EISCOPE_TOKEN.
"""

import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eiscope

REPO = Path(__file__).resolve().parents[3]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
BLOCK_TIMEOUT_S = 120.0


def python_blocks(readme: Path):
    return _BLOCK.findall(readme.read_text())


def run_block(source: str, namespace: dict, name: str) -> None:
    """Executes one snippet; fails the test if it raises or does not end in time."""
    outcome = {}

    def target():
        try:
            exec(compile(source, name, "exec"), namespace)
        except BaseException as e:  # reported below, on the test's thread
            outcome["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(BLOCK_TIMEOUT_S)
    if thread.is_alive():
        pytest.fail(f"{name} did not end within {BLOCK_TIMEOUT_S} s:\n{source}")
    if "error" in outcome:
        raise outcome["error"]


@pytest.fixture
def in_snippet_dir(tmp_path, monkeypatch):
    counts = np.random.default_rng(7).poisson(0.5, size=(100, 784))
    np.save(tmp_path / "connectome.npy", counts)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cleanup(client):
    """Deletes the simulations the snippets created."""
    before = {s.id for s in client.list()}
    yield
    for sim in client.list():
        if sim.id not in before:
            client.delete(sim.id)


def test_readme_python_snippets_run_as_written(client, server, in_snippet_dir, cleanup, capsys):
    blocks = python_blocks(REPO / "README.md")
    assert len(blocks) == 6, "tour, worked example, connectome, sweep, a paper's grid, a cluster"
    # The sixth needs a cluster: test_readme_cluster.py runs it with `./eiscope cluster`.
    address = f"127.0.0.1:{server.port}"
    namespace = {"__name__": "readme"}

    tour = blocks[0]
    assert "127.0.0.1:7070" in tour
    run_block(tour.replace("127.0.0.1:7070", address), namespace, "README.md block 1 (tour)")
    printed = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0]) for line in printed] == list(range(1, 201)), (
        "the tour's watch loop prints the loss of steps 1..200, then ends"
    )
    assert namespace["W"].shape == (100, 784)
    assert namespace["curve"]["step"].tolist() == list(range(1, 201))

    run_block(blocks[1], namespace, "README.md block 2 (worked example)")
    sim, fork = namespace["sim"], namespace["fork"]
    log = client.intervention_log(sim.id)
    assert [step for step, command in log if command.HasField("prune")] == [1000], (
        "prune lands at step 1000, where run_until paused the run"
    )
    assert (fork.parent_id, fork.fork_step) == (sim.id, 1000)
    assert client.get(fork.id).current_learning_rule["kind"] == "eg"
    assert set(namespace["curves"]["run"]) == {sim.id, fork.id}
    assert client.get(sim.id).step == client.get(fork.id).step == 2000

    run_block(blocks[2], namespace, "README.md block 3 (connectome)")
    assert namespace["sim"].initial_parameter_names == ["layer0.W"]

    run_block(blocks[3], namespace, "README.md block 4 (sweep)")
    groups = namespace["results"].groups
    assert list(groups["preset"]) == ["rofk-eg", "rofk-gd"]
    for g in groups.itertuples():
        finals = []
        for i in g.run_indices:
            run_id = namespace["results"].runs.run_id[i]
            frame = client.history(run_id, ["test_accuracy"])
            finals.append(frame[frame.layer == ""].sort_values("step").value.iloc[-1])
        assert g.test_accuracy_n == 3
        assert g.test_accuracy_final_mean == pytest.approx(np.mean(finals), abs=1e-12)
        assert g.test_accuracy_final_stderr == pytest.approx(np.std(finals, ddof=1) / np.sqrt(3), abs=1e-12)

    run_block(blocks[4], namespace, "README.md block 5 (a paper's grid)")
    table = namespace["table"]
    assert list(table["preset"]) == [f"rich-lazy-rank-{r}" for r in (1, 30, 100, 300)]
    for run_id in table.run_id:
        sim = client.get(run_id)
        assert (sim.step, sim.seed) == (50, 2)
        assert sim.spec.learning_rule.kind == "sgd"


def test_sdk_readme_python_snippets_run_as_written(client, server, in_snippet_dir, cleanup, capsys):
    blocks = python_blocks(REPO / "client-sdk/python/README.md")
    assert len(blocks) == 5, "the tour, the run record, time travel, in a notebook, tokens and TLS"
    namespace = {"__name__": "sdk_readme"}
    for i, block in enumerate(blocks[:3], 1):
        source = block.replace("127.0.0.1:7070", f"127.0.0.1:{server.port}")
        run_block(source, namespace, f"client-sdk/python/README.md block {i}")

    # The time-travel block: step 250 rebuilt from a checkpoint (at 200 unless a checkpoint
    # write was still in flight there), then read and forked.
    sim, done, fork = namespace["sim"], namespace["done"], namespace["fork"]
    assert (done.step, done.source, done.done) == (250, "checkpoint", True)
    assert 50 <= done.from_step <= 250 and done.total_steps == 250 - done.from_step
    assert namespace["W"].shape == (100, 784)
    assert (fork.parent_id, fork.fork_step, fork.step) == (sim.id, 250, 250)
    assert [c.reason for c in client.checkpoints(sim.id) if c.step == 250 and c.pinned] == ["time travel"]
    printed = capsys.readouterr().out
    assert f"{done.total_steps}/{done.total_steps} steps from checkpoint {done.from_step}" in printed
    assert "singular_values layer0.W 250" in printed
    assert "step 10000 is ahead of run" in printed

    # In a notebook, run as a script: the figures hold the record of both runs (the fork's
    # curve begins with its parent's 100 steps) and the weights at step 300, then stop.
    source = blocks[3].replace("127.0.0.1:7070", f"127.0.0.1:{server.port}")
    run_block(source, namespace, "client-sdk/python/README.md block 4 (in a notebook)")
    sim, fork, curves, heatmap = (namespace[k] for k in ("sim", "fork", "curves", "heatmap"))
    parent = client.history(sim.id, observables=["loss"])
    own = client.history(fork.id, observables=["loss"])
    expected = {sim.id: parent, fork.id: pd.concat([parent[parent["step"] <= 100], own])}
    for run_id, record in expected.items():
        line = curves.line(run_id)
        assert list(line.get_xdata()) == record["step"].tolist() == list(range(1, 301))
        assert list(line.get_ydata()) == record["value"].tolist()
    assert heatmap.step == 300 and heatmap.values.shape == (100, 196)
    pooled = client.parameters(sim.id, ["layer0.W"], step=300, max_rows=100, max_cols=196)["layer0.W"]
    np.testing.assert_array_equal(heatmap.values, pooled)
    assert curves.stopped and heatmap.stopped
    assert (in_snippet_dir / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sdk_readme_tokens_and_tls_block_runs_as_written(secure_server, monkeypatch, capsys):
    """Against the server with --auth token --tls-self-signed, from the directory that holds
    its .data (so ".data/tls/cert.pem" is its certificate), with a steer token of alice's in
    $EISCOPE_TOKEN."""
    block = python_blocks(REPO / "client-sdk/python/README.md")[4]
    assert block.count("127.0.0.1:7070") == 2 and ".data/tls/cert.pem" in block
    monkeypatch.chdir(secure_server.data_dir.parent)
    monkeypatch.setenv("EISCOPE_TOKEN", "alice-steer-0123456789abcdef")
    namespace = {"__name__": "sdk_readme_tls", "eiscope": eiscope}
    source = block.replace("127.0.0.1:7070", f"127.0.0.1:{secure_server.port}")
    run_block(source, namespace, "client-sdk/python/README.md block 4 (tokens and TLS)")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "alice"
    assert printed[1].startswith("this server needs a token: send the header 'authorization: Bearer")
    assert namespace["sim"].owner == "alice"
