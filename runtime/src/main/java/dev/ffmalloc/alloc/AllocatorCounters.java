package dev.ffmalloc.alloc;

/**
 * The running counters behind {@link AllocatorStats}, shared by every allocator so that each counts the same way.
 *
 * <p>Invariants: {@code liveBlocks == allocations - frees}; {@code peakBytesInUse >= bytesInUse}.
 * Plain fields: an allocator is single-threaded, and its lock (if any) guards these too.
 *
 * <p>Allocation and free each add to counters of their own, which only ever grow, and the figures in use are their
 * differences: a free never writes a field the next allocation must read back and write again, so the counters put
 * no chain of store-to-load forwarding into a loop of allocate/free pairs (one running total did). The peak is
 * written only when it rises.
 */
public final class AllocatorCounters {

    /** Bytes of every block handed out or grown in place, ever. */
    private long bytesAllocated;
    /** Bytes of every block given back or shrunk in place, ever; {@code bytesAllocated - bytesFreed} is in use. */
    private long bytesFreed;
    private long peakBytesInUse;
    private long allocations;
    private long frees;

    /** Counts a block of {@code blockBytes} handed out. */
    public void onAllocate(final long blockBytes) {
        final long allocated = bytesAllocated + blockBytes;
        bytesAllocated = allocated;
        allocations++;
        final long inUse = allocated - bytesFreed;
        if (inUse > peakBytesInUse) {
            peakBytesInUse = inUse;
        }
    }

    /** Counts a block of {@code blockBytes} given back. */
    public void onFree(final long blockBytes) {
        bytesFreed += blockBytes;
        frees++;
    }

    /** Counts a live block whose size changed in place from {@code oldBlockBytes} to {@code newBlockBytes}. */
    public void onResize(final long oldBlockBytes, final long newBlockBytes) {
        bytesAllocated += newBlockBytes;
        bytesFreed += oldBlockBytes;
        final long inUse = bytesAllocated - bytesFreed;
        if (inUse > peakBytesInUse) {
            peakBytesInUse = inUse;
        }
    }

    /** @return bytes taken by live blocks */
    public long bytesInUse() {
        return bytesAllocated - bytesFreed;
    }

    /** @return blocks allocated and not yet freed */
    public long liveBlocks() {
        return allocations - frees;
    }

    /** @return a snapshot, with the heap size and free bytes the allocator knows */
    public AllocatorStats snapshot(final long heapBytes, final long bytesFree) {
        return new AllocatorStats(heapBytes, bytesInUse(), bytesFree, peakBytesInUse, allocations - frees,
            allocations, frees);
    }
}
