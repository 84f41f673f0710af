package dev.ffmalloc.bench.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;

/**
 * The lower bound of W1: {@link SegmentAllocator#slicingAllocator} over one large segment, a bump allocator that
 * never frees. When the segment is used up a new slicing allocator starts over it (one object per
 * {@code SEGMENT_BYTES / block} pairs).
 *
 * <p>W1 only: it overrides {@link #pair} so that the slice stays a local the JIT can scalar-replace, which is how a
 * user would write a bump-and-forget allocation; the slot methods exist for completeness.
 */
public final class SlicingSlots implements SlotHeap {

    /** Size of the segment the slicing allocator carves. */
    public static final long SEGMENT_BYTES = 64L << 20;

    private final Arena arena;
    private final MemorySegment segment;
    private final MemorySegment[] blocks;
    private SegmentAllocator slicing;
    /** Bytes surely left in {@link #slicing}: each allocation is counted at size plus alignment, its worst case. */
    private long bytesLeft;

    /** @param slots the number of slots */
    public SlicingSlots(final int slots) {
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(SEGMENT_BYTES, 4096);
        this.blocks = new MemorySegment[slots];
        restart();
    }

    @Override
    public void pair(final long byteSize, final long byteAlignment) {
        final MemorySegment block = slice(byteSize, byteAlignment);
        block.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, byteSize);
    }

    private MemorySegment slice(final long byteSize, final long byteAlignment) {
        final long worstCaseBytes = byteSize + byteAlignment;
        if (bytesLeft < worstCaseBytes) {
            restart();
        }
        bytesLeft -= worstCaseBytes;
        return slicing.allocate(byteSize, byteAlignment);
    }

    private void restart() {
        slicing = SegmentAllocator.slicingAllocator(segment);
        bytesLeft = SEGMENT_BYTES;
    }

    @Override
    public int capacity() {
        return blocks.length;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        blocks[slot] = slice(byteSize, byteAlignment);
        return true;
    }

    @Override
    public void free(final int slot) {
        blocks[slot] = null;
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        final MemorySegment oldBlock = blocks[slot];
        final MemorySegment newBlock = slice(newByteSize, byteAlignment);
        MemorySegment.copy(oldBlock, 0, newBlock, 0, Math.min(oldBlock.byteSize(), newByteSize));
        blocks[slot] = newBlock;
        return true;
    }

    @Override
    public boolean holds(final int slot) {
        return blocks[slot] != null;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        blocks[slot].set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }

    @Override
    public long loadLong(final int slot) {
        return blocks[slot].get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    /** Frees the segment. */
    @Override
    public void close() {
        arena.close();
    }
}
