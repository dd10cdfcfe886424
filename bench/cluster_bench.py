"""Issue 14's cluster benchmarks, on this machine (not timed tests):

1. runs per second of a 200-run sweep of small r-of-k runs on one member vs three members of a
   cluster (all on 127.0.0.1, one PostgreSQL record, one data directory), at a step budget of 1
   (what a run costs besides training) and of 200 steps; beside them, one server on its own on
   the same PostgreSQL (no cluster), so that the cost of being a member shows;
2. the latency of a live watch read through the member that trains the run vs through another
   member (which relays the owner's stream): p50 / p99 of (arrival - the frame's wall time), both
   watches open at once on the same run (the demo's MLP on Fashion-MNIST, a loss frame a step),
   so that they see the same frames.

    .tools/venv/bin/python bench/cluster_bench.py [--jar server/app/target/eiscope-server.jar]
        [--runs 200] [--budgets 1,200] [--repeats 2] [--watch-seconds 20] [--skip-sweeps]

Members run with OPENBLAS_NUM_THREADS=1 and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, as the
other benchmarks. On a 2-core machine three members share the two cores: the sweep rows measure
what the cluster costs, not what more machines would give.
"""

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator

import eiscope
from server_process import start
from sweep_throughput import Postgres, run_sweep


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def members(jar: str, n: int, store: str, cluster: bool = True) -> Iterator[list[int]]:
    """n members of one cluster (or, with cluster=False and n=1, a server on its own) on a fresh
    shared data directory, started one after another; yields their gRPC ports."""
    hz = [free_port() for _ in range(n)]
    listed = ",".join(f"127.0.0.1:{p}" for p in hz)
    procs: list[subprocess.Popen[str]] = []
    ports: list[int] = []
    with tempfile.TemporaryDirectory() as data:
        try:
            for p in hz:
                args = ["--web-root", "/nonexistent", "--store", store]
                if cluster:
                    args += [
                        "--cluster",
                        "--cluster-port",
                        str(p),
                        "--cluster-members",
                        listed,
                    ]
                proc, port = start(jar, data, *args)
                procs.append(proc)
                ports.append(port)
            time.sleep(1.0)  # every member has published its address and load
            yield ports
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(60)


def sweep_seconds(port: int, runs: int, budget: int) -> tuple[float, int]:
    """Seconds from CreateSweep to DONE, and on how many members its runs were made."""
    seconds, sweep_id = run_sweep(port, runs, budget)
    with eiscope.Client(f"127.0.0.1:{port}") as c:
        return seconds, len(
            {s.member for s in c.list() if f"sweep:{sweep_id}" in s.tags}
        )


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def watch_latency(ports: list[int], seconds: float) -> None:
    a = eiscope.Client(f"127.0.0.1:{ports[0]}")
    # The demo's MLP on Fashion-MNIST: a few hundred steps a second, a loss frame each, which a
    # Python client keeps up with (a point neuron's tens of thousands a second it does not).
    run = a.create(preset="mlp-fashion-mnist", seed=1)
    owner = run.member
    other = next(p for p in ports if f"127.0.0.1:{p}" != owner)
    owner_port = int(owner.rsplit(":", 1)[1])
    lat: dict[str, list[float]] = {"owner": [], "other member": []}

    def follow(name: str, port: int, stop: threading.Event) -> None:
        c = eiscope.Client(f"127.0.0.1:{port}")
        for f in c.watch(run.id, observables=["loss"]):
            lat[name].append((time.time_ns() - f.wall_time_unix_nanos) / 1e6)
            if stop.is_set():
                break

    stop = threading.Event()
    threads = [
        threading.Thread(target=follow, args=("owner", owner_port, stop), daemon=True),
        threading.Thread(
            target=follow, args=("other member", other, stop), daemon=True
        ),
    ]
    for t in threads:
        t.start()
    time.sleep(1.0)
    a.play(run.id)
    time.sleep(seconds)
    stop.set()
    a.pause(run.id)
    for t in threads:
        t.join(10)
    for name, xs in lat.items():
        xs = xs[len(xs) // 10 :]  # the first tenth warms up
        print(
            f"watch through the {name:<12}: {len(xs)} frames, p50 {percentile(xs, 0.5):.2f} ms,"
            f" p99 {percentile(xs, 0.99):.2f} ms",
            flush=True,
        )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--jar", default="server/app/target/eiscope-server.jar")
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--budgets", default="1,200")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--watch-seconds", type=float, default=20)
    p.add_argument("--skip-sweeps", action="store_true")
    a = p.parse_args()
    pg = Postgres()
    try:
        print(
            f"cores: {os.cpu_count()}; {a.runs} runs a sweep; PostgreSQL record",
            flush=True,
        )
        if not a.skip_sweeps:
            for budget in [int(b) for b in a.budgets.split(",")]:
                for label, n, cluster in (
                    ("server alone", 1, False),
                    ("1 member", 1, True),
                    ("3 members", 3, True),
                ):
                    times, spread = [], 0
                    for _ in range(a.repeats):
                        with members(a.jar, n, pg.new_database(), cluster) as ports:
                            t, spread = sweep_seconds(ports[-1], a.runs, budget)
                            times.append(t)
                    med = statistics.median(times)
                    print(
                        f"budget {budget:>4} steps, {label:<12}: {', '.join(f'{t:.1f}' for t in times)} s"
                        f" -> {a.runs / med:.1f} runs/s, {1000 * med / a.runs:.0f} ms a run"
                        f" (runs made on {spread} member{'s' if spread > 1 else ''})",
                        flush=True,
                    )
        with members(a.jar, 3, pg.new_database()) as ports:
            watch_latency(ports, a.watch_seconds)
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
