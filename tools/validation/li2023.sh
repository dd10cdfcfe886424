#!/usr/bin/env bash
# Li et al. 2023 validation (docs/validation.md). Not part of the test suite.
# Usage:
#   tools/validation/li2023.sh nse [sizes=100,...,1000] [fractions=0.01,...,0.5] [seeds=3] [threads=4]
#   tools/validation/li2023.sh seqmnist [updates=10000] [seeds=3] [threads=4] [seq_mnist|seq_fashion_mnist]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -o -pl server/engine process-test-classes   # also writes target/bench.classpath
CP="server/engine/target/test-classes:server/engine/target/classes:$(cat server/engine/target/bench.classpath)"
export OPENBLAS_NUM_THREADS=1
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE java --add-modules jdk.incubator.vector -Xmx6g -Deiscope.dataDir="${EISCOPE_DATA_DIR:-.data}" -cp "$CP" \
  io.eiscope.engine.validation.Li2023Validation "$@"
