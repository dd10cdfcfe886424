#!/usr/bin/env python3
"""PyTorch (MKL) side of io.eiscope.engine.bench.RecurrentProductsBench: thread-CPU microseconds of
the matrix products of one recurrent training step (batch 32, 28 steps of 28 inputs, n units), one
thread, median of 7 timed batches after one untimed. nn.RNN's CPU path makes the recurrence one
addmm per step and, through autograd, the weight gradient one product per step (k = 32), so both
the all-steps and the per-step weight gradient are timed.

  OMP_NUM_THREADS=1 python bench/torch_products.py [n ...]     (default 100 500)
"""
import sys
import time

import torch

B, T, D = 32, 28, 28


def cpu_micros(f, reps):
    r = []
    for k in range(8):
        c = time.thread_time()
        for _ in range(reps):
            f()
        if k:
            r.append((time.thread_time() - c) / reps * 1e6)
    return sorted(r)[3]


def report(n, what, flops, us):
    print(f"RESULT\ttorch\t{n}\t{what}\t{us:.1f}\t{flops / us / 1e3:.1f}", flush=True)


def main():
    torch.set_num_threads(1)
    for n in [int(a) for a in sys.argv[1:]] or [100, 500]:
        g = torch.Generator().manual_seed(1)
        h, w, c = (torch.randn(*s, generator=g) for s in ((B, n), (n, n), (B, n)))
        hall, x, u = torch.randn(T * B, n, generator=g), torch.randn(T * B, D, generator=g), torch.randn(n, D, generator=g)
        reps = max(5, 40_000_000 // (B * n * n))
        step, whole, inp = 2.0 * B * n * n, 2.0 * n * n * (T - 1) * B, 2.0 * T * B * D * n
        report(n, "h W^T (forward)", step, cpu_micros(lambda: torch.addmm(c, h, w.T), reps))
        report(n, "dz W (backward)", step, cpu_micros(lambda: torch.addmm(c, h, w), reps))
        report(n, "dW = dz^T h (all steps)", whole, cpu_micros(lambda: torch.mm(hall[B:].T, hall[:-B]), max(2, reps // 27)))

        def per_step():
            dw = torch.zeros(n, n)
            for t in range(1, T):
                dw.add_(hall[t * B:(t + 1) * B].T @ hall[(t - 1) * B:t * B])

        report(n, "dW per step, 27 x (k = 32)", whole, cpu_micros(per_step, max(2, reps // 27)))
        report(n, "x U^T (all steps)", inp, cpu_micros(lambda: torch.mm(x, u.T), max(2, reps // 10)))
        report(n, "dU = dz^T x (all steps)", inp, cpu_micros(lambda: torch.mm(hall.T, x), max(2, reps // 10)))


if __name__ == "__main__":
    main()
