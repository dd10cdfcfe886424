#!/usr/bin/env python3
"""PyTorch side of the eiscope training-step benchmark (see bench/run.sh, docs/benchmarks.md).

Steps/s of one full training step -- forward, softmax cross-entropy, backward, SGD update --
on synthetic data fixed before timing, with the same models, batch sizes, learning rate,
warm-up and rounds as io.eiscope.engine.bench.TrainStepBench. Threads: set OMP_NUM_THREADS
(and OMP_WAIT_POLICY) in the environment; this script also calls torch.set_num_threads.

Prints one RESULT line per cell:
  RESULT torch MODEL BATCH THREADS MEDIAN MIN MAX - FINAL_LOSS
"""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

INPUTS, CLASSES, LEARNING_RATE = 784, 10, 0.01


def mlp():
    """784-500-500-10, ReLU, He init (std sqrt(gain/fan_in), gain 1 then 2), zero biases."""
    layers, n_in = [], INPUTS
    for i, n_out in enumerate([500, 500, CLASSES]):
        lin = nn.Linear(n_in, n_out)
        nn.init.normal_(lin.weight, 0.0, (1.0 if i == 0 else 2.0) ** 0.5 / n_in ** 0.5)
        nn.init.zeros_(lin.bias)
        layers += [lin] if n_out == CLASSES else [lin, nn.ReLU()]
        n_in = n_out
    return nn.Sequential(*layers)


# ---- DANN 784-3x(500E,50I)-10: the slot for the engine's DannLayer (branch `models`). ----
# Add "dann": <factory> here together with the engine's MODELS entry in TrainStepBench.
MODELS = {"mlp": mlp}


def run_cell(model, batch, seconds, warmup, rounds):
    g = torch.Generator().manual_seed(7)
    x = torch.rand(batch, INPUTS, generator=g)
    y = torch.randint(0, CLASSES, (batch,), generator=g)
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()  # eiscope's step returns its loss too

    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        loss = step()
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        stop, steps = start + seconds / rounds, 0
        while True:
            loss = step()
            steps += 1
            now = time.perf_counter()
            if now >= stop:
                break
        rates.append(steps / (now - start))
    rates.sort()
    return rates[len(rates) // 2], rates[0], rates[-1], loss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="mlp")
    p.add_argument("--batches", default="1,32,128")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--label", default="", help="thread label for the table, e.g. 2-passive")
    a = p.parse_args()
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    label = a.label or str(threads)
    print(f"# torch={torch.__version__} threads={torch.get_num_threads()} "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '-')} cpu={torch.backends.cpu.get_cpu_capability()} "
          f"blas={'mkl' if torch.backends.mkl.is_available() else '?'}")
    for name in a.models.split(","):
        if name not in MODELS:
            print(f"SKIP\ttorch\t{name}\tno PyTorch model of that name")
            continue
        for batch in [int(b) for b in a.batches.split(",")]:
            torch.manual_seed(42)
            with torch.no_grad():
                model = MODELS[name]()
            med, lo, hi, loss = run_cell(model, batch, a.seconds, a.warmup, a.rounds)
            print(f"RESULT\ttorch\t{name}\t{batch}\t{label}\t{med:.1f}\t{lo:.1f}\t{hi:.1f}\t-\t{loss:.4f}", flush=True)


if __name__ == "__main__":
    main()
