#!/usr/bin/env bash
# Sourced by run.sh, test.sh and benchmarks/run-suite.sh: exports JAVA_HOME pointing at a JDK new enough for the
# build, or stops with one line saying what to install. The FFM API is final since JDK 22, but the project compiles
# with --release 25 (the current LTS), which only a JDK 25 or newer can do.
# Order: a JAVA_HOME that is new enough, then the usual install folders, newest first.
REQUIRED_JDK=25

jdk_feature_version() {  # prints the feature version (17, 25, ...) of the JDK at $1, or nothing
  local release="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

find_jdk() {
  local candidate version best="" best_version=0
  if [ -n "${JAVA_HOME:-}" ]; then
    version=$(jdk_feature_version "$JAVA_HOME")
    if [ -n "$version" ] && [ "$version" -ge "$REQUIRED_JDK" ]; then echo "$JAVA_HOME"; return; fi
  fi
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/* /opt/java/* "$HOME"/.sdkman/candidates/java/* \
                   "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    version=$(jdk_feature_version "$candidate")
    [ -n "$version" ] || continue
    if [ "$version" -gt "$best_version" ]; then best="$candidate"; best_version="$version"; fi
  done
  if [ "$best_version" -ge "$REQUIRED_JDK" ]; then echo "$best"; fi
}

JAVA_HOME_FOUND=$(find_jdk)
if [ -z "$JAVA_HOME_FOUND" ]; then
  echo "ffmalloc: no JDK $REQUIRED_JDK+ found (checked JAVA_HOME, /usr/lib/jvm, /usr/java, /opt); install a JDK $REQUIRED_JDK or newer (for example Eclipse Temurin $REQUIRED_JDK) or set JAVA_HOME to one." >&2
  exit 1
fi
export JAVA_HOME="$JAVA_HOME_FOUND"
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "ffmalloc: Apache Maven (mvn) is not on the PATH; install it, e.g. 'apt-get install maven'." >&2
  exit 1
fi
