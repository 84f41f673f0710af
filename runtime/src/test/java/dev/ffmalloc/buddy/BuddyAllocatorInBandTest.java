package dev.ffmalloc.buddy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
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

    /** One state byte per 16-byte block sits at the start of the span: 1/16 of it, never handed out. */
    @Test
    void theStateTableTakesOneSixteenthOfTheSpanAndIsNeverHandedOut() {
        final long tableEnd = heap.baseAddress() + heap.byteSize() / 16;
        long blocks = 0;
        long address;
        while ((address = allocator.tryAllocate(16, 16)) != Allocator.NO_BLOCK) {
            assertTrue(address >= tableEnd, "a block inside the state table: 0x" + Long.toHexString(address));
            blocks++;
        }
        assertEquals((heap.byteSize() - heap.byteSize() / 16) / 16, blocks);
        allocator.checkIntegrity();
    }
}
