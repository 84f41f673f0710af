package dev.ffmalloc.bench;

import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.SlotHeap;
import dev.ffmalloc.bench.workload.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * W1 pair-fixed (WORKLOADS.md): allocate 64 bytes (alignment 8), store the size in it, free it at once. Score: ns
 * per pair.
 *
 * <p>The contenders come from {@link Contender}; the suite runner passes every one that serves W1 as
 * {@code -p contender=...}. Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.leakDetection.level=disabled",
    "-Xms2g", "-Xmx2g", JvmFlags.QUIET_COMPILE_COMMANDS, JvmFlags.INLINE_PAIR})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class PairBenchmark {

    /** The block size of W1. */
    public static final long PAIR_BYTE_SIZE = 64;

    /** The alignment of W1. */
    public static final long PAIR_BYTE_ALIGNMENT = 8;

    /** The contender's label ({@link Contender#label()}). */
    @Param("malloc")
    public String contender;

    private ContenderHeap instance;
    private SlotHeap heap;

    /** Opens the contender's heap with the one slot W1 needs. */
    @Setup(Level.Trial)
    public void open() {
        instance = Contender.forLabel(contender).open(Workload.PAIR);
        heap = instance.slots(1);
    }

    /** One pair. */
    @Benchmark
    public void pair() {
        heap.pair(PAIR_BYTE_SIZE, PAIR_BYTE_ALIGNMENT);
    }

    /** Gives the heap back. */
    @TearDown(Level.Trial)
    public void close() {
        heap.close();
        instance.close();
    }
}
