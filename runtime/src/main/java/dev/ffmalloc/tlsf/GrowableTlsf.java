package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorErrors;
import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.alloc.HeapCorruptionException;
import dev.ffmalloc.memory.Memory;
import org.agrona.BitUtil;

/**
 * A {@link Tlsf} heap that grows: when no free block fits, it obtains memory from a {@link TlsfPoolSource} and
 * retries, like rlsf's {@code FlexTlsf}; {@link #trim()} gives free pools and free pool tails back to the source.
 *
 * <p>A range the source hands out right after a pool's end grows that pool in place (its free tail merges with the
 * new memory), so a source with consecutive addresses keeps one pool and one sentinel. Growth asks for at least
 * {@code minGrowthBytes}, so that a run of small allocations does not call the source for every page.
 *
 * <p>The footprint is what the heap holds from the source: bytes obtained and not released. Its high-water mark,
 * {@link #peakFootprintBytes()}, is the figure to compare with other allocators' peak memory.
 *
 * <p>Allocation that fits, free and in-place reallocation cost what they cost in {@link Tlsf} plus one call;
 * growth calls the source and {@link Tlsf#addPool}. Not thread-safe.
 */
public final class GrowableTlsf implements Allocator {

    /** The default least growth: 64 KiB, sixteen pages. */
    public static final long DEFAULT_MIN_GROWTH_BYTES = 64 * 1024;

    /**
     * Growths one request may need. Memory that follows the last pool grows that pool, but only up to the largest
     * pool ({@link TlsfConfig#maxPoolSize()}), and the rest starts a new pool, which may then be too small for the
     * request; a second growth follows that new pool and grows it, all free, to at least the request. (With the
     * default configuration a pool can be far larger than any source, and one growth is enough.)
     */
    private static final int MAX_GROWTHS_PER_REQUEST = 2;

    private final Tlsf tlsf;
    private final TlsfPoolSource source;
    private final long unitBytes;
    private final long minGrowthBytes;
    private final long maxAllocationSize;
    /** Bytes obtained from the source and not released; {@code footprintBytes <= peakFootprintBytes}. */
    private long footprintBytes;
    private long peakFootprintBytes;

    /**
     * Creates a heap over {@code source}, obtaining {@code initialBytes} (rounded up to whole units) at once.
     *
     * @param source         where memory comes from and goes back to; nothing else may use it
     * @param config         FLLEN and SLLEN
     * @param initialBytes   bytes to obtain now, 0 for none
     * @param minGrowthBytes the least to obtain when the heap grows (rounded up to whole units)
     * @throws IllegalArgumentException if a size is negative
     * @throws dev.ffmalloc.alloc.OutOfMemoryException if the source cannot give the initial bytes
     */
    public GrowableTlsf(final TlsfPoolSource source, final TlsfConfig config, final long initialBytes,
                        final long minGrowthBytes) {
        if (initialBytes < 0 || minGrowthBytes < 0) {
            throw negativeSizes(initialBytes, minGrowthBytes);
        }
        this.tlsf = new Tlsf(source.memory(), config);
        this.source = source;
        this.unitBytes = source.unitBytes();
        // More than the source holds could never be obtained: clamped, so that rounding up cannot overflow.
        this.minGrowthBytes = BitUtil.align(Math.max(Math.min(minGrowthBytes, source.capacityBytes()), 1), unitBytes);
        this.maxAllocationSize = Math.max(0, Math.min(config.maxAllocationSize(),
            source.capacityBytes() - TlsfLayout.SENTINEL_SIZE - TlsfLayout.HEADER_SIZE));
        if (initialBytes > 0
            && (initialBytes > source.capacityBytes() || !grow(BitUtil.align(initialBytes, unitBytes)))) {
            throw AllocatorErrors.outOfMemory(initialBytes, 1, 0);
        }
    }

    /** Creates a heap with the default configuration, no initial memory and the default least growth. */
    public GrowableTlsf(final TlsfPoolSource source) {
        this(source, TlsfConfig.DEFAULT, 0, DEFAULT_MIN_GROWTH_BYTES);
    }

    /**
     * {@inheritDoc}
     *
     * <p>If no free block fits, obtains enough memory for this request (at least the least growth) and retries.
     */
    @Override
    public long tryAllocate(final long byteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(byteSize, byteAlignment, maxAllocationSize);
        final long address = tlsf.allocateNoCheck(byteSize, byteAlignment);
        return address != NO_BLOCK ? address : growAndAllocateSlowPath(byteSize, byteAlignment);
    }

