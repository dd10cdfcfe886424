#!/usr/bin/env bash
# Geometry-of-plasticity validation (docs/validation.md, "Geometry of plasticity"). Not part of the test suite.
# Usage: tools/validation/geometry.sh rofk [seeds=3] [n...=200 2000 20000]   (JAVA_OPTS="-Drofk.egRates=0.5,1 -Drofk.gdRates=0.01" narrows the sweeps)
#        tools/validation/geometry.sh robustness [seeds=30]
#        tools/validation/geometry.sh regression [dimension=1000] [seeds=3]
#        tools/validation/geometry.sh pruning [epochs=2] [seeds=1]
#        tools/validation/geometry.sh rnn-finetune [hidden=100] [seeds=5] [pretrain_epochs=30] [finetune_epochs=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT="${1:?rofk, robustness or pruning}"; shift
./mvnw -B -q -o -pl server/engine process-test-classes   # also writes target/bench.classpath
CP="server/engine/target/test-classes:server/engine/target/classes:$(cat server/engine/target/bench.classpath)"
export OPENBLAS_NUM_THREADS=1
JAVA=(java --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -Xmx4g -XX:ActiveProcessorCount=1 -Deiscope.dataDir="${EISCOPE_DATA_DIR:-.data}" -cp "$CP")
case "$WHAT" in
  rofk) SEEDS="${1:-3}"; shift $(( $# > 0 ? 1 : 0 )); NS=("${@:-200 2000 20000}")
        exec "${JAVA[@]}" io.eiscope.engine.validation.RofKValidation "$SEEDS" "${ROFK_CSV:-docs/validation/geometry-rofk.csv}" ${NS[@]} ;;
  robustness) exec "${JAVA[@]}" io.eiscope.engine.validation.GeometryValidation robustness "${1:-30}" ;;
  regression) exec "${JAVA[@]}" io.eiscope.engine.validation.GeometryValidation regression "${1:-1000}" "${2:-3}" ;;
  pruning) exec "${JAVA[@]}" io.eiscope.engine.validation.GeometryValidation pruning "${1:-2}" "${2:-1}" ;;
  rnn-finetune) exec "${JAVA[@]}" io.eiscope.engine.validation.RnnFinetuneValidation "${1:-100}" "${2:-5}" "${3:-30}" "${4:-30}" ;;
  *) echo "unknown study '$WHAT'" >&2; exit 2 ;;
esac
