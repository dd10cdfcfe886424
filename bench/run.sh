#!/usr/bin/env bash
# Training-step benchmark, eiscope vs PyTorch, in one go; prints the table of docs/benchmarks.md.
#
#   bench/run.sh                      # MLP and DANN, batches 1,32,128, 1 and 2 threads
#   MODELS=rnn100,rnn500 BATCHES=32 THREADS2=0 bench/run.sh   # RNNs on row-sequential MNIST
#   MODELS=mlp,dann REPEATS=3 bench/run.sh
#   MODELS=dann BATCHES=32 THREADS2=0 SECONDS_PER_CELL=3 bench/run.sh
#   TORCH_EXTRA=--tuned bench/run.sh  # torch keeping its grad buffers, foreach SGD
#   BUSY=1 bench/run.sh               # with one other process spinning on a core meanwhile
#   RULE=eg MOMENTUM=0.9 BATCHES=1,32 THREADS2=0 bench/run.sh   # exponentiated gradient (sgd or eg; momentum for both)
#
# "2 threads" is, for eiscope, what a server does with a spare core: one BLAS thread and the core lent
# to the large products (--spare-cores 1; same bits as one thread); for torch, torch.set_num_threads(2).
#
# Each cell: WARMUP s of untimed steps, then ROUNDS rounds over SECONDS_PER_CELL s; each side
# runs REPEATS times, alternating with the other; the table pools all rounds.
#
# Needs: the Maven wrapper's cache (offline build of server/engine), and PyTorch in
# $PYTHON (default .tools/venv/bin/python; create it with
#   python3 -m venv .tools/venv && .tools/venv/bin/pip install torch numpy threadpoolctl).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for every timed command (both sides),
# in those commands alone: with them, OpenBLAS runs its AVX2 kernels at about half speed.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS=${MODELS:-mlp,dann}
BATCHES=${BATCHES:-1,32,128}
SECONDS_PER_CELL=${SECONDS_PER_CELL:-2}
WARMUP=${WARMUP:-1}
ROUNDS=${ROUNDS:-5}
REPEATS=${REPEATS:-2}
THREADS2=${THREADS2:-1}
PYTHON=${PYTHON:-.tools/venv/bin/python}
# shellcheck source=bench/need_torch.sh
. bench/need_torch.sh
RULE=${RULE:-sgd}
MOMENTUM=${MOMENTUM:-0}
ARGS=(--models "$MODELS" --batches "$BATCHES" --seconds "$SECONDS_PER_CELL" --warmup "$WARMUP" --rounds "$ROUNDS"
  --rule "$RULE" --momentum "$MOMENTUM")

clean() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }

# Compiles main and test sources and writes target/bench.classpath (every build does: root pom.xml), offline.
# shellcheck source=tools/jdk22.sh
. tools/jdk22.sh  # RUN_JAVA: a JDK 22+ when there is one, as ./eiscope runs the server
./mvnw -B -q -o -pl server/engine process-test-classes "${JDK22_MAVEN[@]}"
CP="server/engine/target/classes:server/engine/target/test-classes:$(cat server/engine/target/bench.classpath)"
JAVA_BENCH=("$RUN_JAVA" "${RUN_JAVA_FLAGS[@]}" --add-modules jdk.incubator.vector -cp "$CP" io.eiscope.engine.bench.TrainStepBench "${ARGS[@]}")
# shellcheck disable=SC2206 # TORCH_EXTRA is a list of flags, e.g. "--tuned"
TORCH_BENCH=("$PYTHON" bench/torch_bench.py "${ARGS[@]}" ${TORCH_EXTRA:-})

out=$(mktemp)
spinners=()
trap 'rm -f "$out"; for p in "${spinners[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
for _ in $(seq "${BUSY:-0}"); do yes > /dev/null & spinners+=($!); done
{
  echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $("$RUN_JAVA" -version 2>&1 | head -1)"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); other processes spinning: ${BUSY:-0}"
  # Which kernels run: OpenBLAS names its core when verbose; MKL prints its build, torch its ISA.
  echo "# eiscope kernel: $(clean OPENBLAS_VERBOSE=2 OPENBLAS_NUM_THREADS=1 "${JAVA_BENCH[@]}" --batches 1 --seconds 0.01 --warmup 0.01 --rounds 1 2>&1 | grep -m1 '^Core:' || echo unknown)"
  echo "# torch kernel: $(clean OMP_NUM_THREADS=1 MKL_VERBOSE=1 "$PYTHON" -c 'import torch; torch.mm(torch.ones(64,64), torch.ones(64,64)); print("cpu capability", torch.backends.cpu.get_cpu_capability())' 2>&1 | grep -E -m2 'MKL_VERBOSE oneMKL|capability' | sed 's/MKL_VERBOSE //' | paste -sd';')"
} | tee -a "$out"

