package dev.ffmalloc.slab;

import dev.ffmalloc.memory.Memory;

/**
 * A ready {@link SlabBackend} over one range of a {@link Memory}, carved into slabs of the size of one
 * {@link SlabConfig} (and, for {@link ObjectSizeType#LARGE}, as many SlabInfo slots at the range's end), with the
 * page-to-SlabInfo entries in a {@link PageMap}. Free slabs and slots are kept on two stacks of addresses, with a bit
 * per slab and slot saying whether it is free, so every function runs in constant time and allocates nothing on the
 * Java heap, and a slab or slot given back twice, or an address that is none of them, is refused by name and changes
 * nothing. It serves every cache whose configuration has the same slab, page and SlabInfo sizes.
 *
 * <p>Use it where a cache owns a dedicated region: a benchmark, a test, a fixed pool of kernel memory. To share memory
 * with other allocations, use {@link AllocatorSlabBackend} over a general-purpose allocator instead.
 */
public final class RegionSlabBackend extends PageMapSlabBackend {

    private final long slabSize;
    private final long pageSize;
    private final long slabInfoSize;
    private final FreeSlots slabs;
    /** SlabInfo slots after the slabs ({@code LARGE} only; none otherwise). */
    private final FreeSlots slabInfos;

    /**
     * @param memory      the memory the region lies in
     * @param regionAddr  the first byte of the region, a multiple of the page size
     * @param regionBytes the size of the region
     * @param config      gives the slab, page and SlabInfo sizes
     * @param pageMap     holds the page-to-SlabInfo entries
     * @throws IllegalArgumentException if the region is not page aligned, holds no slab, passes the end of the
     *                                  address space, starts at address 0, or is not in {@code memory}
     *                                  ({@link Memory#checkRange})
     */
    public RegionSlabBackend(final Memory memory, final long regionAddr, final long regionBytes,
                             final SlabConfig config, final PageMap pageMap) {
        super(memory, pageMap);
        this.slabSize = config.slabSize();
        this.pageSize = config.pageSize();
        this.slabInfoSize = config.sizeType() == ObjectSizeType.LARGE ? config.slabInfoSize() : 0;
        final long slabCount = regionBytes < 0 ? 0 : regionBytes / (slabSize + slabInfoSize);
        if ((regionAddr & (pageSize - 1)) != 0 || slabCount == 0 || slabCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region must be page aligned and hold 1 to 2^31-1 slabs: regionAddr=0x"
                + Long.toHexString(regionAddr) + ", regionBytes=" + regionBytes + ", slabSize=" + slabSize
                + ", pageSize=" + pageSize);
        }
        final long usedBytes = slabCount * (slabSize + slabInfoSize);
        // Address 0 is NO_MEMORY, so no slab may have it; the region may end at the top of the address space.
        if (regionAddr == 0 || Long.compareUnsigned(regionAddr, -usedBytes) > 0) {
            throw new IllegalArgumentException("region must not start at address 0 nor pass the end of the address"
                + " space: regionAddr=0x" + Long.toHexString(regionAddr) + ", regionBytes=" + regionBytes);
        }
        Memory.checkRange(memory, regionAddr, usedBytes);
        this.slabs = new FreeSlots("slab", regionAddr, slabSize, (int) slabCount);
        this.slabInfos = new FreeSlots("SlabInfo", regionAddr + slabCount * slabSize, slabInfoSize,
            slabInfoSize == 0 ? 0 : (int) slabCount);
    }

    @Override
    public long allocateSlab(final long slabSize, final long pageSize) {
        checkSlab(slabSize, pageSize);
        return slabs.take();
    }

    /** @throws IllegalArgumentException if {@code slabAddr} is not a slab of the region now handed out */
    @Override
    public void freeSlab(final long slabAddr, final long slabSize, final long pageSize) {
        checkSlab(slabSize, pageSize);
        slabs.giveBack(slabAddr);
    }

    @Override
    public long allocateSlabInfo(final long byteSize) {
        checkSlabInfo(byteSize);
        return slabInfos.take();
    }

    /** @throws IllegalArgumentException if {@code slabInfoAddr} is not a slot handed out and not given back */
    @Override
    public void freeSlabInfo(final long slabInfoAddr, final long byteSize) {
        checkSlabInfo(byteSize);
        slabInfos.giveBack(slabInfoAddr);
    }

    /** @return slabs not handed out */
    public int freeSlabs() {
        return slabs.freeCount();
    }

    /** @return slabs the region holds */
    public int totalSlabs() {
        return slabs.totalCount();
    }

    private void checkSlab(final long slabSize, final long pageSize) {
        if (slabSize != this.slabSize || pageSize != this.pageSize) {
            throw new IllegalArgumentException("slab shape differs from the region's: slabSize=" + slabSize
                + ", pageSize=" + pageSize + ", regionSlabSize=" + this.slabSize + ", regionPageSize="
                + this.pageSize);
        }
    }

    private void checkSlabInfo(final long byteSize) {
        if (byteSize != slabInfoSize) {
            throw new IllegalArgumentException("SlabInfo size differs from the region's: byteSize=" + byteSize
                + ", regionSlabInfoSize=" + slabInfoSize);
        }
    }

    /**
     * One array of equal slots: a stack of the free ones' addresses and a bit per slot, set while it is free.
     * Handed out in address order at first (the stack is filled from the top down).
     */
    private static final class FreeSlots {

        private final String kind;
        private final long firstAddr;
        private final long slotSize;
        private final long[] stack;
        private int stackCount;
        /** Bit {@code i} set iff slot {@code i} is free. */
        private final long[] freeBits;

        FreeSlots(final String kind, final long firstAddr, final long slotSize, final int slots) {
            this.kind = kind;
            this.firstAddr = firstAddr;
            this.slotSize = slotSize;
            this.stack = new long[slots];
            this.freeBits = new long[(slots + Long.SIZE - 1) / Long.SIZE];
            for (int slot = slots - 1; slot >= 0; slot--) {
                stack[stackCount++] = firstAddr + slot * slotSize;
                freeBits[slot >>> 6] |= 1L << slot;
            }
        }

        /** @return the most recently freed slot's address, now handed out; or {@link SlabBackend#NO_MEMORY} */
        long take() {
            if (stackCount == 0) {
                return NO_MEMORY;
            }
            final long addr = stack[--stackCount];
            final long slot = (addr - firstAddr) / slotSize;
            freeBits[(int) (slot >>> 6)] &= ~(1L << slot);
            return addr;
        }

        /** Takes back a slot handed out; refuses anything else and then changes nothing. */
        void giveBack(final long addr) {
            final long offset = addr - firstAddr;
            if (Long.compareUnsigned(offset, stack.length * slotSize) >= 0 || offset % slotSize != 0) {
                throw new IllegalArgumentException(kind + " address is not one of the region's " + kind + "s: addr=0x"
                    + Long.toHexString(addr) + ", first=0x" + Long.toHexString(firstAddr) + ", size=" + slotSize
                    + ", count=" + stack.length);
            }
            final long slot = offset / slotSize;
            final long bit = 1L << slot;
            if ((freeBits[(int) (slot >>> 6)] & bit) != 0) {
                throw new IllegalArgumentException(kind + " is already free: addr=0x" + Long.toHexString(addr));
            }
            freeBits[(int) (slot >>> 6)] |= bit;
            stack[stackCount++] = addr;
        }

        int freeCount() {
            return stackCount;
        }

        int totalCount() {
            return stack.length;
        }
    }
}
