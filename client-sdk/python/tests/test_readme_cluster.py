"""The README's cluster section, run as written: `./eiscope cluster` (PostgreSQL and three members
on 127.0.0.1:7071-7073, with its record in a temporary EISCOPE_DATA_DIR), then the section's Python
block against those members, then Ctrl-C (SIGINT to the command's process group, as a terminal
sends it), after which no member and no PostgreSQL is left."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from test_readme import REPO, python_blocks, run_block

import eiscope

_SH = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def cluster_section() -> tuple[str, str]:
    text = (REPO / "README.md").read_text()
    start = text.index("## A cluster")
    section = text[start : text.index("\n## ", start + 1)]
    (sh,) = _SH.findall(section)
    (py,) = python_blocks_of(section)
    return sh, py


def python_blocks_of(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_readme_cluster_section_runs_as_written(tmp_path, capsys):
    sh, py = cluster_section()
    assert sh.strip().startswith("./eiscope cluster")
    assert py in python_blocks(REPO / "README.md"), "the same block test_readme counts"
    env = dict(os.environ, EISCOPE_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        ["bash", "-c", sh],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    listening = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if sum("eiscope listening on http://127.0.0.1:707" in x for x in lines) == 3:
                listening.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.time() + 180
        while not listening.wait(0.5) and proc.poll() is None and time.time() < deadline:
            pass
        assert listening.is_set(), "three members did not start:\n" + "".join(lines[-40:])
        namespace = {"__name__": "readme-cluster"}
        run_block(py, namespace, "README.md cluster block")
        run = namespace["run"]
        members = {f"127.0.0.1:{p}" for p in (7071, 7072, 7073)}
        assert run.member in members
        for port in (7071, 7072, 7073):
            seen = eiscope.Client(f"127.0.0.1:{port}").get(run.id)
            assert (seen.step, seen.member) == (100, run.member)
        printed = capsys.readouterr().out.splitlines()
        assert printed[0] in members
        assert run.id in printed[1]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("./eiscope cluster did not stop within 60 s of Ctrl-C:\n" + "".join(lines[-40:]))
    reader.join(10)
    assert any("eiscope cluster stopped" in x for x in lines), "".join(lines[-20:])
    (pgdata,) = re.findall(r"\(data in (\S+)\)", lines[0])
    pid_file = Path(pgdata) / "postmaster.pid"
    deadline = time.time() + 20
    while pid_file.exists() and time.time() < deadline:
        time.sleep(0.2)
    assert not pid_file.exists(), "PostgreSQL is still running"
    if not pgdata.startswith(
        str(tmp_path)
    ):  # kept in postgres's home (root's temporary directory is closed to it)
        shutil.rmtree(pgdata)