    private long growAndAllocateSlowPath(final long byteSize, final long byteAlignment) {
        for (int growth = 0; growth < MAX_GROWTHS_PER_REQUEST; growth++) {
            if (!growFor(byteSize, byteAlignment)) {
                return NO_BLOCK;
            }
            final long address = tlsf.allocateNoCheck(byteSize, byteAlignment);
            if (address != NO_BLOCK) {
                return address;
            }
        }
        return NO_BLOCK;
    }

    /**
     * Obtains enough memory for a request: a free block of its search size, which the new memory holds as the
     * head of its list (or merged with a free pool tail), so the retried allocation finds it.
     *
     * @return whether the heap grew
     */
    private boolean growFor(final long byteSize, final long byteAlignment) {
        final long neededSize = TlsfLayout.blockSizeFor(byteSize);
        final long maxPadding = Math.max(byteAlignment - TlsfLayout.HEADER_SIZE, 0);
        if (maxPadding > tlsf.config().maxBlockSize() - neededSize) {
            return false;
        }
        final long poolSize = neededSize + maxPadding + TlsfLayout.SENTINEL_SIZE;
        if (poolSize > source.capacityBytes()) {
            return false;
        }
        final long neededBytes = BitUtil.align(poolSize, unitBytes);
        // Ask for the least growth; near the end of the source, for just this request.
        return grow(Math.max(neededBytes, minGrowthBytes)) || (neededBytes < minGrowthBytes && grow(neededBytes));
    }

    /** Obtains {@code byteSize} bytes (whole units) from the source and adds them to the heap. */
    private boolean grow(final long byteSize) {
        final long addr = source.obtain(byteSize);
        if (addr == TlsfPoolSource.NO_MEMORY) {
            return false;
        }
        if (tlsf.addPool(addr, byteSize) == 0) {
            source.release(addr, byteSize);
            return false;
        }
        footprintBytes += byteSize;
        peakFootprintBytes = Math.max(peakFootprintBytes, footprintBytes);
        return true;
    }

    /**
     * Gives memory that holds no used block back to the source, after merging the blocks parked in the quick lists
     * into the free lists: the pools that are all free, and the free tail of every other pool, cut at a unit
     * boundary. Since adjacent growth makes one pool of consecutive ranges, the tail is what a heap that grew and then
     * emptied from the top gives back. The source takes back whole units only, so a free pool goes back only with
     * the free pools beside it that make up whole units with it; one that shares a unit with memory the heap keeps
     * stays in the heap, whole and usable. (Pools have unit boundaries unless the heap split a range larger than its
     * largest pool.) Linear in the number of pools, plus the same again for each pool it takes out (the pool table
     * closes up).
     *
     * @return how many bytes went back to the source
     */
    public long trim() {
        tlsf.flushQuickLists();
        long releasedBytes = 0;
        int pool = tlsf.poolCount() - 1;
        while (pool >= 0) {
            if (!tlsf.isPoolFree(pool)) {
                releasedBytes += releaseFreeTail(pool);
                pool--;
                continue;
            }
            int first = pool;
            while (first > 0 && tlsf.isPoolFree(first - 1) && poolEndAddr(first - 1) == tlsf.poolAddress(first)) {
                first--;
            }
            releasedBytes += releaseFreeRun(first, pool);
            pool = first - 1;
        }
        footprintBytes -= releasedBytes;
        return releasedBytes;
    }

    /**
     * Gives back pools {@code first} to {@code last}, all free and each starting where the one before ends: from the
     * end down, the longest span that starts and ends on unit boundaries, and again below it. The pools left out
     * stay.
     *
     * @return how many bytes went back
     */
    private long releaseFreeRun(final int first, final int last) {
        long releasedBytes = 0;
        int end = last;
        while (end >= first) {
            if (!onUnitBoundary(poolEndAddr(end))) {
                end--;
                continue;
            }
            int start = first;
            while (start <= end && !onUnitBoundary(tlsf.poolAddress(start))) {
                start++;
            }
            if (start > end) {
                break;
            }
            final long spanStartAddr = tlsf.poolAddress(start);
            final long spanEndAddr = poolEndAddr(end);
            for (int pool = end; pool >= start; pool--) {
                final long removedBytes = tlsf.removePoolIfFree(pool);
                assert removedBytes != 0 : "every pool of the run is free";
            }
            releasedBytes += release(spanStartAddr, spanEndAddr);
            end = start - 1;
        }
        return releasedBytes;
    }

    /** Cuts the free tail of pool {@code pool} at a unit boundary and gives it back; @return its size or 0 */
    private long releaseFreeTail(final int pool) {
        final long endAddr = poolEndAddr(pool);
        final long cutBytes = tlsf.shrinkPoolTail(pool, unitBytes);
        return release(endAddr - cutBytes, endAddr);
    }

