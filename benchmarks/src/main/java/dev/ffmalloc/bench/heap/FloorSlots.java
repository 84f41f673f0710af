package dev.ffmalloc.bench.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The floor: the workload's 8-byte stores into one preallocated segment, slot {@code s} always at offset
 * {@code s * strideBytes}, with no allocation and no free. It measures what every contender pays anyway (the random
 * numbers, the loop, the store and its cache misses), so that a score can be read as floor plus allocator.
 *
 * <p>No slot ever holds a block, so a workload never calls {@link #free}.
 */
public final class FloorSlots implements SlotHeap {

    private final Arena arena;
    private final MemorySegment segment;
    private final int slots;
    private final long strideBytes;

    /**
     * @param slots       the number of slots
     * @param strideBytes bytes between two slots' addresses: the workload's largest block, so each slot's store
     *                    lands where a block of that slot could lie
     */
    public FloorSlots(final int slots, final long strideBytes) {
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(slots * strideBytes, 4096);
        this.slots = slots;
        this.strideBytes = strideBytes;
    }

    @Override
    public int capacity() {
        return slots;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        return true;
    }

    @Override
    public void free(final int slot) {
        // Nothing was allocated.
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        return true;
    }

    @Override
    public boolean holds(final int slot) {
        return false;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        segment.set(ValueLayout.JAVA_LONG, slot * strideBytes, value);
    }

    @Override
    public long loadLong(final int slot) {
        return segment.get(ValueLayout.JAVA_LONG, slot * strideBytes);
    }

    /** Frees the preallocated segment. */
    @Override
    public void close() {
        arena.close();
    }
}
