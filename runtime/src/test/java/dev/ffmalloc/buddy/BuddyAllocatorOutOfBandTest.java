package dev.ffmalloc.buddy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
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

    /** Out-of-band means the managed memory is never read or written: a fill pattern survives any traffic. */
    @Test
    void neverTouchesTheMemoryItManages() {
        heap.fill(heap.baseAddress(), heap.byteSize(), (byte) 0xA5);
        final long[] addresses = new long[200];
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = allocator.allocate(16 + 5L * i, 16);
            }
            for (int i = addresses.length - 1; i >= 0; i -= 2) {
                allocator.free(addresses[i]);
            }
            for (int i = addresses.length - 2; i >= 0; i -= 2) {
                allocator.free(addresses[i]);
            }
        }
        for (long address = heap.baseAddress(); address < heap.endAddress(); address += 8) {
            assertEquals(0xA5A5A5A5A5A5A5A5L, heap.getLong(address), "byte changed at 0x" + Long.toHexString(address));
        }
        allocator.checkIntegrity();
    }
}
