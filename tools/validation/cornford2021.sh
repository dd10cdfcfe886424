#!/usr/bin/env bash
# Cornford et al. 2021 feed-forward comparison (docs/validation.md). Not part of the test suite.
# Usage: tools/validation/cornford2021.sh [epochs=10] [seeds=3] [threads=2] [datasets...]
# EISCOPE_MODELS="BatchNorm MLP;DANN + diag NGD" runs only the models named; EISCOPE_OUT sets the CSV path.
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS="${1:-10}"; SEEDS="${2:-3}"; THREADS="${3:-2}"; shift $(( $# < 3 ? $# : 3 ))
./mvnw -B -q -o -pl server/engine process-test-classes   # also writes target/bench.classpath
CP="server/engine/target/test-classes:server/engine/target/classes:$(cat server/engine/target/bench.classpath)"
export OPENBLAS_NUM_THREADS=1
exec java --add-modules jdk.incubator.vector -Xmx6g -Deiscope.dataDir="${EISCOPE_DATA_DIR:-.data}" -Deiscope.models="${EISCOPE_MODELS:-}" \
  -cp "$CP" io.eiscope.engine.validation.Cornford2021Validation \
  "$EPOCHS" "$SEEDS" "$THREADS" "${EISCOPE_OUT:-docs/validation/cornford2021-${*:-all}-${EPOCHS}ep.csv}" "$@"
