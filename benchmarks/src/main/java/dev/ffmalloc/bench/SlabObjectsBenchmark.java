package dev.ffmalloc.bench;

import dev.ffmalloc.bench.heap.ContenderHeap;
import dev.ffmalloc.bench.heap.HeapErrors;
import dev.ffmalloc.bench.heap.SlotHeap;
import dev.ffmalloc.bench.workload.FreeOrderPermutation;
import dev.ffmalloc.bench.workload.Workload;
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
 * W3 slab-objects (WORKLOADS.md): a round allocates 1,000,000 blocks of 48 bytes (storing {@code i} in block
 * {@code i}), then frees them in the order of {@link FreeOrderPermutation}, the same every round. Allocation and free
 * are measured separately, each over repeated rounds (the warm case): {@link #allocation} times the allocating half
 * while an untimed per-invocation setup frees the previous round; {@link #free} times the freeing half while the
 * setup allocates. Score: ns per allocation and ns per free.
 *
 * <p>Not final: JMH subclasses benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dio.netty.leakDetection.level=disabled",
    "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class SlabObjectsBenchmark {

    private static final int BLOCKS = FreeOrderPermutation.BLOCKS;

    /** The million slots and the free order, opened once per fork. */
    @State(Scope.Thread)
    public abstract static class Round {

        /** The contender's label ({@link Contender#label()}). */
        @Param("malloc")
        public String contender;

        ContenderHeap instance;
        SlotHeap heap;
        int[] freeOrder;

        /** Opens the heap with a slot per block and computes the free order. */
        @Setup(Level.Trial)
        public void open() {
            instance = Contender.forLabel(contender).open(Workload.SLAB_OBJECTS);
            heap = instance.slots(BLOCKS);
            freeOrder = FreeOrderPermutation.shuffled(BLOCKS, XorShift64Star.SEED0);
        }

        /** Frees what is left and gives the heap back. */
        @TearDown(Level.Trial)
        public void close() {
            heap.close();
            instance.close();
        }
    }

    /** A round about to allocate: every block freed. */
    public static class EmptyRound extends Round {

        /** Frees the previous round's blocks, in the free order (untimed). */
        @Setup(Level.Invocation)
        public void emptyHeap() {
            if (heap.holds(0)) {
                freeInOrder(heap, freeOrder);
            }
        }
    }

    /** A round about to free: every block allocated. */
    public static class FullRound extends Round {

        /** Allocates the round's blocks (untimed). */
        @Setup(Level.Invocation)
        public void fillHeap() {
            if (!heap.holds(0)) {
                allocateInOrder(heap);
            }
        }
    }

    /** The allocating half of a round. */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void allocation(final EmptyRound round) {
        allocateInOrder(round.heap);
    }

    /** The freeing half of a round. */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void free(final FullRound round) {
        freeInOrder(round.heap, round.freeOrder);
    }

    /** W3's allocating half: block {@code i} into slot {@code i}, storing {@code i} in it. */
    static void allocateInOrder(final SlotHeap heap) {
        for (int block = 0; block < BLOCKS; block++) {
            if (!heap.allocate(block, FreeOrderPermutation.OBJECT_BYTE_SIZE, FreeOrderPermutation.BYTE_ALIGNMENT)) {
                throw HeapErrors.noRoom(FreeOrderPermutation.OBJECT_BYTE_SIZE, FreeOrderPermutation.BYTE_ALIGNMENT);
            }
            heap.storeLong(block, block);
        }
    }

    /** W3's freeing half: every slot, in the free order. */
    static void freeInOrder(final SlotHeap heap, final int[] freeOrder) {
        for (final int block : freeOrder) {
            heap.free(block);
        }
    }
}
