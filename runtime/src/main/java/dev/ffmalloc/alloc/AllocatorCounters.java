package dev.ffmalloc.alloc;

/**
 * The running counters behind {@link AllocatorStats}, shared by every allocator so that each counts the same way.
 *
 * <p>Invariants: {@code liveBlocks == allocations - frees}; {@code peakBytesInUse >= bytesInUse}.
 * Plain fields: an allocator is single-threaded, and its lock (if any) guards these too.
 */
public final class AllocatorCounters {

    private long bytesInUse;
    private long peakBytesInUse;
    private long allocations;
    private long frees;

    /** Counts a block of {@code blockBytes} handed out. */
    public void onAllocate(final long blockBytes) {
        final long inUse = bytesInUse + blockBytes;
        bytesInUse = inUse;
        if (inUse > peakBytesInUse) {
            peakBytesInUse = inUse;
        }
        allocations++;
    }

    /** Counts a block of {@code blockBytes} given back. */
    public void onFree(final long blockBytes) {
        bytesInUse -= blockBytes;
        frees++;
    }

    /** Counts a live block whose size changed in place from {@code oldBlockBytes} to {@code newBlockBytes}. */
    public void onResize(final long oldBlockBytes, final long newBlockBytes) {
        final long inUse = bytesInUse - oldBlockBytes + newBlockBytes;
        bytesInUse = inUse;
        if (inUse > peakBytesInUse) {
            peakBytesInUse = inUse;
        }
    }

    /** @return bytes taken by live blocks */
    public long bytesInUse() {
        return bytesInUse;
    }

    /** @return blocks allocated and not yet freed */
    public long liveBlocks() {
        return allocations - frees;
    }

    /** @return a snapshot, with the heap size and free bytes the allocator knows */
    public AllocatorStats snapshot(final long heapBytes, final long bytesFree) {
        return new AllocatorStats(heapBytes, bytesInUse, bytesFree, peakBytesInUse, allocations - frees,
            allocations, frees);
    }
}
