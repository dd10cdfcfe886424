"""Live streaming with subscribers in separate processes (issue 13's streaming table): steps/s of
one playing DANN, the server's training-thread CPU per step and event-loop CPU per frame, and
the step-to-client latency of loss frames, with 0, 1, 10, 100 subscriber processes, with the
clients sharing the cores with the server and with the clients pinned apart from it.

    .tools/venv/bin/python bench/streaming_external.py [--jar server/app/target/eiscope-server.jar]
        [--subscribers 0,1,10,100] [--placement shared,apart] [--seconds 8] [--warmup 2]
        [--server-warmup 5] [--server-cpus 0] [--client-cpus 1] [--live-window BYTES]
        [--live-unread MESSAGES]

Run it from the repository root. A JAR may carry JVM flags after a comma, as in one_run.py:
`--jar server/app/target/eiscope-server.jar,-Xmx1g`.

The model is that of the in-JVM streaming benchmark (docs/benchmarks.md, "Streaming";
StreamingBenchmark.java): DANN on Fashion-MNIST, hidden_excitatory [100], hidden_inhibitory
[10], `sgd` with correct_inhibitory, batch 32, seed 1, no held-out evaluation. One server per
placement (server_process.start: a free port, a fresh data directory, OPENBLAS_NUM_THREADS=1),
first warmed up unmeasured (--server-warmup s of a run with one subscriber: without it the JIT
compiling the streaming path took half a core in the first cell that streams); then for each
subscriber count a fresh run, played --warmup s before a window of --seconds s. Each subscriber is `python this-file --subscriber`, its
own process and connection, with two Watch calls through the SDK (with --live-unread, two Session subscriptions): `loss` every step, and
`weights` + `weight_histogram` of `layer0` at max_hz 10. Once every subscriber's streams stand
the run plays; after the warm-up, the window [t0, t1) is sent to the subscribers (as
CLOCK_MONOTONIC times, which all processes of the host share), which count the frames they
receive in it and the latency of each loss frame (receive wall time minus the frame's
wall_time_unix_nanos, same host clock), and report them as JSON on stdout when it ends.
Each subscriber also has a thread that sleeps 20 ms over and over and records how late it woke:
the floor of a frame's age, since the thread a message wakes runs no sooner than the scheduler
and the GIL let it.

Server CPU: per thread, from /proc/<pid>/task/<tid>/schedstat (time on CPU in ns) where the
kernel has it, else utime + stime of .../stat in clock ticks (10 ms granularity at 100 Hz: keep
the window long enough that the event loops, which run little, gather many ticks; the source
is printed). Training threads: those named `eiscope-sim-*` (the simulation worker pool);
event loops: `vert.x-eventloop-thread-*` (comm shows the first 15 characters,
`vert.x-eventloo`). Training CPU per step = their CPU in the window / steps made in it;
event-loop CPU per frame = theirs / frames all subscribers received in it.

Placement `shared`: nothing pinned. `apart`: every thread of the server pinned to
--server-cpus after it started (threads it makes later inherit that; its pools keep the sizes
they got for the whole machine, as under `shared`), every subscriber to --client-cpus.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

import eiscope
from server_process import start

TRAINING_PREFIX = "eiscope-sim-"
PROBE_SLEEP_S = 0.02  # each subscriber's wake-up probe sleeps this long, 50 times a second
EVENT_LOOP_PREFIX = "vert.x-eventloo"  # vert.x-eventloop-thread-N, cut to 15 characters
READY_TIMEOUT_S = 120.0


def dann_spec() -> dict:
    """create() arguments of StreamingBenchmark.dann(100, 10, 1)."""
    return {
        "model": {
            "kind": "dann",
            "hidden_excitatory": [100],
            "hidden_inhibitory": [10],
        },
        "learning_rule": {"kind": "sgd", "correct_inhibitory": True},
        "task": {"kind": "fashion_mnist"},
        "batch_size": 32,
        "seed": 1,
        "name": "bench",
    }


# -- CPU of processes and threads ------------------------------------------------------------


def cpu_source() -> str:
    """'schedstat' if the kernel reports time on CPU in ns, else 'stat' (clock ticks)."""
    try:
        with open("/proc/self/schedstat") as f:
            return "schedstat" if int(f.read().split()[0]) > 0 else "stat"
    except (OSError, ValueError, IndexError):
        return "stat"


def cpu_ns(proc_dir: str, source: str) -> int:
    """CPU time of the task (a process or one thread) at `proc_dir` (/proc/<pid> or
    /proc/<pid>/task/<tid>); for a process, of all its threads so far, live or ended."""
    if source == "schedstat" and os.path.basename(os.path.dirname(proc_dir)) == "task":
        with open(f"{proc_dir}/schedstat") as f:
            return int(f.read().split()[0])
    with open(f"{proc_dir}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime and stime (fields 14, 15) are fields[11], fields[12].
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int, source: str) -> dict[int, tuple[str, int]]:
    """tid -> (name, CPU ns) of every live thread of `pid`."""
    out: dict[int, tuple[str, int]] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        d = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{d}/comm") as f:
                name = f.read().strip()
            out[int(tid)] = (name, cpu_ns(d, source))
        except (OSError, ValueError):  # ended meanwhile
            pass
    return out


def delta_by_name(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> dict[int, tuple[str, int]]:
    """tid -> (name, CPU ns in between) of the threads alive at the end (a new one from 0)."""
    return {
        tid: (name, ns - (before[tid][1] if tid in before else 0))
        for tid, (name, ns) in after.items()
    }


def group(name: str) -> str:
    """The column of a server thread in the CPU breakdown."""
    if name.startswith(TRAINING_PREFIX):
        return "training"
    if name.startswith(EVENT_LOOP_PREFIX):
        return "event loops"
    if name.startswith(("GC Thread", "G1 ")):
        return "GC"
    if name.startswith(("C1 Compiler", "C2 Compiler")):
        return "JIT"
    return "other"


GROUPS = ("training", "event loops", "GC", "JIT", "other")


def pin(pid: int, cpus: set[int]) -> None:
    """Pins every thread of `pid` to `cpus` (threads it starts later inherit the affinity)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except ProcessLookupError:
            pass


