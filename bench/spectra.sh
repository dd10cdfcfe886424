#!/usr/bin/env bash
# Spectrum benchmark, eiscope (LAPACK through JavaCPP's OpenBLAS) vs PyTorch, in one go; prints
# the table of docs/benchmarks.md ("Singular values and eigenvalues").
#
#   bench/spectra.sh                          # svd and eig at 500 and 1000, 20 runs, 2 repeats
#   SIZES=500 OPS=svd RUNS=10 bench/spectra.sh
#   OPS=eig,radius,radius-ei,radius-cycle bench/spectra.sh   # the spectral radius alone (Arnoldi) against torch eigvals().abs().max()
#   FALLBACK=1 bench/spectra.sh               # also the pure-Java SVD fallback (at FALLBACK_SIZES)
#
# Each side: WARMUP untimed calls, then RUNS timed ones per cell; the sides alternate within
# each of REPEATS repeats, and the table pools the runs of all repeats (median of the per-repeat
# medians for the CPU column). One thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1), and
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset for every timed command, as in bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-500,1000}
OPS=${OPS:-svd,eig}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
REPEATS=${REPEATS:-2}
FALLBACK=${FALLBACK:-0}
FALLBACK_SIZES=${FALLBACK_SIZES:-500}
PYTHON=${PYTHON:-.tools/venv/bin/python}
# shellcheck source=bench/need_torch.sh
. bench/need_torch.sh
ARGS=(--sizes "$SIZES" --ops "$OPS" --runs "$RUNS" --warmup "$WARMUP")

clean() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }

# Compiles main and test sources and writes target/bench.classpath (every build does: root pom.xml), offline.
# shellcheck source=tools/jdk22.sh
. tools/jdk22.sh  # RUN_JAVA: a JDK 22+ when there is one, as ./eiscope runs the server
./mvnw -B -q -o -pl server/engine process-test-classes "${JDK22_MAVEN[@]}"
CP="server/engine/target/classes:server/engine/target/test-classes:$(cat server/engine/target/bench.classpath)"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $("$RUN_JAVA" -version 2>&1 | head -1)" | tee -a "$out"
for rep in $(seq "$REPEATS"); do
  echo "# repeat $rep/$REPEATS, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
  clean OPENBLAS_NUM_THREADS=1 "$RUN_JAVA" "${RUN_JAVA_FLAGS[@]}" -cp "$CP" io.eiscope.engine.bench.SpectraBench "${ARGS[@]}" | tee -a "$out"
  clean OMP_NUM_THREADS=1 "$PYTHON" bench/torch_spectra.py "${ARGS[@]}" | tee -a "$out"
done
if [ "$FALLBACK" = 1 ]; then
  clean OPENBLAS_NUM_THREADS=1 "$RUN_JAVA" "${RUN_JAVA_FLAGS[@]}" -Deiscope.blas.java=true -cp "$CP" io.eiscope.engine.bench.SpectraBench \
    --sizes "$FALLBACK_SIZES" --ops svd --runs 3 --warmup 1 | tee -a "$out"
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"

"$PYTHON" - "$out" <<'PY'
import statistics, sys
cells = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "RESULT":
        cells.setdefault((f[2], int(f[3]), f[1]), []).append([float(v) for v in f[4:8]])

def show(key):
    if key not in cells:
        return "-", None
    r = cells[key]
    med = statistics.median(x[0] for x in r)
    return f"{med:.2f} ({min(x[1] for x in r):.2f}-{max(x[2] for x in r):.2f}) cpu {statistics.median(x[3] for x in r):.2f}", med

print()
print("ms per call: median of the per-repeat medians (min-max of all runs), cpu = median thread-CPU ms;")
print("speed = torch ms / eiscope ms (above 1: eiscope faster)")
print("| op | n | eiscope (LAPACK) ms | torch ms | speed | pure-Java fallback ms |")
print("|----|---|---------------------|----------|-------|-----------------------|")
for op, n in sorted({(k[0], k[1]) for k in cells}, key=lambda k: (k[0] != "svd", k[1])):
    e, ev = show((op, n, "eiscope"))
    t, tv = show((op, n, "torch"))
    j, _ = show((op, n, "eiscope-java"))
    print(f"| {op} | {n} | {e} | {t} | {f'{tv / ev:.2f}x' if ev and tv else '-'} | {j} |")
PY
