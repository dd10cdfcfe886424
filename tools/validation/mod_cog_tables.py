"""Markdown tables from tools/validation/mod-cog.sh's CSVs (docs/validation.md, "Mod-Cog").

Usage: python3 tools/validation/mod_cog_tables.py PREFIX [PREFIX ...]
(each PREFIX names a PREFIX-curves.csv and PREFIX-pruning.csv; several are merged, e.g. one per process).
Standard library only.
"""

import csv
import statistics
import sys
from collections import defaultdict

RULES = {"eg": "EG", "sgd": "GD"}


def rows(prefixes: list[str], kind: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for p in prefixes:
        try:
            with open(f"{p}-{kind}.csv", newline="") as f:
                out.extend(csv.DictReader(f))
        except FileNotFoundError:
            if kind != "curves":  # a re-learning run may keep only its pruning rows
                raise
    return out


def unique_curves(curves: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per rule, seed and step: runs that retrain the same networks give the same curve, which
    is checked (the engine is deterministic), not averaged twice."""
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in curves:
        key = (r["rule"], r["seed"], r["step"])
        if key in seen and seen[key] != r:
            raise SystemExit(f"two runs disagree at {key}: {seen[key]} vs {r}")
        seen[key] = r
    return list(seen.values())


def cell(values: list[float], scale: float = 100.0, digits: int = 1) -> str:
    v = [x * scale for x in values]
    if len(v) == 1:
        return f"{v[0]:.{digits}f}"
    return f"{statistics.mean(v):.{digits}f} ± {statistics.stdev(v):.{digits}f}"


def rates(chosen: list[float]) -> str:
    """'0.15 x4, 0.1 x1': how often each re-learning rate was the best."""
    counts: dict[float, int] = defaultdict(int)
    for lr in chosen:
        counts[lr] += 1
    return ", ".join(f"{lr:g} ×{n}" for lr, n in sorted(counts.items(), key=lambda e: -e[1]))


def main(prefixes: list[str]) -> None:
    curves = unique_curves(rows(prefixes, "curves"))
    by: dict[tuple[str, int], list[float]] = defaultdict(list)
    seeds: dict[str, set[str]] = defaultdict(set)
    for r in curves:
        by[(r["rule"], int(r["step"]))].append(float(r["test_dec_acc"]))
        seeds[r["rule"]].add(r["seed"])
    steps = sorted({s for _, s in by})
    shown = [s for s in steps if s % 1000 == 0 or s == steps[-1]]
    print("Held-out dec_acc (%), mean ± sd over seeds:\n")
    print("| rule (seeds) | " + " | ".join(f"step {s}" for s in shown) + " |")
    print("|---|" + "---|" * len(shown))
    for rule, label in RULES.items():
        if rule in seeds:
            n = len(seeds[rule])
            print(f"| {label} ({n}) | " + " | ".join(cell(by[(rule, s)]) for s in shown) + " |")

    pruning = rows(prefixes, "pruning")
    last = max(int(r["relearn_step"]) for r in pruning)
    marks = sorted({int(r["relearn_step"]) for r in pruning} - {0})
    best: dict[tuple[str, str, str], dict[str, str]] = {}
    # per rule, seed and fraction: the re-learning rate whose final dec_acc is highest
    finals = {
        (r["rule"], r["seed"], r["fraction"], r["relearn_lr"]): float(r["dec_acc"])
        for r in pruning
        if int(r["relearn_step"]) == last
    }
    for (rule, seed, frac, lr), acc in finals.items():
        key = (rule, seed, frac)
        if key not in best or acc > float(best[key]["final"]):
            best[key] = {"lr": lr, "final": str(acc)}
    table: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in pruning:
        key = (r["rule"], r["seed"], r["fraction"])
        if key not in best or r["relearn_lr"] != best[key]["lr"]:  # not finished, or another rate
            continue
        t = table[(r["rule"], r["fraction"])]
        step = int(r["relearn_step"])
        if step == 0:
            t["lr"].append(float(r["relearn_lr"]))
            t["trained"].append(float(r["trained_dec_acc"]))
            t["after"].append(float(r["after_pruning_dec_acc"]))
            t["cosine"].append(float(r["cosine_to_unpruned"]))
        else:
            t[f"at {step}"].append(float(r["dec_acc"]))
    print("\nPruning the pre-cool-down parameters, then re-learning (dec_acc %, mean ± sd over seeds):\n")
    head = "| rule | pruned | cosine to unpruned | before pruning | right after | "
    print(head + " | ".join(f"after {m} updates" for m in marks) + " | peak rate (seeds) |")
    print("|---|---|---|---|---|" + "---|" * len(marks) + "---|")
    for rule, label in RULES.items():
        for frac in sorted({f for r, f in table if r == rule}, key=float):
            t = table[(rule, frac)]
            print(
                f"| {label} | {100 * float(frac):.1f} % | {cell(t['cosine'], 1, 3)} | {cell(t['trained'])} | "
                f"{cell(t['after'])} | "
                + " | ".join(cell(t[f"at {m}"]) for m in marks)
                + f" | {rates(t['lr'])} |"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
