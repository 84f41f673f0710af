package dev.ffmalloc.bench.heap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The floor under a one-page slab free: the memory accesses a free makes when each 4 KiB slab keeps its state (a
 * free-list head, a count, an allocation bitmap) in its last cache line and threads its free objects through the
 * objects, with none of the logic. It is what a W3 free costs before a single check of an allocator, so that the slab
 * caches' ratios can be read against it. (Larger slabs have fewer metadata lines, and a slab found through a page map
 * adds a lookup: this floor is for the one-page layout.)
 *
 * <p>Blocks lie as a one-page slab lays them out: as many objects as fit before the page's last cache line (84 of 48
 * bytes), and a metadata word at the start of that line. Allocation is a bump through the pages (W3 allocates every
 * block, then frees every block, so the bump starts again from the first page once none is live). A free reads the
 * block's address from its slot, reads and writes its page's metadata word (flipping a bit) and writes the old word
 * into the block as its link: the slot, the metadata line and the block, as a slab free, and no check.
 *
 * <p>{@code extraSteps} adds that many register-only steps (a rotate and an xor, no memory access) to each free, to
 * measure how the time of a free grows with the instructions it executes while its cache misses are outstanding
 * ({@code FreeWindowBenchmark}). Each free runs its own chain of steps, so no latency carries from one free to the
 * next.
 */
public final class SlabFreeFloorSlots implements SlotHeap {

    /** The layout {@code NativeMemory} accesses memory through: the JDK checks no alignment for it. */
    private static final ValueLayout.OfLong LONG =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The page, and the slab. */
    static final long PAGE_SIZE = 4096;

    /** Offset of the metadata word in its page: the start of the last cache line. */
    static final long METADATA_OFFSET = PAGE_SIZE - 64;

    /** The largest object: one per page, before the metadata line. */
    static final long MAX_OBJECT_SIZE = METADATA_OFFSET;

    private final Arena arena;
    private final MemorySegment segment;
    private final long baseAddr;
    private final long objectStride;
    private final long objectsPerPage;
    private final int extraSteps;
    private final long[] blockAddrs;
    /** Where the next block goes, and how many blocks are live: the bump starts again when none is. */
    private long nextAddr;
    private long liveBlocks;
    /** The result of the extra steps, kept so that the JIT cannot drop them. */
    private long extraResult;

    /**
     * @param slots        the number of slots
     * @param objectStride bytes between two objects of a page: the workload's block size, 8 to
     *                     {@value #MAX_OBJECT_SIZE}
     * @param extraSteps   register-only steps added to each free, 0 for the floor itself
     */
    public SlabFreeFloorSlots(final int slots, final long objectStride, final int extraSteps) {
        if (objectStride < Long.BYTES || objectStride > MAX_OBJECT_SIZE || extraSteps < 0) {
            throw new IllegalArgumentException("objects are 8 to " + MAX_OBJECT_SIZE + " bytes and extra steps 0 or"
                + " more: objectStride=" + objectStride + ", extraSteps=" + extraSteps);
        }
        this.objectStride = objectStride;
        this.objectsPerPage = METADATA_OFFSET / objectStride;
        this.extraSteps = extraSteps;
        final long pages = (slots + objectsPerPage - 1) / objectsPerPage;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(pages * PAGE_SIZE, PAGE_SIZE);
        this.baseAddr = segment.address();
        this.blockAddrs = new long[slots];
        this.nextAddr = baseAddr;
    }

    /** @return how many objects each page holds */
    public long objectsPerPage() {
        return objectsPerPage;
    }

    @Override
    public int capacity() {
        return blockAddrs.length;
    }

    @Override
    public boolean allocate(final int slot, final long byteSize, final long byteAlignment) {
        if (liveBlocks == 0) {
            nextAddr = baseAddr;
        }
        if ((nextAddr - baseAddr) % PAGE_SIZE == objectsPerPage * objectStride) {
            nextAddr += PAGE_SIZE - objectsPerPage * objectStride;
        }
        if (nextAddr - baseAddr + objectStride > segment.byteSize()) {
            return false;
        }
        blockAddrs[slot] = nextAddr;
        nextAddr += objectStride;
        liveBlocks++;
        return true;
    }

    @Override
    public void free(final int slot) {
        final long blockAddr = blockAddrs[slot];
        final long blockOffset = blockAddr - baseAddr;
        final long metadataOffset = (blockOffset & -PAGE_SIZE) + METADATA_OFFSET;
        final long word = segment.get(LONG, metadataOffset);
        segment.set(LONG, metadataOffset, word ^ 1L << (blockOffset >>> 3));
        segment.set(LONG, blockOffset, word);
        blockAddrs[slot] = 0;
        liveBlocks--;
        if (extraSteps != 0) {
            long result = slot;
            for (int step = 0; step < extraSteps; step++) {
                result = Long.rotateLeft(result, 5) ^ step;
            }
            extraResult ^= result;
        }
    }

    @Override
    public boolean reallocate(final int slot, final long newByteSize, final long byteAlignment) {
        throw new UnsupportedOperationException("the slab free floor serves W3 only, which never reallocates");
    }

    @Override
    public boolean holds(final int slot) {
        return blockAddrs[slot] != 0;
    }

    @Override
    public void storeLong(final int slot, final long value) {
        segment.set(LONG, blockAddrs[slot] - baseAddr, value);
    }

    @Override
    public long loadLong(final int slot) {
        return segment.get(LONG, blockAddrs[slot] - baseAddr);
    }

    /** @return the address of the slot's block, or 0 (for tests) */
    long blockAddr(final int slot) {
        return blockAddrs[slot];
    }

    /** @return the 8 bytes at {@code addr}, a block's address whether live or not (for tests) */
    long wordAt(final long addr) {
        return segment.get(LONG, addr - baseAddr);
    }

    /** Frees the preallocated pages. */
    @Override
    public void close() {
        arena.close();
    }
}
