package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.AllocatorStats;

/**
 * A snapshot of a {@link Tlsf} heap's statistics: the counters every allocator has, plus the shape of its free
 * memory.
 *
 * <p>{@code fragmentation} is {@code 1 - largestFreeBlock / heap.bytesFree()}: 0 when all free memory is one block
 * (or there is none), approaching 1 when it is scattered in many small blocks. It says how much of the free memory a
 * single large request cannot use.
 *
 * @param heap             the counters of {@link dev.ffmalloc.alloc.Allocator#stats()}
 * @param pools            how many pools the heap has
 * @param freeBlocks       how many free blocks the free lists hold
 * @param largestFreeBlock the size of the largest free block (parked ones included), header included, or 0
 * @param fragmentation    {@code 1 - largestFreeBlock / bytesFree}, or 0 if nothing is free
 * @param parkedBlocks     how many freed blocks wait in the quick lists (not in {@code freeBlocks})
 * @param parkedBytes      their bytes, headers included (part of {@code heap.bytesFree()})
 * @param quickAllocations how many allocations, ever, took a parked block (of {@code heap.allocations()}): the quick
 *                         lists' hits
 */
public record TlsfStats(AllocatorStats heap, int pools, long freeBlocks, long largestFreeBlock,
                        double fragmentation, long parkedBlocks, long parkedBytes, long quickAllocations) {
}
