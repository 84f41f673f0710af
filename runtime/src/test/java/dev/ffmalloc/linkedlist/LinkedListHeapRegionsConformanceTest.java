package dev.ffmalloc.linkedlist;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

/**
 * The allocator contract, on a linked-list heap over four discontiguous regions of the segment, with gaps of
 * 4 KiB between them and odd bounds trimmed to the granularity, added out of address order.
 */
final class LinkedListHeapRegionsConformanceTest extends AllocatorConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final long quarter = heap.byteSize() / 4;
        final LinkedListHeap linkedList = LinkedListHeap.empty(heap);
        for (final int region : new int[] {2, 0, 3, 1}) {
            linkedList.addRegion(heap.baseAddress() + region * quarter + 8, quarter - 4096 - 3);
        }
        return linkedList;
    }

    /** In the gap after the first region: inside the segment, outside the heap. */
    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress() + heap.byteSize() / 4 - 1024;
    }

    /** Four regions with gaps stay four regions, and no block can be larger than one of them. */
    @Test
    void aBlockNeverSpansTwoRegions() {
        final LinkedListHeap linkedList = (LinkedListHeap) allocator;
        assertEquals(4, linkedList.regionCount());
        assertTrue(allocator.maxAllocationSize() < heap.byteSize() / 4 - 4096);
        final long address = allocator.allocate(allocator.maxAllocationSize(), 16);
        final long end = address + allocator.usableSize(address);
        boolean insideOneRegion = false;
        for (int region = 0; region < linkedList.regionCount(); region++) {
            insideOneRegion |= address >= linkedList.regionStartAddress(region)
                && end <= linkedList.regionEndAddress(region);
        }
        assertTrue(insideOneRegion, "the largest block crosses a region boundary");
        allocator.free(address);
        allocator.checkIntegrity();
    }
}
