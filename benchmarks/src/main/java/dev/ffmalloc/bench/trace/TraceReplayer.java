package dev.ffmalloc.bench.trace;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.bench.heap.AllocatorSlots;
import dev.ffmalloc.bench.heap.FootprintRule;
import dev.ffmalloc.bench.heap.SlotHeap;

/**
 * Runs a parsed {@link Trace} through a heap: block {@code id} of the trace lives in slot {@code id}.
 *
 * <p>Every allocated or reallocated block of 8 bytes or more gets a stamp made from its ID ({@link #stamp}) in its
 * first 8 bytes, as a program would write into its memory. Two passes share one loop:
 * <ul>
 *   <li>{@link #replay} is the timed pass: the loop and the heap's calls, nothing else, and no Java allocation;</li>
 *   <li>{@link #measure} is the measuring pass (never timed): after each placement it asks the heap for its
 *       footprint and keeps the peak, and before each free and after each reallocation it checks that the stamp
 *       survived (the first {@code min(old, new)} bytes must), throwing if not.</li>
 * </ul>
 * A failed allocation is counted and its block stays absent: later frees and reallocations of it are skipped.
 * Both passes leave the blocks the program never freed in the heap; {@link SlotHeap#freeAll()} clears them.
 */
public final class TraceReplayer {

    /** Blocks below this size get no stamp (they could not hold it). */
    private static final long STAMP_BYTES = Long.BYTES;

    /** Odd, so {@code (id + 1) * STAMP_FACTOR} is never 0 and never what fresh zeroed memory holds. */
    private static final long STAMP_FACTOR = 0x9E3779B97F4A7C15L;

    private TraceReplayer() {
    }

    /**
     * The timed pass.
     *
     * @param heap a heap with at least {@code trace.blockCount()} empty slots
     * @return the number of failed allocations and reallocations
     */
    public static long replay(final Trace trace, final SlotHeap heap) {
        return run(trace, heap, null);
    }

    /**
     * The measuring pass: footprint and content checks, no timing. Run it on a fresh heap, so that the footprint
     * is the one the trace alone needs.
     *
     * @param heap a fresh heap with at least {@code trace.blockCount()} empty slots
     * @throws IllegalStateException if a block lost the bytes it had to keep
     */
    public static ReplayReport measure(final Trace trace, final SlotHeap heap) {
        final Measurement measurement = new Measurement(trace);
        final long failures = run(trace, heap, measurement);
        return new ReplayReport(trace.name(), trace.operationCount(), Double.NaN, trace.peakLiveBytes(),
            measurement.peakFootprintBytes, failures);
    }

    /**
     * Replays a trace through any allocator of the project: a measuring pass on the allocator as given, then a
     * timed pass; blocks left by each pass are freed after it.
     *
     * @param allocator     a fresh allocator, large enough (or growable) for the trace
     * @param heapBaseAddr  the lowest address the allocator manages (for {@link FootprintRule#HIGHEST_BLOCK_END})
     * @param footprintRule how the allocator's footprint is measured
     */
    public static ReplayReport replay(final Trace trace, final Allocator allocator, final long heapBaseAddr,
                                      final FootprintRule footprintRule) {
        final SlotHeap heap = new AllocatorSlots(allocator, trace.blockCount(), heapBaseAddr, footprintRule);
        final ReplayReport measured = measure(trace, heap);
        heap.freeAll();
        final long startNanos = System.nanoTime();
        replay(trace, heap);
        final long elapsedNanos = System.nanoTime() - startNanos;
        heap.freeAll();
        return measured.withNanosPerOperation((double) elapsedNanos / Math.max(1, trace.operationCount()));
    }

    /** @return the stamp of block {@code blockId}: never 0, different for every block */
    static long stamp(final int blockId) {
        return (blockId + 1L) * STAMP_FACTOR;
    }

    /** The one replay loop; {@code measurement} is null in the timed pass. */
    private static long run(final Trace trace, final SlotHeap heap, final Measurement measurement) {
        final byte[] operations = trace.operations();
        final int[] blockIds = trace.blockIds();
        final long[] byteSizes = trace.byteSizes();
        final long[] byteAlignments = trace.byteAlignments();
        long failures = 0;
        for (int index = 0; index < operations.length; index++) {
            final int blockId = blockIds[index];
            final long byteSize = byteSizes[index];
            switch (operations[index]) {
                case Trace.ALLOCATE -> {
                    if (!heap.couldEverHold(byteSize, byteAlignments[index])
                        || !heap.allocate(blockId, byteSize, byteAlignments[index])) {
                        failures++;
                        continue;
                    }
                    if (byteSize >= STAMP_BYTES) {
                        heap.storeLong(blockId, stamp(blockId));
                    }
                    if (measurement != null) {
                        measurement.placed(heap, blockId, byteSize);
                    }
                }
                case Trace.FREE -> {
                    if (heap.holds(blockId)) {
                        if (measurement != null) {
                            measurement.checkKept(heap, blockId, index, Long.MAX_VALUE);
                        }
                        heap.free(blockId);
                    }
                }
                default -> {
                    if (!heap.holds(blockId)) {
                        continue;
                    }
                    if (!heap.couldEverHold(byteSize, byteAlignments[index])
                        || !heap.reallocate(blockId, byteSize, byteAlignments[index])) {
                        failures++;
                        continue;
                    }
                    if (measurement != null) {
                        measurement.checkKept(heap, blockId, index, byteSize);
                        measurement.placed(heap, blockId, byteSize);
                    }
                    if (byteSize >= STAMP_BYTES) {
                        heap.storeLong(blockId, stamp(blockId));
                    }
                }
            }
        }
        return failures;
    }

    /** State of a measuring pass. */
    private static final class Measurement {

        private final String traceName;
        /** {@code byteSizes[id]}: the size block {@code id} was last placed with. */
        private final long[] byteSizes;
        private long peakFootprintBytes = -1;

        Measurement(final Trace trace) {
            this.traceName = trace.name();
            this.byteSizes = new long[trace.blockCount()];
        }

        void placed(final SlotHeap heap, final int blockId, final long byteSize) {
            byteSizes[blockId] = byteSize;
            peakFootprintBytes = Math.max(peakFootprintBytes, heap.footprintAfter(blockId));
        }

        /** Checks the stamp of a block whose first {@code min(placed size, keptBytes)} bytes had to survive. */
        void checkKept(final SlotHeap heap, final int blockId, final int operationIndex, final long keptBytes) {
            if (Math.min(byteSizes[blockId], keptBytes) < STAMP_BYTES) {
                return;
            }
            final long found = heap.loadLong(blockId);
            if (found != stamp(blockId)) {
                throw new IllegalStateException("block lost its contents during replay: trace=" + traceName
                    + ", operation=" + operationIndex + ", id=" + blockId + ", found=" + found);
            }
        }
    }
}
