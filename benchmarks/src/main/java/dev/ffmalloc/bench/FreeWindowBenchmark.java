package dev.ffmalloc.bench;

import dev.ffmalloc.bench.heap.SlabFreeFloorSlots;
import dev.ffmalloc.bench.workload.FreeOrderPermutation;
import dev.ffmalloc.bench.workload.XorShift64Star;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Why a W3 free costs what it costs: the floor of a one-page slab free ({@link SlabFreeFloorSlots}: the slot, the
 * metadata line and the object, no logic) with {@code extraSteps} register-only steps added to each free. Each free
 * misses the cache twice in a row (the slot, then the page), and the processor overlaps the misses of as many frees
 * as its out-of-order window holds; the more instructions a free executes, the fewer frees fit, so the time per free
 * grows with the work it does even when that work touches no memory. The {@code extraSteps = 0} point runs the same
 * free as the {@code floor-slab-free} contender of {@link SlabObjectsBenchmark}, in a fork of its own.
 *
 * <p>Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class FreeWindowBenchmark {

    private static final int BLOCKS = FreeOrderPermutation.BLOCKS;

    /** Register-only steps (a rotate and an xor) added to each free. */
    @Param({"0", "16", "32", "64"})
    public int extraSteps;

    private SlabFreeFloorSlots heap;
    private int[] freeOrder;

    /** Opens the floor with a slot per block and computes W3's free order. */
    @Setup(Level.Trial)
    public void open() {
        heap = new SlabFreeFloorSlots(BLOCKS, FreeOrderPermutation.OBJECT_BYTE_SIZE, extraSteps);
        freeOrder = FreeOrderPermutation.shuffled(BLOCKS, XorShift64Star.SEED0);
    }

    /** Allocates the round's blocks (untimed). */
    @Setup(Level.Invocation)
    public void fillHeap() {
        if (!heap.holds(0)) {
            SlabObjectsBenchmark.allocateInOrder(heap);
        }
    }

    /** W3's freeing half over the floor. */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void free() {
        SlabObjectsBenchmark.freeInOrder(heap, freeOrder);
    }

    /** Gives the floor's pages back. */
    @TearDown(Level.Trial)
    public void close() {
        heap.close();
    }
}
