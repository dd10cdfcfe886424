"""Steps per second of one playing demo run (the mlp-fashion-mnist preset that --demo plays),
for each of several server jars, alternating, so that an admission or scheduling change can be
checked not to cost a lone run anything (docs/benchmarks.md, "Many runs on one server").

    .tools/venv/bin/python bench/one_run.py JAR [JAR ...] [--seconds 15] [--warmup 5] [--repeats 3]
    .tools/venv/bin/python bench/one_run.py JAR [JAR ...] --hidden 500,500 --batch 1

With --hidden, the run is instead an MLP of those hidden layers on Fashion-MNIST (plain SGD,
learning rate 0.01, the bench's step), created and played through the API, at --batch.

A JAR may carry JVM flags after a comma: `path.jar,-Deiscope.workerNice=0`. Each server starts
with --demo on a free port and a fresh data directory, OPENBLAS_NUM_THREADS=1 (as ./eiscope
sets) and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (docs/benchmarks.md, "Traps").
"""

import argparse
import statistics
import time

import eiscope
from server_process import served


def measure(
    jar_spec: str, seconds: float, warmup: float, hidden: list[int] | None, batch: int
) -> float:
    jar, *flags = jar_spec.split(",")
    with (
        served(jar, *([] if hidden else ["--demo"]), jvm_flags=tuple(flags)) as port,
        eiscope.Client(f"127.0.0.1:{port}") as c,
    ):
        if hidden:
            run = c.create(
                model={"kind": "mlp", "hidden": hidden},
                learning_rule={"kind": "sgd", "learning_rate": 0.01},
                task={"kind": "fashion_mnist"},
                batch_size=batch,
                seed=1,
            )
            c.play(run.id)
        else:
            (run,) = c.list()
        time.sleep(warmup)
        s0, t0 = c.get(run.id).step, time.monotonic()
        time.sleep(seconds)
        s1, t1 = c.get(run.id).step, time.monotonic()
        return (s1 - s0) / (t1 - t0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("jars", nargs="+")
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--hidden",
        help="an MLP of these hidden layers instead of the demo, e.g. 500,500",
    )
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    hidden = [int(h) for h in a.hidden.split(",")] if a.hidden else None
    rates: dict = {j: [] for j in a.jars}
    for _ in range(a.repeats):
        for j in a.jars:
            rates[j].append(measure(j, a.seconds, a.warmup, hidden, a.batch))
            print(f"{j}: {rates[j][-1]:.1f} steps/s", flush=True)
    for j, r in rates.items():
        print(
            f"{j}: median {statistics.median(r):.1f} steps/s over {len(r)} runs ({', '.join(f'{x:.1f}' for x in r)})"
        )


if __name__ == "__main__":
    main()
