#!/usr/bin/env bash
# JMH micro-benchmarks of the training step's element-wise passes (ElementwiseBench) at the
# bench's layer sizes, each as GB/s and as a fraction of a STREAM-like triad of the same length
# in the same run; prints the table of docs/benchmarks.md ("Element-wise passes").
#
#   bench/elementwise.sh                                  # every pass, 784x500, 500x500, 500x10
#   SHAPES=784x500 PASSES='sgd.*|streamTriad' bench/elementwise.sh
#   STAT=mean ITERATION_TIME=1s ITERATIONS=5 bench/elementwise.sh   # JMH's usual mean of long iterations
#
# By default each pass runs many short iterations (5 ms) and the table takes the fastest: on
# this shared 2-core machine (load 2-20) most long iterations are cut by other processes'
# time slices, and the least disturbed short one is the closest to what the loop costs. The
# triad is measured the same way, so the fractions compare like with like.
# Works offline after `./eiscope build` (JMH is a test dependency of server/engine).
set -euo pipefail
cd "$(dirname "$0")/.."

SHAPES=${SHAPES:-784x500,500x500,500x10}
PASSES=${PASSES:-.*}
FORKS=${FORKS:-1}
WARMUPS=${WARMUPS:-3}
ITERATIONS=${ITERATIONS:-200}
ITERATION_TIME=${ITERATION_TIME:-5ms}
STAT=${STAT:-min}
PYTHON=${PYTHON:-python3}

# Compiles main and test sources (JMH's annotation processor generates the harness) and writes
# target/bench.classpath, offline.
# shellcheck source=tools/jdk22.sh
. tools/jdk22.sh  # RUN_JAVA: a JDK 22+ when there is one, as ./eiscope runs the server
./mvnw -B -q -o -pl server/engine process-test-classes "${JDK22_MAVEN[@]}"
CP="server/engine/target/classes:server/engine/target/test-classes:$(cat server/engine/target/bench.classpath)"
json=$(mktemp)
trap 'rm -f "$json"' EXIT

echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r), $("$RUN_JAVA" -version 2>&1 | head -1)"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$RUN_JAVA" "${RUN_JAVA_FLAGS[@]}" --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "io.eiscope.engine.bench.ElementwiseBench.($PASSES)\$" \
  -jvmArgsAppend "--add-modules jdk.incubator.vector ${RUN_JAVA_FLAGS[*]}" \
  -p shape="$SHAPES" -f "$FORKS" -wi "$WARMUPS" -w 1s -i "$ITERATIONS" -r "$ITERATION_TIME" -rf json -rff "$json" >&2
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PYTHON" - "$json" "$STAT" <<'PY'
import json, sys
# Bytes each pass must move per element at least (reads + writes of 4-byte floats; a mask byte).
BYTES = {
    "streamCopy": 8, "streamTriad": 12, "offHeapCopy": 8,
    "sgdHeap": 12, "sgdCopiesOnly": 12, "sgdScalar": 12, "sgdThenProjectScalar": 12, "sgd": 12, "sgdProjected": 12, "sgdProjectedMasked": 13, "sgdBatchOne": 8, "sgdProjectedBatchOne": 8,
    "momentumProjected": 20, "adam": 28, "egUpdate": 12, "egMomentum": 20, "adamwEg": 28, "projectScalar": 8, "project": 8, "divide": 8,
    "reluForward": 8, "reluBackward": 12, "divergenceCheck": 4,
}
# Passes over a fixed chunk rather than the shape (ElementwiseBench.expSmall/expLarge: 1,024 floats).
ELEMENTS = {"expSmall": 1024, "expLarge": 1024}
rows = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[1]
    shape = r["params"]["shape"]
    m = r["primaryMetric"]  # microseconds per pass
    raw = [x for fork in m["rawData"] for x in fork]
    rows[(name, shape)] = min(raw) if sys.argv[2] == "min" else m["score"]
shapes = list(dict.fromkeys(s for _, s in rows))
print()
print(f"ns/elem = nanoseconds per element ({'fastest iteration' if sys.argv[2] == 'min' else 'mean'});")
print("GB/s counts the bytes the pass must move at least; triad = that GB/s over the streamTriad GB/s")
print("of the same length in this run")
print("| pass | bytes/elem | " + " | ".join(f"{s} ns/elem | GB/s | triad" for s in shapes) + " |")
print("|---|---|" + "---|---|---|" * len(shapes))
for name in dict.fromkeys(n for n, _ in rows):
    cells = []
    for s in shapes:
        if (name, s) not in rows:
            cells += ["-", "-", "-"]
            continue
        r, c = (int(x) for x in s.split("x"))
        n = ELEMENTS.get(name, r * c)
        us = rows[(name, s)]
        gbs = BYTES.get(name, 0) * n / (us * 1e3)
        tri = rows.get(("streamTriad", s))
        tri_gbs = 12 * n / (tri * 1e3) if tri else None
        cells += [f"{us * 1e3 / n:.3f}", f"{gbs:.1f}", f"{gbs / tri_gbs:.2f}" if tri_gbs else "-"]
    print(f"| {name} | {BYTES.get(name, '?')} | " + " | ".join(cells) + " |")
PY
