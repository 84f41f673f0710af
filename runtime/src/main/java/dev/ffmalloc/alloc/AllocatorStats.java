package dev.ffmalloc.alloc;

/**
 * A snapshot of an allocator's statistics.
 *
 * <p>Bytes are counted the way the allocator carves its memory: a live block counts with its header and rounding,
 * so {@code bytesInUse + bytesFree <= heapBytes}, the difference being fixed metadata (sentinels, tables) and
 * fragments too small to form a block.
 *
 * @param heapBytes      bytes of memory under management
 * @param bytesInUse     bytes taken by live blocks, headers and rounding included
 * @param bytesFree      bytes in free blocks, available to allocation
 * @param peakBytesInUse the largest {@code bytesInUse} seen so far
 * @param liveBlocks     blocks allocated and not yet freed
 * @param allocations    successful allocations so far
 * @param frees          successful frees so far
 */
public record AllocatorStats(long heapBytes, long bytesInUse, long bytesFree, long peakBytesInUse, long liveBlocks,
                             long allocations, long frees) {
}