def parse_cpus(text: str) -> set[int]:
    """'0-2,5' -> {0, 1, 2, 5}."""
    cpus: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


# -- a subscriber process --------------------------------------------------------------------


def subscriber(
    address: str,
    sim_id: str,
    cpus: set[int] | None,
    live_window: int | None,
    live_unread: int | None,
) -> None:
    """Watches like one client of StreamingBenchmark; prints 'ready' once both streams stand,
    reads 't0 t1' (time.monotonic()) from stdin, counts what arrives in [t0, t1) and prints
    {"frames", "loss_frames", "latencies_us"} as one JSON line after t1, and ends; also ends
    if stdin closes before the window comes (the driver went away)."""
    if cpus:
        pin(os.getpid(), cpus)
    window: list[float] = []  # [t0, t1] once known
    frames = [0, 0]  # frames in the window, by stream (each thread counts its own)
    loss_frames = [0]
    latencies: list[int] = []
    first = [threading.Event(), threading.Event()]
    errors: list[BaseException] = []
    late: list[int] = []  # how late a sleeping thread of this process woke, µs
    done = threading.Event()

    def wake_up_probe() -> None:
        # The floor of a frame's age: a thread woken by the arrival of a message runs only
        # once the scheduler (and the GIL) let it; so does this one, woken by its timer.
        while not done.is_set():
            t = time.monotonic()
            time.sleep(PROBE_SLEEP_S)
            woke = time.monotonic()
            if window and window[0] <= woke < window[1]:
                late.append(int((woke - t - PROBE_SLEEP_S) * 1e6))

    def read(watch: eiscope.Watch, index: int) -> None:
        try:
            for frame in watch:
                now_ns = time.time_ns()
                first[index].set()
                if window and window[0] <= time.monotonic() < window[1]:
                    frames[index] += 1
                    if frame.observable == "loss":
                        loss_frames[0] += 1
                        latencies.append((now_ns - frame.wall_time_unix_nanos) // 1000)
        except BaseException as e:  # noqa: BLE001 (reported by the main thread)
            errors.append(e)
            first[index].set()

    with eiscope.Client(
        address, live_window_bytes=live_window, live_unread_messages=live_unread
    ) as client:
        watches = [
            client.watch(sim_id, ["loss"]),
            client.watch(
                sim_id, ["weights", "weight_histogram"], layers=["layer0"], max_hz=10
            ),
        ]
        threads = [
            threading.Thread(target=read, args=(w, i), daemon=True)
            for i, w in enumerate(watches)
        ]
        for t in threads:
            t.start()
        probe = threading.Thread(target=wake_up_probe, daemon=True)
        probe.start()
        # The weights are there at step 0, so their first frame says the streams stand; the
        # loss stream (no value before step 1) went out with it on the same connection.
        if not first[1].wait(READY_TIMEOUT_S):
            raise SystemExit(
                f"subscriber {os.getpid()}: no weights frame in {READY_TIMEOUT_S} s"
            )
        if errors:
            raise errors[0]
        print("ready", flush=True)
        line = sys.stdin.readline()
        if not line:
            return  # the driver went away
        t0, t1 = (float(x) for x in line.split())
        window.extend((t0, t1))  # at once: the readers test it unlocked
        time.sleep(max(0.0, t1 - time.monotonic()))
        done.set()
        for w in watches:
            w.cancel()
        for t in threads:
            t.join(10)
        if errors:
            raise errors[0]
    print(
        json.dumps(
            {
                "frames": sum(frames),
                "loss_frames": loss_frames[0],
                "latencies_us": latencies,
                "wakeup_late_us": late,
            }
        ),
        flush=True,
    )


# -- the driver ------------------------------------------------------------------------------


@dataclass
class Cell:
    placement: str
    subscribers: int
    steps_per_s: float
    training_ms_per_step: float
    event_loop_us_per_frame: float | None
    frames: int
    latencies_us: list[int]
    wakeup_late_us: list[int]
    server_cpu_ms_per_s: dict[str, float]
    clients_cpu_ms_per_s: float
    merged_or_dropped: str


def stop_processes(procs: list[subprocess.Popen[str]]) -> None:
    """Terminates `procs` (closing their stdin first), then kills what is left after 5 s."""
    for p in procs:
        if p.poll() is None:
            try:
                if p.stdin:
                    p.stdin.close()
            except OSError:
                pass
            p.terminate()
    deadline = time.monotonic() + 5
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(
    client: eiscope.Client,
    address: str,
    server_pid: int,
    n: int,
    placement: str,
    client_cpus: set[int] | None,
    live_window: int | None,
    live_unread: int | None,
    warmup: float,
    seconds: float,
    source: str,
) -> Cell:
    sim = client.create(**dann_spec())
    cmd = [sys.executable, os.path.abspath(__file__), "--subscriber", address, sim.id]
    if client_cpus:
        cmd += ["--pin", ",".join(map(str, sorted(client_cpus)))]
    if live_window:
        cmd += ["--live-window", str(live_window)]
    if live_unread:
        cmd += ["--live-unread", str(live_unread)]
    subs: list[subprocess.Popen[str]] = []
    try:
        for _ in range(n):
            subs.append(
                subprocess.Popen(
                    cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
            )
        for p in subs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError(
                    f"subscriber {p.pid} failed (exit status {p.wait()})"
                )
        client.play(sim.id)
        time.sleep(warmup)
        t0 = time.monotonic() + 0.2 + 0.002 * n  # time for the window to reach everyone
        t1 = t0 + seconds
        for p in subs:
            assert p.stdin is not None
            p.stdin.write(f"{t0} {t1}\n")
            p.stdin.flush()
        time.sleep(max(0.0, t0 - time.monotonic()))
        cpu0 = thread_cpu(server_pid, source)
        sub0 = [cpu_ns(f"/proc/{p.pid}", "stat") for p in subs]
        s0, m0 = client.get(sim.id).step, time.monotonic()
        time.sleep(max(0.0, t1 - time.monotonic()))
        s1, m1 = client.get(sim.id).step, time.monotonic()
        cpu1 = thread_cpu(server_pid, source)
        sub1 = [cpu_ns(f"/proc/{p.pid}", "stat") for p in subs]
        results = []
        for p in subs:
            assert p.stdout is not None
            line = p.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"subscriber {p.pid} failed (exit status {p.wait()})"
                )
            results.append(json.loads(line))
        client.pause(sim.id)
    finally:
        stop_processes(subs)
        try:
            client.delete(sim.id)
        except eiscope.EiscopeError:
            pass

    window_s = m1 - m0
    steps = s1 - s0
    by_group = dict.fromkeys(GROUPS, 0)
    for name, ns in delta_by_name(cpu0, cpu1).values():
        by_group[group(name)] += ns
    frames = sum(r["frames"] for r in results)
    latencies = sorted(x for r in results for x in r["latencies_us"])
    loss_frames = sum(r["loss_frames"] for r in results)
    expected_loss = steps * n  # one loss frame a step to each subscriber, unless merged
    return Cell(
        placement=placement,
        subscribers=n,
        steps_per_s=steps / window_s,
        training_ms_per_step=by_group["training"] / 1e6 / steps
        if steps
        else float("nan"),
        event_loop_us_per_frame=by_group["event loops"] / 1e3 / frames
        if frames
        else None,
        frames=frames,
        latencies_us=latencies,
        wakeup_late_us=sorted(x for r in results for x in r["wakeup_late_us"]),
        server_cpu_ms_per_s={g: ns / 1e6 / window_s for g, ns in by_group.items()},
        clients_cpu_ms_per_s=(sum(sub1) - sum(sub0)) / 1e6 / window_s,
        merged_or_dropped=f"{loss_frames:,} of ~{expected_loss:,}" if n else "–",
    )


def percentile(sorted_values: list[int], q: float) -> int:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def latency_text(us: list[int]) -> str:
    if not us:
        return "–"
    p50, p99 = percentile(us, 0.5) / 1e3, percentile(us, 0.99) / 1e3
    return f"{p50:.1f} / {p99:.1f} / {us[-1] / 1e3:.1f} (n = {len(us):,})"


def print_tables(cells: list[Cell]) -> None:
    print()
    print(
        "| placement | subscribers | steps/s | training CPU per step (ms) "
        "| event-loop CPU per frame (µs) | frames received "
        "| loss latency p50 / p99 / max (ms) | subscribers' wake-up lateness p50 / p99 / max (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for c in cells:
        per_frame = (
            f"{c.event_loop_us_per_frame:.1f}" if c.event_loop_us_per_frame else "–"
        )
        print(
            f"| {c.placement} | {c.subscribers} | {c.steps_per_s:.1f} "
            f"| {c.training_ms_per_step:.3f} | {per_frame} | {c.frames:,} "
            f"| {latency_text(c.latencies_us)} | {latency_text(c.wakeup_late_us)} |"
        )
    print()
    print(
        "CPU in the window, ms per second (1000 = one core busy); loss frames received of one a step:"
    )
    print()
    print(
        "| placement | subscribers | server: "
        + " | ".join(GROUPS)
        + " | subscriber processes | loss frames received |"
    )
    print("|---|---:|" + "---:|" * (len(GROUPS) + 2))
    for c in cells:
        cpu = " | ".join(f"{c.server_cpu_ms_per_s[g]:.0f}" for g in GROUPS)
        print(
            f"| {c.placement} | {c.subscribers} | {cpu} | {c.clients_cpu_ms_per_s:.0f} "
            f"| {c.merged_or_dropped} |"
        )


def matched(pid: int, source: str) -> str:
    """The names of the server's training and event-loop threads, with how many of each."""
    names = [name for name, _ in thread_cpu(pid, source).values()]
    return "; ".join(
        f"{g}: "
        + ", ".join(
            f"{x} x{names.count(x)}" for x in sorted(set(names)) if group(x) == g
        )
        for g in ("training", "event loops")
    )


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"CPU: {model}; cores: {os.cpu_count()} (allowed {sorted(os.sched_getaffinity(0))}); "
        f"kernel: {platform.release()}; load average: {load}"
    )


def driver(a: argparse.Namespace) -> None:
    jar, *flags = a.jar.split(",")
    counts = [int(x) for x in a.subscribers.split(",")]
    placements = a.placement.split(",")
    for p in placements:
        if p not in ("shared", "apart"):
            raise SystemExit(f"--placement: shared or apart, not {p!r}")
    server_cpus, client_cpus = parse_cpus(a.server_cpus), parse_cpus(a.client_cpus)
    source = cpu_source()
    print("command: " + " ".join(shlex.quote(x) for x in [sys.executable, *sys.argv]))
    print(machine())
    print(
        f"DANN [100 E, 10 I] on Fashion-MNIST, sgd + correct_inhibitory, batch 32; server "
        f"warm-up {a.server_warmup} s, run warm-up {a.warmup} s, window {a.seconds} s; "
        "server thread CPU from /proc "
        + (
            "schedstat (ns)"
            if source == "schedstat"
            else f"stat (ticks of {1000 // os.sysconf('SC_CLK_TCK')} ms)"
        )
        + f"; apart = server on CPUs {sorted(server_cpus)}, subscribers on {sorted(client_cpus)}"
        + f"; subscribers' live window: {a.live_window or 'gRPC default'}"
        + f"; unread messages allowed: {a.live_unread or 'no limit (Watch calls)'}",
        flush=True,
    )
    cells: list[Cell] = []
    for placement in placements:
        with tempfile.TemporaryDirectory(prefix="eiscope-bench") as data:
            server, port = start(
                jar, data, "--web-root", "/nonexistent", jvm_flags=tuple(flags)
            )
            try:
                if placement == "apart":
                    pin(server.pid, server_cpus)
                address = f"127.0.0.1:{port}"
                pinned = client_cpus if placement == "apart" else None
                with eiscope.Client(address) as client:
                    cell = functools.partial(
                        measure,
                        client,
                        address,
                        server.pid,
                        placement=placement,
                        client_cpus=pinned,
                        live_window=a.live_window,
                        live_unread=a.live_unread,
                        source=source,
                    )
                    if a.server_warmup > 0:  # JIT of the streaming path; not measured
                        cell(1, warmup=a.server_warmup, seconds=0.5)
                    for n in counts:
                        cells.append(cell(n, warmup=a.warmup, seconds=a.seconds))
                        c = cells[-1]
                        print(
                            f"{placement} {n:>3} subscribers: {c.steps_per_s:.1f} steps/s, "
                            f"{c.frames:,} frames, loss latency ms {latency_text(c.latencies_us)}"
                            f", wake-up lateness ms {latency_text(c.wakeup_late_us)}",
                            flush=True,
                        )
                print(
                    f"  server threads matched ({placement}): {matched(server.pid, source)}",
                    flush=True,
                )
            finally:
                stop_processes([server])
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_tables(cells)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jar", default="server/app/target/eiscope-server.jar")
    p.add_argument("--subscribers", default="0,1,10,100")
    p.add_argument("--placement", default="shared,apart")
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--server-warmup", type=float, default=5)
    p.add_argument("--server-cpus", default="0")
    p.add_argument("--client-cpus", default="1")
    p.add_argument(
        "--live-window",
        type=int,
        help="the subscribers' Client(live_window_bytes=...); default: gRPC's own window",
    )
    p.add_argument(
        "--live-unread",
        type=int,
        help="the subscribers' Client(live_unread_messages=...): live watches as Session "
        "subscriptions whose server sends at most that many unread messages; default: Watch calls",
    )
    # Internal: a subscriber process (ADDRESS SIM_ID), optionally pinned.
    p.add_argument(
        "--subscriber", nargs=2, metavar=("ADDRESS", "SIM_ID"), help=argparse.SUPPRESS
    )
    p.add_argument("--pin", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.subscriber:
        try:
            subscriber(
                *a.subscriber,
                parse_cpus(a.pin) if a.pin else None,
                a.live_window,
                a.live_unread,
            )
        except KeyboardInterrupt:
            sys.exit(130)  # the driver stops the rest
        return

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # so that the finally blocks stop the processes

    signal.signal(signal.SIGTERM, on_term)
    driver(a)


if __name__ == "__main__":
    main()
