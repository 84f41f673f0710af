package dev.ffmalloc.linkedlist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

/** The allocator contract, on a linked-list heap over one region: all of the native segment. */
final class LinkedListHeapConformanceTest extends AllocatorConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        return new LinkedListHeap(heap);
    }

    /** Inside the heap but never a block start: payloads are multiples of 16, this is 8 past one. */
    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress() + 4096 + 8;
    }

    /** One region, one 16-byte header: the largest block is the whole heap less its header, and it fits. */
    @Test
    void theLargestBlockTakesTheWholeHeap() {
        assertEquals(heap.byteSize() - 16, allocator.maxAllocationSize());
        final long address = allocator.allocate(allocator.maxAllocationSize(), 16);
        assertEquals(Allocator.NO_BLOCK, allocator.tryAllocate(0, 16));
        allocator.free(address);
        allocator.checkIntegrity();
    }
}
