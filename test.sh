#!/usr/bin/env bash
# Runs every test of every module (the README's test command; .ci/run calls exactly this).
set -euo pipefail
cd "$(dirname "$0")"
source .mvn/find-jdk.sh
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"  # quiets Maven's own guava on JDK 24+
exec mvn -B -ntp verify "$@"
