#!/usr/bin/env bash
# Mod-Cog: EG vs GD, then pruning and re-learning (docs/validation.md, "Mod-Cog"). Not part of the test suite.
# Usage: tools/validation/mod-cog.sh [hidden=128] [seq_len=100] [updates=6000] [seeds=5,6,7,8,9] [relearn=500] [csv_prefix=docs/validation/mod-cog]
#        JAVA_OPTS="-Dmodcog.egLr=0.15 -Dmodcog.gdLr=0.05 -Dmodcog.egRelearn=0.1,0.15,0.25,0.5 -Dmodcog.gdRelearn=0.02,0.05,0.1,0.2,0.5,1.0 -Dmodcog.evalEvery=100"
#        are the defaults (re-learning rates: a grid, the best kept); -Dmodcog.rules=eg (or sgd) runs one rule.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -o -pl server/engine process-test-classes   # also writes target/bench.classpath
CP="server/engine/target/test-classes:server/engine/target/classes:$(cat server/engine/target/bench.classpath)"
export OPENBLAS_NUM_THREADS=1
exec java --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -Xmx2g -XX:ActiveProcessorCount=1 -Deiscope.dataDir="${EISCOPE_DATA_DIR:-.data}" -cp "$CP" \
  io.eiscope.engine.validation.ModCogValidation "${1:-128}" "${2:-100}" "${3:-6000}" "${4:-5,6,7,8,9}" "${5:-500}" "${6:-docs/validation/mod-cog}"
