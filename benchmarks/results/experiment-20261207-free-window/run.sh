#!/bin/bash
# Runs, in one session, every W3 free variant of the window experiment; $1 = round number.
cd /tmp/exp
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; CP="benchmarks/target/classes:benchmarks/target/lib/*"
out=/tmp/window-exp; r=$1
run() { # name, benchmark, params, jvm flags
  $J --enable-native-access=ALL-UNNAMED -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main "$2" $3 -f 1 -wi 3 -i 5 -w 1 -r 1 \
    ${4:+-jvmArgsAppend "$4"} -rf json -rff $out/$1-run$r.json > $out/$1-run$r.log 2>&1
  echo "$1 $(grep -E 'avgt' $out/$1-run$r.log | tail -1)"
}
run malloc SlabObjectsBenchmark.free "-p contender=malloc"
run floor SlabObjectsBenchmark.free "-p contender=floor-slab-free"
run window FreeWindowBenchmark.free "-p extraSteps=0,16,32,64"
run checked-full SlabObjectsBenchmark.free "-p contender=slab-16k-masked" "-Dexp.minimalFree=false"
run unchecked-full SlabObjectsBenchmark.free "-p contender=slab-16k-masked-unchecked" "-Dexp.minimalFree=false -Ddev.ffmalloc.memory.unchecked=true"
run unchecked-minimal SlabObjectsBenchmark.free "-p contender=slab-16k-masked-unchecked" "-Dexp.minimalFree=true -Ddev.ffmalloc.memory.unchecked=true"
