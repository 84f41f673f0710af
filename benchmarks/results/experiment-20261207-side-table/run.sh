#!/bin/bash
# One round ($1) of the side-table experiment, in one session: malloc's W3 free, then the floor and the floor plus
# 16/32/64 register-only steps, with the metadata word in the page (as a one-page slab) and in a dense side array.
# Expects a build of this repository with side-table.patch applied in /tmp/exp (see README.md).
out="$(cd "$(dirname "$0")" && pwd)"; r=$1
cd /tmp/exp
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; CP="benchmarks/target/classes:benchmarks/target/lib/*"
run() {
  $J --enable-native-access=ALL-UNNAMED -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main "$2" $3 -f 1 -wi 3 -i 5 -w 1 -r 1 \
    ${4:+-jvmArgsAppend "$4"} -rf json -rff $out/$1-run$r.json > $out/$1-run$r.log 2>&1
  grep -E 'avgt' $out/$1-run$r.log | sed "s/^/$1 /"
}
run malloc SlabObjectsBenchmark.free "-p contender=malloc"
run in-page FreeWindowBenchmark.free "-p extraSteps=0,16,32,64" "-Dexp.sideTable=false"
run side-table FreeWindowBenchmark.free "-p extraSteps=0,16,32,64" "-Dexp.sideTable=true"
