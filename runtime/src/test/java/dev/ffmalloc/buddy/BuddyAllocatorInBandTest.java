package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.memory.NativeMemory;

/** The shared conformance suite on an in-band buddy heap with the byte-heap orders (16 bytes to 16 MiB). */
final class BuddyAllocatorInBandTest extends BuddyConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        return BuddyAllocator.inBand(heap, heap.baseAddress(), heap.byteSize(), BuddyConfig.BYTE_HEAP);
    }

    /** The state table at the start of the span is never a block. */
    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress() + 32;
    }
}
