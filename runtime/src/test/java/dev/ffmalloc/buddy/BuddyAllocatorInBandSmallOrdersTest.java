package dev.ffmalloc.buddy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
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

    /** Orders 0..7 of 32 bytes: the largest block is 32 << 7 = 4 KiB, and nothing larger can be asked for. */
    @Test
    void theLargestBlockIsFourKibibytes() {
        assertEquals(4096, allocator.maxAllocationSize());
        final long address = allocator.allocate(4096, 4096);
        assertEquals(4096, allocator.usableSize(address));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(4097, 8));
        allocator.free(address);
        allocator.checkIntegrity();
    }
}
