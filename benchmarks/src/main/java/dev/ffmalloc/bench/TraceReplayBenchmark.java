package dev.ffmalloc.bench;

import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.SlotHeap;
import dev.ffmalloc.bench.trace.ReplayFigures;
import dev.ffmalloc.bench.trace.ReplayReport;
import dev.ffmalloc.bench.trace.Trace;
import dev.ffmalloc.bench.trace.TraceFiles;
import dev.ffmalloc.bench.trace.TraceReplayer;
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
 * Replays of the recorded traces (TRACES.md). The trace is parsed into primitive arrays before anything is timed;
 * the trial setup runs the measuring pass on the fresh heap (footprint, content checks) and publishes its figures for
 * {@link ReplayFiguresProfiler}; each timed invocation is one whole replay, after which an untimed teardown frees
 * the blocks the program never freed. Score: microseconds per replay (the results table divides by the operations).
 *
 * <p>A project allocator gets a fixed heap of {@link #fixedHeapBytes(Trace)} bytes. Not final: JMH subclasses
 * benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.leakDetection.level=disabled",
    "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class TraceReplayBenchmark {

    /** Smallest fixed heap a trace gets. */
    public static final long MIN_HEAP_BYTES = 1L << 20;

    /** The trace ({@code TraceFiles.NAMES}). */
    @Param({"ls-recursive", "perl-hash", "python-wordcount"})
    public String trace;

    /** The contender's label ({@link Contender#label()}). */
    @Param("malloc")
    public String contender;

    private Trace parsed;
    private ContenderHeap instance;
    private SlotHeap heap;

    /**
     * The fixed heap a project allocator gets for a trace: four times the trace's peak live bytes rounded up to a
     * power of two, at least {@link #MIN_HEAP_BYTES}. In-band metadata sized by the heap (the buddy's state table)
     * counts in the footprint, so the heap is sized by the trace, not by the machine.
     */
    public static long fixedHeapBytes(final Trace trace) {
        final long peak = Math.max(1, trace.peakLiveBytes());
        return Math.max(MIN_HEAP_BYTES, Long.highestOneBit(peak - 1) << 3);
    }

    /** Parses the trace, opens the heap and runs the measuring pass on it. */
    @Setup(Level.Trial)
    public void open() {
        parsed = TraceFiles.load(trace);
        instance = Contender.forLabel(contender).open(Workload.TRACE_REPLAY, fixedHeapBytes(parsed));
        heap = instance.slots(parsed.blockCount());
        final ReplayReport measured = TraceReplayer.measure(parsed, heap);
        heap.freeAll();
        ReplayFigures.publish(measured);
    }

    /** One whole replay; returns the failures so that nothing is dead code. */
    @Benchmark
    public long replay() {
        return TraceReplayer.replay(parsed, heap);
    }

    /** Frees what the program never freed (untimed). */
    @TearDown(Level.Invocation)
    public void freeLeftovers() {
        heap.freeAll();
    }

    /** Gives the heap back. */
    @TearDown(Level.Trial)
    public void close() {
        heap.close();
        instance.close();
    }
}
