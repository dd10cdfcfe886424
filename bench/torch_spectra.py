#!/usr/bin/env python3
"""PyTorch side of the spectrum benchmark (see bench/spectra.sh, docs/benchmarks.md).

Time of torch.linalg.svdvals, torch.linalg.eigvals and the spectral radius (the largest modulus of
eigvals: PyTorch has no cheaper way) on n x n float32 matrices of Gaussian entries (and, for
radius-ei and eig-ei, a Dale's-law matrix made from them; radius-cycle and eig-cycle, a cyclic permutation), on the CPU, with the warm-up and runs of io.eiscope.engine.bench.SpectraBench.
Threads: OMP_NUM_THREADS (this script also calls torch.set_num_threads).

Prints one RESULT line per cell:
  RESULT torch OP N MEDIAN_MS MIN MAX CPU_MEDIAN_MS RUNS
"""
import argparse
import os
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="500,1000")
    p.add_argument("--ops", default="svd,eig")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    print(f"# torch={torch.__version__} threads={torch.get_num_threads()} cpu={torch.backends.cpu.get_cpu_capability()}")
    # PyTorch has no spectral radius alone: the largest modulus of all the eigenvalues is how it is had
    ops = {
        "svd": torch.linalg.svdvals,
        "eig": torch.linalg.eigvals,
        "eig-sgeev": torch.linalg.eigvals,  # eiscope's sgeev path against the same reference
        "eig-ei": torch.linalg.eigvals,
        "eig-cycle": torch.linalg.eigvals,
        "radius": lambda m: torch.linalg.eigvals(m).abs().max(),
        "radius-ei": lambda m: torch.linalg.eigvals(m).abs().max(),
        "radius-cycle": lambda m: torch.linalg.eigvals(m).abs().max(),
    }
    for n in (int(s) for s in a.sizes.split(",")):
        g = torch.randn(n, n, generator=torch.Generator().manual_seed(1), dtype=torch.float32)
        # radius-ei: a Dale's-law matrix from the same numbers, as SpectraBench.dale makes it
        ei = g.abs()
        ei[:, n * 4 // 5 :] *= -4
        # radius-cycle: the cyclic permutation e_i -> e_(i+1 mod n), as SpectraBench.cycle makes it
        cycle = torch.zeros(n, n)
        cycle[torch.arange(n), (torch.arange(n) + 1) % n] = 1
        for op in a.ops.split(","):
            if op == "eig-parts":
                continue  # eiscope's own breakdown of sgeev
            f, m = ops[op], {"radius-ei": ei, "eig-ei": ei, "radius-cycle": cycle, "eig-cycle": cycle}.get(op, g)
            for _ in range(a.warmup):
                f(m)
            wall, cpu = [], []
            for _ in range(a.runs):
                c0, t0 = time.thread_time(), time.perf_counter()
                f(m)
                wall.append((time.perf_counter() - t0) * 1e3)
                cpu.append((time.thread_time() - c0) * 1e3)
            wall.sort()
            cpu.sort()
            print(f"RESULT\ttorch\t{op}\t{n}\t{wall[a.runs // 2]:.2f}\t{wall[0]:.2f}\t{wall[-1]:.2f}\t{cpu[a.runs // 2]:.2f}\t{a.runs}",
                  flush=True)


if __name__ == "__main__":
    main()
