#!/usr/bin/env bash
# Training-step benchmark, eiscope vs PyTorch, in one go; prints the table of docs/benchmarks.md.
#
#   bench/run.sh                      # MLP 784-500-500-10, batches 1,32,128, 1 and 2 threads
#   MODELS=mlp,dann BATCHES=32 SECONDS_PER_CELL=3 bench/run.sh
#
# Needs: the Maven wrapper's cache (offline build of server/engine), and PyTorch in
# $PYTHON (default .tools/venv/bin/python; create it with
#   python3 -m venv .tools/venv && .tools/venv/bin/pip install torch numpy threadpoolctl).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for every timed command (both sides),
# in those commands alone: with them, OpenBLAS runs its AVX2 kernels at about half speed.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=${MODELS:-mlp}
BATCHES=${BATCHES:-1,32,128}
SECONDS_PER_CELL=${SECONDS_PER_CELL:-2}
WARMUP=${WARMUP:-1}
ROUNDS=${ROUNDS:-5}
PYTHON=${PYTHON:-.tools/venv/bin/python}
ARGS=(--models "$MODELS" --batches "$BATCHES" --seconds "$SECONDS_PER_CELL" --warmup "$WARMUP" --rounds "$ROUNDS")

clean() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }

# Compiles main and test sources (the benchmark lives in the test tree); runs no test.
./mvnw -B -q -o -pl server/engine test-compile
./mvnw -B -q -o -pl server/engine dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="server/engine/target/classes:server/engine/target/test-classes:$(cat server/engine/target/bench.classpath)"
JAVA_BENCH=(java -cp "$CP" io.eiscope.engine.bench.TrainStepBench "${ARGS[@]}")
TORCH_BENCH=("$PYTHON" bench/torch_bench.py "${ARGS[@]}")

out=$(mktemp)
trap 'rm -f "$out"' EXIT
{
  echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # Which kernels run: OpenBLAS names its core when verbose; MKL prints its build, torch its ISA.
  echo "# eiscope kernel: $(clean OPENBLAS_VERBOSE=2 OPENBLAS_NUM_THREADS=1 "${JAVA_BENCH[@]}" --batches 1 --seconds 0.01 --warmup 0.01 --rounds 1 2>&1 | grep -m1 '^Core:' || echo unknown)"
  echo "# torch kernel: $(clean OMP_NUM_THREADS=1 MKL_VERBOSE=1 "$PYTHON" -c 'import torch; torch.mm(torch.ones(64,64), torch.ones(64,64)); print("cpu capability", torch.backends.cpu.get_cpu_capability())' 2>&1 | grep -E -m2 'MKL_VERBOSE oneMKL|capability' | sed 's/MKL_VERBOSE //' | paste -sd';')"
} | tee -a "$out"

clean OPENBLAS_NUM_THREADS=1 "${JAVA_BENCH[@]}" | tee -a "$out"
clean OPENBLAS_NUM_THREADS=2 "${JAVA_BENCH[@]}" | tee -a "$out"
clean OMP_NUM_THREADS=1 "${TORCH_BENCH[@]}" | tee -a "$out"
clean OMP_NUM_THREADS=2 "${TORCH_BENCH[@]}" | tee -a "$out"
clean OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE "${TORCH_BENCH[@]}" --label 2p | tee -a "$out"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"

"$PYTHON" - "$out" <<'EOF'
import sys
cells = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "RESULT":
        side, model, batch, threads, med, lo, hi, alloc, loss = f[1:]
        cells[(side, model, int(batch), threads)] = (float(med), float(lo), float(hi), alloc)

def cell(key):
    if key not in cells:
        return "-", None
    med, lo, hi, _ = cells[key]
    return f"{med:8.1f} ({lo:.0f}-{hi:.0f})", med

def ratio(a, b):
    return f"{a / b:5.2f}x" if a and b else "-"

print()
print("steps/s, median of rounds (min-max); ratio = eiscope / torch; 2p = torch with OMP_WAIT_POLICY=PASSIVE")
head = f"| {'model':5} | {'batch':>5} | {'thr':>3} | {'eiscope':>22} | {'torch':>22} | {'ratio':>6} | {'torch 2p':>22} | {'ratio 2p':>8} | {'eiscope B/step':>14} |"
print(head)
print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
for model in dict.fromkeys(k[1] for k in cells):
    for batch in sorted({k[2] for k in cells if k[1] == model}):
        for thr in ("1", "2"):
            e, ev = cell(("eiscope", model, batch, thr))
            t, tv = cell(("torch", model, batch, thr))
            p, pv = cell(("torch", model, batch, "2p")) if thr == "2" else ("-", None)
            alloc = cells.get(("eiscope", model, batch, thr), (0, 0, 0, "-"))[3]
            print(f"| {model:5} | {batch:5} | {thr:>3} | {e:>22} | {t:>22} | {ratio(ev, tv):>6} | {p:>22} | {ratio(ev, pv):>8} | {alloc:>14} |")
EOF
