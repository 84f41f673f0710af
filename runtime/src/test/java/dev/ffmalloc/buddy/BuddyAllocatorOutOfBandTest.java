package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.memory.NativeMemory;

/**
 * The shared conformance suite on an out-of-band buddy allocator with the byte-heap orders: the blocks are the test
 * heap, the frame table a second segment.
 */
final class BuddyAllocatorOutOfBandTest extends BuddyConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final NativeMemory table = NativeMemory.allocate(arena,
            BuddyAllocator.frameTableBytes(heap.byteSize(), BuddyConfig.BYTE_HEAP));
        final BuddyAllocator buddy = BuddyAllocator.outOfBand(heap, table, table.baseAddress(), heap.baseAddress(),
            heap.byteSize(), BuddyConfig.BYTE_HEAP);
        buddy.addFreeRange(heap.baseAddress(), heap.byteSize());
        return buddy;
    }
}
