package dev.ffmalloc.slab;

import dev.ffmalloc.memory.Memory;

/**
 * A ready {@link SlabBackend} over one range of a {@link Memory}, carved into slabs of the size of one
 * {@link SlabConfig} (and, for {@link ObjectSizeType#LARGE}, as many SlabInfo slots at the range's end), with the
 * page-to-SlabInfo entries in a {@link PageMap}. Free slabs and slots are kept on two stacks of addresses, so every
 * function runs in constant time and allocates nothing on the Java heap. It serves every cache whose configuration
 * has the same slab, page and SlabInfo sizes.
 *
 * <p>Use it where a cache owns a dedicated region: a benchmark, a test, a fixed pool of kernel memory. To share memory
 * with other allocations, use {@link AllocatorSlabBackend} over a general-purpose allocator instead.
 */
public final class RegionSlabBackend extends PageMapSlabBackend {

    private final long slabSize;
    private final long pageSize;
    private final long slabInfoSize;
    /** Free slabs; the top is at {@code freeSlabs[freeSlabCount - 1]}. */
    private final long[] freeSlabs;
    private int freeSlabCount;
    /** Free SlabInfo slots (LARGE only); the top is at {@code freeSlabInfos[freeSlabInfoCount - 1]}. */
    private final long[] freeSlabInfos;
    private int freeSlabInfoCount;

    /**
     * @param memory      the memory the region lies in
     * @param regionAddr  the first byte of the region, a multiple of the page size
     * @param regionBytes the size of the region
     * @param config      gives the slab, page and SlabInfo sizes
     * @param pageMap     holds the page-to-SlabInfo entries
     * @throws IllegalArgumentException if the region is not page aligned or holds no slab
     */
    public RegionSlabBackend(final Memory memory, final long regionAddr, final long regionBytes,
                             final SlabConfig config, final PageMap pageMap) {
        super(memory, pageMap);
        this.slabSize = config.slabSize();
        this.pageSize = config.pageSize();
        this.slabInfoSize = config.sizeType() == ObjectSizeType.LARGE ? config.slabInfoSize() : 0;
        final long slabs = regionBytes / (slabSize + slabInfoSize);
        if ((regionAddr & (pageSize - 1)) != 0 || slabs == 0 || slabs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region must be page aligned and hold 1 to 2^31-1 slabs: regionAddr=0x"
                + Long.toHexString(regionAddr) + ", regionBytes=" + regionBytes + ", slabSize=" + slabSize
                + ", pageSize=" + pageSize);
        }
        freeSlabs = new long[(int) slabs];
        freeSlabInfos = new long[slabInfoSize == 0 ? 0 : (int) slabs];
        // Pushed from the top down, so slabs and slots are handed out in address order.
        for (long slab = slabs - 1; slab >= 0; slab--) {
            freeSlabs[freeSlabCount++] = regionAddr + slab * slabSize;
            if (slabInfoSize != 0) {
                freeSlabInfos[freeSlabInfoCount++] = regionAddr + slabs * slabSize + slab * slabInfoSize;
            }
        }
    }

    @Override
    public long allocateSlab(final long slabSize, final long pageSize) {
        checkSlab(slabSize, pageSize);
        return freeSlabCount == 0 ? NO_MEMORY : freeSlabs[--freeSlabCount];
    }

    @Override
    public void freeSlab(final long slabAddr, final long slabSize, final long pageSize) {
        checkSlab(slabSize, pageSize);
        freeSlabs[freeSlabCount++] = slabAddr;
    }

    @Override
    public long allocateSlabInfo(final long byteSize) {
        checkSlabInfo(byteSize);
        return freeSlabInfoCount == 0 ? NO_MEMORY : freeSlabInfos[--freeSlabInfoCount];
    }

    @Override
    public void freeSlabInfo(final long slabInfoAddr, final long byteSize) {
        checkSlabInfo(byteSize);
        freeSlabInfos[freeSlabInfoCount++] = slabInfoAddr;
    }

    /** @return slabs not handed out */
    public int freeSlabs() {
        return freeSlabCount;
    }

    /** @return slabs the region holds */
    public int totalSlabs() {
        return freeSlabs.length;
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
}
