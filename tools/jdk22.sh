# shellcheck shell=bash
# Sourced by ./eiscope and bench/*.sh: finds a JDK 22 or later to run the server and the benchmarks on.
# On it the training step updates its off-heap weights in place, in vector lanes (the Vector API over a
# MemorySegment, which JDK 17 lacks: server/engine/src/lanes22/java); the build (Maven, Error Prone) stays
# on the JDK 17 that `java` is. EISCOPE_JDK22 names one (a JDK home; `off` for none); else the newest
# JDK 22+ under /usr/lib/jvm (Debian's and Temurin's packages install there). None: JDK 17 alone, the same
# bits, slower.
# Sets JDK22 (a JDK home, or empty), RUN_JAVA (that JDK's java, or `java`), RUN_JAVA_FLAGS (for -cp
# launches) and JDK22_MAVEN (the Maven flag that compiles the in-place kernels, or nothing).
jdk_feature() { # the feature release of the JDK at $1, from its release file (JAVA_VERSION="25.0.3"), or 0
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  echo "${v:-0}"
}
find_jdk22() {
  [ "${EISCOPE_JDK22:-}" = off ] && return  # JDK 17 alone, e.g. to measure what the in-place kernels gain
  if [ -n "${EISCOPE_JDK22:-}" ]; then
    [ "$(jdk_feature "$EISCOPE_JDK22")" -ge 22 ] && [ -x "$EISCOPE_JDK22/bin/javac" ] \
      || { echo "EISCOPE_JDK22=$EISCOPE_JDK22 is not a JDK 22 or later (no release file or javac there)" >&2; return 1; }
    echo "$EISCOPE_JDK22"
    return
  fi
  local best="" best_v=0 home v
  for home in /usr/lib/jvm/*/; do
    home=${home%/}
    [ -L "$home" ] && continue
    v=$(jdk_feature "$home")
    if [ "$v" -ge 22 ] && [ "$v" -gt "$best_v" ] && [ -x "$home/bin/javac" ]; then best=$home best_v=$v; fi
  done
  echo "$best"
}
JDK22=$(find_jdk22)
if [ -n "$JDK22" ]; then
  RUN_JAVA="$JDK22/bin/java"
  JDK22_MAVEN=("-Deiscope.jdk22=$JDK22")
  # JDK 22+ warns of native libraries loaded without this (OpenBLAS, SQLite, Netty's transports): for the
  # benchmarks' -cp launches; the server jar's manifest says it for -jar (server/app/pom.xml).
  RUN_JAVA_FLAGS=(--enable-native-access=ALL-UNNAMED)
else
  RUN_JAVA=java
  JDK22_MAVEN=()
  RUN_JAVA_FLAGS=()
fi
