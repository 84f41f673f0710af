package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.buddy.BuddyAllocator;
import dev.ffmalloc.buddy.BuddyConfig;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;

/** The shared allocator suite on the runtime's in-band buddy heap, unchanged, over {@link VirtualMemory}. */
final class BuddyOnVirtualMemoryTest extends AllocatorConformanceTest {

    private VirtualHeap virtualHeap;

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        virtualHeap = new VirtualHeap(arena, heap);
        return BuddyAllocator.inBand(virtualHeap.memory, heap.baseAddress(), heap.byteSize(), BuddyConfig.BYTE_HEAP);
    }

    /** The state table at the start of the span is never a block. */
    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress() + 32;
    }

    @AfterEach
    void everyAccessWentThroughTheTlb() {
        virtualHeap.assertAccessesWentThroughTheTlb(getClass().getSimpleName());
    }
}
