#!/usr/bin/env python3
"""PyTorch side of the eiscope training-step benchmark (see bench/run.sh, docs/benchmarks.md).

Steps/s of one full training step -- forward, softmax cross-entropy, backward, SGD update (and
for DANN the projection that keeps Dale's principle, as the engine's step does; for the RNNs
backpropagation through all 28 steps) --
on synthetic data fixed before timing, with the same models, batch sizes, learning rate,
warm-up and rounds as io.eiscope.engine.bench.TrainStepBench. Threads: set OMP_NUM_THREADS
(and OMP_WAIT_POLICY) in the environment; this script also calls torch.set_num_threads.

Prints one RESULT line per cell:
  RESULT SIDE MODEL BATCH THREADS MEDIAN MIN MAX - FINAL_LOSS ROUND,ROUND,... CPU_MS,CPU_MS,...
(CPU_MS: process CPU milliseconds per step of each round, all threads.)
SIDE is "torch", or "torch-loop" for the RNNs written as a Python loop over the steps.
"""
import argparse
import math
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


class DannLayer(nn.Module):
    """Dale's ANN layer with subtractive and divisive (shunting) inhibition, Cornford et al. 2021,
    science.md §1.1, batch-first: zE = x Wex^T, zI = x Wix^T (linear I units), zHat = zE - zI Wei^T,
    gamma = (zI * e^alpha) Wei^T + eps, z = g * zHat / gamma + b, h = ReLU(z) (hidden) or z (output).
    Initialisation as §1.3 (and the engine's Dann.init)."""

    EPS = 1e-8

    def __init__(self, d, ne, ni, first, relu):
        super().__init__()
        s = math.sqrt(1 / (2 * d)) if first else math.sqrt(2 * math.pi / (d * (2 * math.pi - 1)))
        self.Wex = nn.Parameter(torch.empty(ne, d).exponential_(1 / s))
        if ni == 1:
            self.Wix = nn.Parameter(self.Wex.detach().mean(0, keepdim=True).clone())
        else:
            self.Wix = nn.Parameter(torch.empty(ni, d).exponential_(1 / s))
        self.Wei = nn.Parameter(torch.full((ne, ni), 1 / ni))
        self.alpha = nn.Parameter(torch.full((1, ni), math.log(math.sqrt((2 * math.pi - 1) / d))))
        self.g = nn.Parameter(torch.ones(ne))
        self.b = nn.Parameter(torch.zeros(ne))
        self.relu = relu

    def forward(self, x):
        z_i = F.linear(x, self.Wix)
        z_hat = F.linear(x, self.Wex) - F.linear(z_i, self.Wei)
        gamma = F.linear(z_i * self.alpha.exp(), self.Wei) + self.EPS
        z = self.g * z_hat / gamma + self.b
        return F.relu(z) if self.relu else z

    def project(self):
        """Dale's principle by projection, as the engine's model.project(): Wex, Wix, Wei, g >= 0."""
        for p in (self.Wex, self.Wix, self.Wei, self.g):
            p.clamp_(min=0)


def dann():
    """784-3x(500E,50I)-10; the output layer has one inhibitory unit (§1.1)."""
    layers, d = [], INPUTS
    for i, (ne, ni) in enumerate([(500, 50), (500, 50), (500, 50), (CLASSES, 1)]):
        layers.append(DannLayer(d, ne, ni, first=i == 0, relu=ne != CLASSES))
        d = ne
    return nn.Sequential(*layers)


# Row-sequential MNIST: a batch row is one 784-pixel image, step t its row t (28 pixels); logits
# at the last step only, as the engine's TaskShape(28, 28, 10, false).
STEPS, STEP_INPUTS = 28, 28


def readout(n):
    """Dense readout of the last hidden state, as the engine's Rnn: W ~ N(0, 2/n), b = 0."""
    lin = nn.Linear(n, CLASSES)
    nn.init.normal_(lin.weight, 0.0, (2.0 / n) ** 0.5)
    nn.init.zeros_(lin.bias)
    return lin


