"""Runs per second of a 200-run sweep of small r-of-k runs on one server (issue 14's benchmark),
with the run record embedded (SQLite) and in PostgreSQL (the shared store a cluster needs), at a
step budget of 1 (what a run costs besides training: create, validate, record, checkpoint,
schedule) and of 200 steps.

    .tools/venv/bin/python bench/sweep_throughput.py [--jar server/app/target/eiscope-server.jar]
        [--runs 200] [--budgets 1,200] [--stores sqlite,postgresql] [--repeats 2]

Each measurement starts a fresh server (a free port, a fresh data directory; for PostgreSQL a
fresh database of a cluster this script starts from Debian's package on 127.0.0.1, as the tests
do) with OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, creates the sweep
(concurrency: the server's cores) and times it from CreateSweep until it is DONE.
"""

import argparse
import glob
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

import eiscope
from server_process import served

SPEC = {
    "model": "point_neuron",
    "learning_rule": {"kind": "sgd", "learning_rate": 0.05},
    "task": {"kind": "r_of_k", "inputs": 200, "train_size": 1000, "held_out_size": 200},
    "batch_size": 50,
    "eval_every_steps": 50,
}


class Postgres:
    """A PostgreSQL cluster of Debian's package in a temporary directory on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
        self.bin = os.path.dirname(bins[-1])
        self.dir = tempfile.mkdtemp(prefix="eiscope-pg-bench")
        self.root = os.geteuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        data = os.path.join(self.dir, "data")
        self._run(
            "initdb",
            "-D",
            data,
            "-A",
            "trust",
            "-U",
            "eiscope",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            data,
            "-l",
            os.path.join(self.dir, "log"),
            "-w",
            "-o",
            opts,
            "start",
        )
        self.count = 0

    def _run(self, tool: str, *args: str) -> None:
        cmd = (["runuser", "-u", "postgres", "--"] if self.root else []) + [
            os.path.join(self.bin, tool),
            *args,
        ]
        subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def new_database(self) -> str:
        self.count += 1
        name = f"bench{self.count}"
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "eiscope", name
        )
        return f"postgresql://eiscope@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(
            "pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop"
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def run_sweep(port: int, runs: int, budget: int) -> tuple[float, str]:
    """Seconds from CreateSweep to DONE of a sweep of `runs` seeds on the server at `port`, and
    the sweep's id."""
    with eiscope.Client(f"127.0.0.1:{port}") as c:
        t0 = time.monotonic()
        sweep = c.create_sweep(
            grid={"seed": list(range(1, runs + 1))}, step_budget=budget, **SPEC
        )
        done = c.wait_for_sweep(sweep.id, timeout=3600, poll_s=0.05)
        seconds = time.monotonic() - t0
        assert done.state == "DONE" and done.done_runs == runs, done
        return seconds, sweep.id


def measure(jar: str, runs: int, budget: int, store: str) -> float:
    args = ["--web-root", "/nonexistent"] + (["--store", store] if store else [])
    with served(jar, *args) as port:
        return run_sweep(port, runs, budget)[0]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--jar", default="server/app/target/eiscope-server.jar")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--budgets", default="1,200")
    p.add_argument("--stores", default="sqlite,postgresql")
    p.add_argument("--repeats", type=int, default=2)
    a = p.parse_args()
    stores = a.stores.split(",")
    pg = Postgres() if "postgresql" in stores else None
    try:
        print(f"cores: {os.cpu_count()}; {a.runs} runs a sweep", flush=True)
        for budget in [int(b) for b in a.budgets.split(",")]:
            for store in stores:
                times = []
                for _ in range(a.repeats):
                    url = pg.new_database() if store == "postgresql" else ""
                    times.append(measure(a.jar, a.runs, budget, url))
                med = statistics.median(times)
                print(
                    f"budget {budget:>4} steps, {store:<10}: {', '.join(f'{t:.1f}' for t in times)} s"
                    f" -> {a.runs / med:.1f} runs/s, {1000 * med / a.runs:.0f} ms a run",
                    flush=True,
                )
    finally:
        if pg:
            pg.stop()


if __name__ == "__main__":
    main()
