package dev.ffmalloc.bench.heap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Slots over libc's {@code malloc}/{@code free} through FFM downcalls ({@link Libc}), plain or critical. Alignments
 * above {@link Libc#MALLOC_ALIGNMENT} go to {@code aligned_alloc}; a reallocation to such an alignment moves the
 * block (C has no aligned {@code realloc}).
 */
public final class MallocSlots implements SlotHeap {

    /** {@code blockAddrs[slot]} is the slot's block, or 0 when the slot is empty. */
    private final long[] blockAddrs;
    /** Fixed per fork: the branch on it is always taken the same way, and the JIT keeps only that side. */
    private final boolean critical;

    /**
     * @param slots    the number of slots
     * @param critical whether {@code malloc} and {@code free} are called through critical downcalls
     */
    public MallocSlots(final int slots, final boolean critical) {
        this.blockAddrs = new long[slots];
        this.critical = critical;
    }

    @Override
    public int capacity() {
        return blockAddrs.length;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        final long blockAddr;
        if (byteAlignment > Libc.MALLOC_ALIGNMENT) {
            blockAddr = Libc.alignedAlloc(byteAlignment, byteSize);
        } else {
            blockAddr = critical ? Libc.mallocCritical(byteSize) : Libc.malloc(byteSize);
        }
        blockAddrs[slot] = blockAddr;
        return blockAddr != 0;
    }

    @Override
    public void free(final int slot) {
        if (critical) {
            Libc.freeCritical(blockAddrs[slot]);
        } else {
            Libc.free(blockAddrs[slot]);
        }
        blockAddrs[slot] = 0;
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        final long blockAddr = blockAddrs[slot];
        if (byteAlignment > Libc.MALLOC_ALIGNMENT) {
            return reallocateAligned(slot, blockAddr, newByteSize, byteAlignment);
        }
        // realloc(p, 0) frees p on glibc and returns NULL, which would read as "no room, p kept": ask for 1 byte, as
        // the project's allocators serve size 0.
        final long newBlockAddr = Libc.realloc(blockAddr, Math.max(newByteSize, 1));
        if (newBlockAddr == 0) {
            return false;
        }
        blockAddrs[slot] = newBlockAddr;
        return true;
    }

    private boolean reallocateAligned(final int slot, final long blockAddr, final long newByteSize,
                                      final long byteAlignment) {
        final long newBlockAddr = Libc.alignedAlloc(byteAlignment, Math.max(newByteSize, 1));
        if (newBlockAddr == 0) {
            return false;
        }
        final long keptBytes = Math.min(Libc.usableSize(blockAddr), newByteSize);
        MemorySegment.copy(Libc.ALL_MEMORY, blockAddr, Libc.ALL_MEMORY, newBlockAddr, keptBytes);
        Libc.free(blockAddr);
        blockAddrs[slot] = newBlockAddr;
        return true;
    }

    @Override
    public boolean holds(final int slot) {
        return blockAddrs[slot] != 0;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        Libc.ALL_MEMORY.set(ValueLayout.JAVA_LONG, blockAddrs[slot], value);
    }

    @Override
    public long loadLong(final int slot) {
        return Libc.ALL_MEMORY.get(ValueLayout.JAVA_LONG, blockAddrs[slot]);
    }
}
