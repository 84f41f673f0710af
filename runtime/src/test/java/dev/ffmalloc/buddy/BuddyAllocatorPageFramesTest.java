package dev.ffmalloc.buddy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;
import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.memory.NativeMemory;

/**
 * The shared conformance suite on an out-of-band buddy allocator with Linux's page-frame orders (4 KiB to 4 MiB)
 * over a 16 MiB heap, the frame table in a second segment: the configuration {@code x86sim} uses.
 */
final class BuddyAllocatorPageFramesTest extends BuddyConformanceTest {

    @Override
    protected long heapBytes() {
        return 16 << 20;
    }

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final NativeMemory table = NativeMemory.allocate(arena,
            BuddyAllocator.frameTableBytes(heap.byteSize(), BuddyConfig.PAGE_FRAMES));
        final BuddyAllocator buddy = BuddyAllocator.outOfBand(heap, table, table.baseAddress(), heap.baseAddress(),
            heap.byteSize(), BuddyConfig.PAGE_FRAMES);
        buddy.addFreeRange(heap.baseAddress(), heap.byteSize());
        return buddy;
    }

    /** Page-frame orders: the smallest block is one 4 KiB frame, page aligned, whatever was asked for. */
    @Test
    void theSmallestBlockIsOnePageFrame() {
        final long address = allocator.allocate(1, 1);
        assertEquals(0, address % 4096);
        assertEquals(4096, allocator.usableSize(address));
        allocator.free(address);
        allocator.checkIntegrity();
    }
}
