#!/usr/bin/env bash
# Liu et al. 2024 rich vs lazy validation (docs/validation.md). Not part of the test suite.
# Usage: tools/validation/liu2024.sh [updates=10000] [seeds=3] [threads=2] [units=300] [ranks=1,30,100,units] [task=perceptual_decision_making]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -o -pl server/engine process-test-classes   # also writes target/bench.classpath
CP="server/engine/target/test-classes:server/engine/target/classes:$(cat server/engine/target/bench.classpath)"
export OPENBLAS_NUM_THREADS=1
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java --add-modules jdk.incubator.vector -Xmx6g -Deiscope.dataDir="${EISCOPE_DATA_DIR:-.data}" -cp "$CP" \
  io.eiscope.engine.validation.Liu2024Validation "$@"
