#!/usr/bin/env bash
# Runs the whole benchmark suite and regenerates benchmarks/RESULTS.md (see benchmarks/README.md).
#   benchmarks/run-suite.sh                         the full suite, about 20 minutes on 2 cores; leave the machine idle
#   benchmarks/run-suite.sh --smoke [--only W1,...] a short check that everything runs (numbers meaningless)
#   benchmarks/run-suite.sh --table-only FILE.json  regenerate RESULTS.md from an existing result file
# Other arguments go to dev.ffmalloc.bench.report.SuiteRunner: --only W1,W2,W3,W4,traces,other, --contenders a,b.
# SUITE_JAVA_OPTS adds options to the runner's JVM (e.g. -Djmh.ignoreLock=true when another JMH run is going on).
set -euo pipefail
cd "$(dirname "$0")/.."
source .mvn/find-jdk.sh
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"  # quiets Maven's own guava on JDK 24+
mvn -B -ntp -q -DskipTests -pl benchmarks -am package >&2
CLASSPATH_ARG="benchmarks/target/classes:benchmarks/target/lib/*"
# shellcheck disable=SC2086  # SUITE_JAVA_OPTS is a list of options
JAVA_CMD=(java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow ${SUITE_JAVA_OPTS:-}
          -cp "$CLASSPATH_ARG")
if [ "${1:-}" = "--table-only" ]; then
  if [ $# -ne 2 ] || [ ! -f "$2" ]; then
    echo "usage: benchmarks/run-suite.sh --table-only RESULTS.json (an existing JMH JSON result file)" >&2
    exit 2
  fi
  exec "${JAVA_CMD[@]}" dev.ffmalloc.bench.report.ResultsTable "$2" benchmarks/RESULTS.md
fi
exec "${JAVA_CMD[@]}" dev.ffmalloc.bench.report.SuiteRunner "$@"