class FusedRnn(nn.Module):
    """torch.nn.RNN(28, n, nonlinearity='relu', batch_first=True) and a Linear readout at the last
    step: PyTorch's own recurrent layer (one ATen call over the sequence), the fused reference.
    U, W ~ U(-1/sqrt(n), 1/sqrt(n)) is nn.RNN's default init and the engine's; both biases 0
    (nn.RNN has b_ih and b_hh, the engine one b)."""

    def __init__(self, n):
        super().__init__()
        self.rnn = nn.RNN(STEP_INPUTS, n, nonlinearity="relu", batch_first=True)
        nn.init.zeros_(self.rnn.bias_ih_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        self.readout = readout(n)

    def forward(self, x):
        _, h_last = self.rnn(x.view(-1, STEPS, STEP_INPUTS))
        return self.readout(h_last[-1])


class LoopRnn(nn.Module):
    """The cell of Li et al. 2023 (lib/base_rnn.py) as research code writes it, one Python
    iteration per step from h = 0: h = relu(x_t @ U.T + h @ W.T + b); autograd records every op.
    Init as FusedRnn."""

    def __init__(self, n):
        super().__init__()
        bound = 1 / n ** 0.5
        self.n = n
        self.U = nn.Parameter(torch.empty(n, STEP_INPUTS).uniform_(-bound, bound))
        self.W = nn.Parameter(torch.empty(n, n).uniform_(-bound, bound))
        self.b = nn.Parameter(torch.zeros(n))
        self.readout = readout(n)

    def forward(self, x):
        x = x.view(-1, STEPS, STEP_INPUTS)
        h = torch.zeros(x.shape[0], self.n)
        for t in range(STEPS):
            h = torch.relu(x[:, t] @ self.U.T + h @ self.W.T + self.b)
        return self.readout(h)


MODELS = {"mlp": mlp, "dann": dann, "rnn100": lambda: FusedRnn(100), "rnn500": lambda: FusedRnn(500)}
# Reported beside MODELS' cell of the same name, under side "torch-loop".
LOOP_MODELS = {"rnn100": lambda: LoopRnn(100), "rnn500": lambda: LoopRnn(500)}


class ExponentiatedGradient(torch.optim.Optimizer):
    """EG as science.md §3.1 states it: SGD's direction (momentum as torch.optim.SGD: buf = d at the
    first step, then momentum * buf + d), applied as w <- w * exp(-lr * sign(w) * d)."""

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad
                if mu:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = d.clone()
                    else:
                        state["momentum_buffer"].mul_(mu).add_(d)
                    d = state["momentum_buffer"]
                p.mul_(torch.sign(p).mul_(d).mul_(-lr).exp_())


def optimizer(model, rule, momentum, tuned):
    if rule == "eg":
        return ExponentiatedGradient(model.parameters(), lr=LEARNING_RATE, momentum=momentum)
    return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=momentum, foreach=True if tuned else None)


def run_cell(model, batch, seconds, warmup, rounds, tuned=False, rule="sgd", momentum=0.0):
    g = torch.Generator().manual_seed(7)
    x = torch.rand(batch, INPUTS, generator=g)
    y = torch.randint(0, CLASSES, (batch,), generator=g)
    # Defaults as most training loops use them; --tuned keeps the gradient buffers between
    # steps (no allocation per step, as eiscope) and uses the multi-tensor (foreach) update.
    opt = optimizer(model, rule, momentum, tuned)
    projections = [m for m in model.modules() if hasattr(m, "project")]

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=not tuned)
        loss.backward()
        opt.step()
        if projections:
            with torch.no_grad():
                for layer in projections:
                    layer.project()
        return loss.item()  # eiscope's step returns its loss too

    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        loss = step()
    rates, cpu_ms = [], []
    for _ in range(rounds):
        cpu0, start = time.process_time(), time.perf_counter()
        stop, steps = start + seconds / rounds, 0
        while True:
            loss = step()
            steps += 1
            now = time.perf_counter()
            if now >= stop:
                break
        rates.append(steps / (now - start))
        cpu_ms.append((time.process_time() - cpu0) * 1e3 / steps)
    rates.sort()
    return rates, cpu_ms, loss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="mlp")
    p.add_argument("--batches", default="1,32,128")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--label", default="", help="thread label for the table, e.g. 2p")
    p.add_argument("--tuned", action="store_true", help="zero_grad(set_to_none=False) and foreach=True")
    p.add_argument("--rule", default="sgd", choices=["sgd", "eg"], help="the update, as TrainStepBench --rule")
    p.add_argument("--momentum", type=float, default=0.0)
    a = p.parse_args()
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    label = a.label or str(threads)
    print(f"# torch={torch.__version__} threads={torch.get_num_threads()} "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '-')} cpu={torch.backends.cpu.get_cpu_capability()} "
          f"blas={'mkl' if torch.backends.mkl.is_available() else '?'} tuned={a.tuned} rule={a.rule} momentum={a.momentum}")
    for name in a.models.split(","):
        if name not in MODELS:
            print(f"SKIP\ttorch\t{name}\tno PyTorch model of that name")
            continue
        variants = [("torch", MODELS[name])] + ([("torch-loop", LOOP_MODELS[name])] if name in LOOP_MODELS else [])
        for batch in [int(b) for b in a.batches.split(",")]:
            for side, factory in variants:
                torch.manual_seed(42)
                with torch.no_grad():
                    model = factory()
                rates, cpu_ms, loss = run_cell(model, batch, a.seconds, a.warmup, a.rounds, a.tuned, a.rule, a.momentum)
                print(f"RESULT\t{side}\t{name}\t{batch}\t{label}\t{rates[len(rates) // 2]:.1f}\t{rates[0]:.1f}\t{rates[-1]:.1f}"
                      f"\t-\t{loss:.4f}\t{','.join(f'{r:.1f}' for r in rates)}\t{','.join(f'{c:.3f}' for c in cpu_ms)}", flush=True)


if __name__ == "__main__":
    main()
