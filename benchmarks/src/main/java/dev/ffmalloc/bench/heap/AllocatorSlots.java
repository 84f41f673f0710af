package dev.ffmalloc.bench.heap;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.OutOfMemoryException;
import dev.ffmalloc.memory.Memory;

/**
 * Slots over any {@link Allocator} of the project: each slot keeps the address of its block, and stores go through
 * the allocator's own {@link Memory}, bounds-checked as a user's would be (unless the fork runs
 * {@code NativeMemory} unchecked, as the {@code -unchecked} contenders do).
 */
public final class AllocatorSlots implements SlotHeap {

    private final Allocator allocator;
    private final Memory memory;
    /** {@code blockAddrs[slot]} is the slot's block, or {@link Allocator#NO_BLOCK} when the slot is empty. */
    private final long[] blockAddrs;
    private final FootprintRule footprintRule;
    /** The lowest address the allocator manages; footprints by {@link FootprintRule#HIGHEST_BLOCK_END} start here. */
    private final long heapBaseAddr;
    /** The highest {@code blockAddr + usableSize} seen by {@link #footprintAfter}; starts at the heap base. */
    private long highestBlockEndAddr;

    /**
     * @param allocator     the allocator (a {@code LockedAllocator} when several threads share it)
     * @param slots         the number of slots
     * @param heapBaseAddr  the lowest address the allocator manages
     * @param footprintRule how this allocator's footprint is measured
     */
    public AllocatorSlots(final Allocator allocator, final int slots, final long heapBaseAddr,
                          final FootprintRule footprintRule) {
        this.allocator = allocator;
        this.memory = allocator.memory();
        this.blockAddrs = new long[slots];
        this.heapBaseAddr = heapBaseAddr;
        this.highestBlockEndAddr = heapBaseAddr;
        this.footprintRule = footprintRule;
    }

    @Override
    public int capacity() {
        return blockAddrs.length;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        final long blockAddr = allocator.tryAllocate(byteSize, byteAlignment);
        blockAddrs[slot] = blockAddr;
        return blockAddr != Allocator.NO_BLOCK;
    }

    /**
     * An allocator rejects a size above its largest possible block as bad input, not as no room, and the buddy an
     * alignment above it (its blocks are aligned to their size).
     */
    @Override
    public boolean couldEverHold(final long byteSize, final long byteAlignment) {
        return Math.max(byteSize, byteAlignment) <= allocator.maxAllocationSize();
    }

    @Override
    public void free(final int slot) {
        allocator.free(blockAddrs[slot]);
        blockAddrs[slot] = Allocator.NO_BLOCK;
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        try {
            blockAddrs[slot] = allocator.reallocate(blockAddrs[slot], newByteSize, byteAlignment);
            return true;
        } catch (final OutOfMemoryException noRoom) {
            return false;
        }
    }

    @Override
    public boolean holds(final int slot) {
        return blockAddrs[slot] != Allocator.NO_BLOCK;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        memory.setLong(blockAddrs[slot], value);
    }

    @Override
    public long loadLong(final int slot) {
        return memory.getLong(blockAddrs[slot]);
    }

    @Override
    public long footprintAfter(final int changedSlot) {
        return switch (footprintRule) {
            case HEAP_BYTES_OBTAINED -> allocator.stats().heapBytes();
            case HIGHEST_BLOCK_END -> {
                final long blockAddr = blockAddrs[changedSlot];
                if (blockAddr != Allocator.NO_BLOCK) {
                    highestBlockEndAddr = Math.max(highestBlockEndAddr, blockAddr + allocator.usableSize(blockAddr));
                }
                yield highestBlockEndAddr - heapBaseAddr;
            }
            case NOT_MEASURED -> -1;
        };
    }

    /** Leaves the blocks: they go with the heap's memory, which may be shared with other views. */
    @Override
    public void close() {
        // The owner of the heap (ProjectHeap) frees its memory at once.
    }

    @Override
    public FootprintRule footprintRule() {
        return footprintRule;
    }
}