# Sides alternate within each repeat, so a change in the machine's load hits both alike.
for rep in $(seq "$REPEATS"); do
  echo "# repeat $rep/$REPEATS, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
  clean OPENBLAS_NUM_THREADS=1 "${JAVA_BENCH[@]}" | tee -a "$out"
  clean OMP_NUM_THREADS=1 "${TORCH_BENCH[@]}" | tee -a "$out"
  if [ "$THREADS2" = 1 ]; then
    clean OPENBLAS_NUM_THREADS=1 "${JAVA_BENCH[@]}" --spare-cores 1 --label 2 | tee -a "$out"
    clean OMP_NUM_THREADS=2 "${TORCH_BENCH[@]}" | tee -a "$out"
    clean OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE "${TORCH_BENCH[@]}" --label 2p | tee -a "$out"
  fi
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"

"$PYTHON" - "$out" <<'PY'
import statistics, sys
rounds, alloc, cpu = {}, {}, {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "RESULT":
        side, model, batch, threads = f[1], f[2], int(f[3]), f[4]
        key = (side, model, batch, threads)
        rounds.setdefault(key, []).extend(float(r) for r in f[10].split(","))
        if len(f) > 11:
            cpu.setdefault(key, []).extend(float(c) for c in f[11].split(","))
        if side == "eiscope":
            alloc[key] = max(alloc.get(key, 0), int(f[8]))

def cell(key):
    if key not in rounds:
        return "-", None
    r = sorted(rounds[key])
    med = statistics.median(r)
    return f"{med:7.1f} ({r[0]:.0f}-{r[-1]:.0f})", med

def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"

def cpu_cell(key):
    return statistics.median(cpu[key]) if key in cpu else None

print()
print("steps/s: median over all rounds of all repeats (min-max); ratio = eiscope / torch;")
print("torch 2p = OMP_WAIT_POLICY=PASSIVE; B/step = heap bytes eiscope allocates per step;")
print("torch loop = the RNN as a Python loop over the steps (torch = torch.nn.RNN);")
print("cpu ms = median process CPU ms per step (all threads), e / t; cpu ratio = torch cpu / eiscope cpu")
loops = any(k[0] == "torch-loop" for k in rounds)
cols = ["model", "batch", "thr", "eiscope", "torch", "ratio", "torch 2p", "ratio 2p", "cpu ms e / t", "cpu ratio", "B/step"]
if loops:
    cols[6:6] = ["torch loop", "ratio loop"]
    cols[-1:-1] = ["cpu ms loop", "cpu ratio loop"]
rows = []
for model in dict.fromkeys(k[1] for k in rounds):
    for batch in sorted({k[2] for k in rounds if k[1] == model}):
        for thr in ("1", "2"):
            e, ev = cell(("eiscope", model, batch, thr))
            t, tv = cell(("torch", model, batch, thr))
            if ev is None and tv is None:
                continue
            p, pv = cell(("torch", model, batch, "2p")) if thr == "2" else ("-", None)
            ec, tc = cpu_cell(("eiscope", model, batch, thr)), cpu_cell(("torch", model, batch, thr))
            row = [model, str(batch), thr, e, t, ratio(ev, tv), p, ratio(ev, pv),
                   f"{ec:.3f} / {tc:.3f}" if ec and tc else "-", ratio(tc, ec),
                   str(alloc.get(("eiscope", model, batch, thr), "-"))]
            if loops:
                lp, lv = cell(("torch-loop", model, batch, thr))
                lc = cpu_cell(("torch-loop", model, batch, thr))
                row[6:6] = [lp, ratio(ev, lv)]
                row[-1:-1] = [f"{lc:.3f}" if lc else "-", ratio(lc, ec)]
            rows.append(row)
width = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
print("| " + " | ".join(c.ljust(w) for c, w in zip(cols, width)) + " |")
print("|" + "|".join("-" * (w + 2) for w in width) + "|")
for r in rows:
    print("| " + " | ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(r, width))) + " |")
PY
