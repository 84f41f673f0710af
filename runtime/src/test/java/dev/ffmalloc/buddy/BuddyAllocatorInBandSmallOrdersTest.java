package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.memory.NativeMemory;

/**
 * The shared conformance suite on an in-band buddy heap with 32-byte minimum blocks and only 8 orders (largest block
 * 4 KiB, the largest alignment the suite asks for), so most requests split and merge at the top order.
 */
final class BuddyAllocatorInBandSmallOrdersTest extends BuddyConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        return BuddyAllocator.inBand(heap, heap.baseAddress(), heap.byteSize(), new BuddyConfig(32, 7));
    }

    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress();
    }
}