    private long poolEndAddr(final int pool) {
        return tlsf.poolAddress(pool) + tlsf.poolByteSize(pool);
    }

    private boolean onUnitBoundary(final long addr) {
        return (addr & (unitBytes - 1)) == 0;
    }

    /** Gives {@code [startAddr, endAddr)} back to the source if it is not empty; @return its size or 0 */
    private long release(final long startAddr, final long endAddr) {
        if (endAddr - startAddr <= 0) {
            return 0;
        }
        source.release(startAddr, endAddr - startAddr);
        return endAddr - startAddr;
    }

    @Override
    public void free(final long address) {
        tlsf.free(address);
    }

    /**
     * {@inheritDoc}
     *
     * <p>As {@link Tlsf#reallocate}; when the block must move and no free block fits, the parked blocks go back to
     * the free lists and the block is tried in place again; then the heap grows, and the block is resized in place
     * if the new memory follows it, else moved.
     */
    @Override
    public long reallocate(final long address, final long newByteSize, final long byteAlignment) {
        AllocatorErrors.checkRequest(newByteSize, byteAlignment, maxAllocationSize);
        final long blockAddr = tlsf.checkedBlockOf(address);
        long newAddr = tlsf.resizeOrMove(blockAddr, address, newByteSize, byteAlignment);
        // Grown memory that follows the block's pool lets it grow in place, without a copy and without holding the
        // old and the new block at once.
        for (int growth = 0; newAddr == NO_BLOCK && growth < MAX_GROWTHS_PER_REQUEST
            && growFor(newByteSize, byteAlignment); growth++) {
            newAddr = tlsf.resizeOrMove(blockAddr, address, newByteSize, byteAlignment);
        }
        if (newAddr == NO_BLOCK) {
            throw AllocatorErrors.outOfMemory(newByteSize, byteAlignment, tlsf.stats().bytesFree());
        }
        return newAddr;
    }

    @Override
    public long usableSize(final long address) {
        return tlsf.usableSize(address);
    }

    /** @return the largest request the source's capacity could ever serve, and at most the configuration's limit */
    @Override
    public long maxAllocationSize() {
        return maxAllocationSize;
    }

    @Override
    public Memory memory() {
        return tlsf.memory();
    }

    /** {@inheritDoc} {@code heapBytes} is the sum of the pools the heap holds now. */
    @Override
    public AllocatorStats stats() {
        return tlsf.stats();
    }

    /** @return the statistics with the shape of the free memory */
    public TlsfStats tlsfStats() {
        return tlsf.tlsfStats();
    }

    /** @return bytes obtained from the source and not released */
    public long footprintBytes() {
        return footprintBytes;
    }

    /** @return the most bytes held from the source at any time: the heap's peak footprint */
    public long peakFootprintBytes() {
        return peakFootprintBytes;
    }

    /** @return how many pools the heap has now */
    public int poolCount() {
        return tlsf.poolCount();
    }

    /** @return the start address of pool {@code pool}, pools numbered in address order */
    public long poolAddress(final int pool) {
        return tlsf.poolAddress(pool);
    }

    /** @return the size of pool {@code pool}, its sentinel included */
    public long poolByteSize(final int pool) {
        return tlsf.poolByteSize(pool);
    }

    /** Reports every block of pool {@code pool}; see {@link Tlsf#forEachBlock}. */
    public void forEachBlock(final int pool, final TlsfBlockVisitor visitor) {
        tlsf.forEachBlock(pool, visitor);
    }

    /** {@inheritDoc} Also checks that the footprint covers the pools. */
    @Override
    public void checkIntegrity() {
        tlsf.checkIntegrity();
        if (tlsf.stats().heapBytes() > footprintBytes || footprintBytes > peakFootprintBytes) {
            throw new HeapCorruptionException("pools <= footprint <= peak footprint: pools="
                + tlsf.stats().heapBytes() + ", footprint=" + footprintBytes + ", peak=" + peakFootprintBytes, 0);
        }
    }

    @Override
    public String toString() {
        return "GrowableTlsf[" + tlsf + ", footprintBytes=" + footprintBytes + ", peakFootprintBytes="
            + peakFootprintBytes + "]";
    }

    private static IllegalArgumentException negativeSizes(final long initialBytes, final long minGrowthBytes) {
        return new IllegalArgumentException("sizes must not be negative: initialBytes=" + initialBytes
            + ", minGrowthBytes=" + minGrowthBytes);
    }
}
