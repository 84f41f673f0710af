package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.linkedlist.LinkedListHeap;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;

/**
 * Seed 004's heap as seed 004 uses it: the linked-list heap behind a lock, initialised after its pages are mapped,
 * with the shared allocator suite run unchanged over {@link VirtualMemory}.
 */
final class LinkedListOnVirtualMemoryTest extends AllocatorConformanceTest {

    private VirtualHeap virtualHeap;

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        virtualHeap = new VirtualHeap(arena, heap);
        return new LockedAllocator(new LinkedListHeap(virtualHeap.memory, heap.baseAddress(), heap.byteSize()));
    }

    /** Inside the heap but never a block start: payloads are multiples of 16, this is 8 past one. */
    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress() + 4096 + 8;
    }

    @AfterEach
    void everyAccessWentThroughTheTlb() {
        virtualHeap.assertAccessesWentThroughTheTlb(getClass().getSimpleName());
    }
}
