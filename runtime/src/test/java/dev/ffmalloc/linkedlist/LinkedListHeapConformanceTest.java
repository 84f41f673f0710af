package dev.ffmalloc.linkedlist;

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
}
