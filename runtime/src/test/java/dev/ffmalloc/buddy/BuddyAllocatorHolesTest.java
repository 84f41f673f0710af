package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared conformance suite on an out-of-band buddy allocator whose managed memory is two ranges of odd sizes
 * and alignments with a hole between them, and a third range added while blocks are live (memory hot-add).
 */
final class BuddyAllocatorHolesTest extends BuddyConformanceTest {

    /** Offsets from the heap's base: two ranges, a hole between them, a third range added later. */
    private static final long FIRST_START = 1000;
    private static final long FIRST_END = 300_000;
    private static final long SECOND_START = 300_100;
    private static final long SECOND_END = 700_003;
    private static final long THIRD_START = 700_003;

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final NativeMemory table = NativeMemory.allocate(arena,
            BuddyAllocator.frameTableBytes(heap.byteSize(), BuddyConfig.BYTE_HEAP));
        final BuddyAllocator buddy = BuddyAllocator.outOfBand(heap, table, table.baseAddress(), heap.baseAddress(),
            heap.byteSize(), BuddyConfig.BYTE_HEAP);
        buddy.addFreeRange(heap.baseAddress() + FIRST_START, FIRST_END - FIRST_START);
        buddy.addFreeRange(heap.baseAddress() + SECOND_START, SECOND_END - SECOND_START);
        return buddy;
    }

    /** Inside the hole {@code [300_000, 300_112)} (after rounding inward). */
    @Override
    protected long addressThatIsNeverABlockStart(final NativeMemory heap) {
        return heap.baseAddress() + 300_016;
    }

    @Test
    void memoryAddedWhileBlocksAreLiveJoinsTheHeap() {
        final BuddyAllocator buddy = (BuddyAllocator) allocator;
        // By hand, rounding inward to 16 bytes: [1008, 300000) and [300112, 700000).
        assertEquals((300_000 - 1008) + (700_000 - 300_112), buddy.managedBytes());
        final long[] live = new long[64];
        for (int i = 0; i < live.length; i++) {
            live[i] = buddy.allocate(1000 + i, 16);
        }
        buddy.addFreeRange(heap.baseAddress() + THIRD_START, heap.byteSize() - THIRD_START);
        assertEquals((300_000 - 1008) + (700_000 - 300_112) + (heap.byteSize() - 700_016), buddy.managedBytes());
        buddy.checkIntegrity();
        System.out.println("memoryAddedWhileBlocksAreLiveJoinsTheHeap seed=0x" + Long.toHexString(SEED));
        runRandomOperations(new SplittableRandom(SEED), 100_000);
        for (final long address : live) {
            buddy.free(address);
        }
        assertEquals(buddy.managedBytes(), buddy.freeBytes(), "everything free again");
        buddy.checkIntegrity();
    }
}
