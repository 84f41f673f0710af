#!/usr/bin/env bash
# Builds what is needed and boots the simulated machine (the README's main command).
# Arguments are passed to the machine; ./run.sh --help lists them.
set -euo pipefail
cd "$(dirname "$0")"
source .mvn/find-jdk.sh
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"  # quiets Maven's own guava on JDK 24+
mvn -B -ntp -q -DskipTests -pl x86sim -am package >&2
exec java --enable-native-access=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
  -cp "x86sim/target/classes:x86sim/target/lib/*" dev.ffmalloc.x86sim.Main "$@"
