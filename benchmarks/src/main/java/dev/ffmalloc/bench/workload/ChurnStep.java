package dev.ffmalloc.bench.workload;

import dev.ffmalloc.bench.heap.HeapErrors;
import dev.ffmalloc.bench.heap.SlotHeap;

/**
 * The step of W2 churn-random (WORKLOADS.md), also run by each thread of W4: two random numbers choose a slot of
 * the live set and the size of the block that replaces whatever the slot held.
 *
 * <pre>
 *   r1 = next(); slot = r1 &gt;&gt;&gt; 52;                   // 0..4095
 *   r2 = next(); size = 16 + (r2 &gt;&gt;&gt; 33) % 4081;    // 16..4096 inclusive
 * </pre>
 *
 * Use: {@link #advance()}, then read {@link #slot()} and {@link #byteSize()}; the caller frees the slot's block if
 * it holds one, allocates {@code byteSize} bytes (alignment {@link #BYTE_ALIGNMENT}), stores the 8-byte value
 * {@code byteSize} at offset 0 and keeps the block in the slot. Nothing here allocates.
 */
public final class ChurnStep {

    /** Slots in the live set; all empty at the start. */
    public static final int SLOTS = 4096;

    /** Smallest block size of a step. */
    public static final long MIN_BYTE_SIZE = 16;

    /** Largest block size of a step. */
    public static final long MAX_BYTE_SIZE = 4096;

    /** Alignment of every block of the workload. */
    public static final long BYTE_ALIGNMENT = 8;

    /** Steps to run before measuring, so that the heap reaches its steady state. */
    public static final int WARM_UP_STEPS = 1_000_000;

    /** {@code 64 - log2(SLOTS)}: the top 12 bits of r1 pick the slot. */
    private static final int SLOT_SHIFT = 64 - Integer.numberOfTrailingZeros(SLOTS);

    private static final long SIZE_SPAN = MAX_BYTE_SIZE - MIN_BYTE_SIZE + 1;

    private final XorShift64Star random;
    private int slot;
    private long byteSize;

    /** @param seed the seed of the thread running the workload ({@link XorShift64Star#seedOfThread}) */
    public ChurnStep(final long seed) {
        this.random = new XorShift64Star(seed);
    }

    /** Draws the next step's slot and size. */
    public void advance() {
        slot = (int) (random.next() >>> SLOT_SHIFT);
        // r2 >>> 33 is below 2^31, so a signed remainder equals the unsigned one.
        byteSize = MIN_BYTE_SIZE + (random.next() >>> 33) % SIZE_SPAN;
    }

    /**
     * Runs one whole step on {@code heap}: draws it, frees the slot's block if it holds one, allocates the new
     * block and stores its size at offset 0.
     *
     * @throws IllegalStateException if the heap has no room for the block
     */
    public void runOn(final SlotHeap heap) {
        advance();
        final int stepSlot = slot;
        final long stepByteSize = byteSize;
        if (heap.holds(stepSlot)) {
            heap.free(stepSlot);
        }
        if (!heap.allocate(stepSlot, stepByteSize, BYTE_ALIGNMENT)) {
            throw HeapErrors.noRoom(stepByteSize, BYTE_ALIGNMENT);
        }
        heap.storeLong(stepSlot, stepByteSize);
    }

    /** @return the slot of the current step, 0 to {@code SLOTS - 1} */
    public int slot() {
        return slot;
    }

    /** @return the block size of the current step, {@code MIN_BYTE_SIZE} to {@code MAX_BYTE_SIZE} */
    public long byteSize() {
        return byteSize;
    }
}
