package dev.ffmalloc.buddy;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocate and free paths allocate nothing on the Java heap, measured with the JVM's per-thread allocation
 * counter (bytes, not time). A first round warms up class loading; boxing or an iterator on the hot path would cost
 * megabytes over the measured rounds, against the small tolerance for the counter's own bookkeeping.
 */
final class BuddyAllocatorGarbageTest {

    private static final int BLOCKS = 1000;
    private static final long TOLERANCE_BYTES = 1024;

    private final Arena arena = Arena.ofConfined();
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void inBandAllocateFreeAndReallocateAllocateNothing() {
        final NativeMemory heap = NativeMemory.allocate(arena, 1 << 20);
        assertNoGarbage(BuddyAllocator.inBand(heap, heap.baseAddress(), heap.byteSize(), BuddyConfig.BYTE_HEAP));
    }

    @Test
    void outOfBandAllocateFreeAndReallocateAllocateNothing() {
        final NativeMemory heap = NativeMemory.allocate(arena, 1 << 20);
        final NativeMemory table = NativeMemory.allocate(arena,
            BuddyAllocator.frameTableBytes(heap.byteSize(), BuddyConfig.BYTE_HEAP));
        final BuddyAllocator buddy = BuddyAllocator.outOfBand(heap, table, table.baseAddress(), heap.baseAddress(),
            heap.byteSize(), BuddyConfig.BYTE_HEAP);
        buddy.addFreeRange(heap.baseAddress(), heap.byteSize());
        assertNoGarbage(buddy);
    }

    private void assertNoGarbage(final BuddyAllocator buddy) {
        final long[] addresses = new long[BLOCKS];
        runRound(buddy, addresses);
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 50; round++) {
            runRound(buddy, addresses);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated <= TOLERANCE_BYTES, "hot paths allocated " + allocated + " bytes on the Java heap");
        buddy.checkIntegrity();
    }

    private static void runRound(final BuddyAllocator buddy, final long[] addresses) {
        for (int i = 0; i < BLOCKS; i++) {
            addresses[i] = buddy.tryAllocate(16 + (i * 37L) % 500, 16);
        }
        for (int i = 0; i < BLOCKS; i += 2) {
            addresses[i] = buddy.reallocate(addresses[i], (i * 53L) % 700, 16);
        }
        for (int i = 0; i < BLOCKS; i++) {
            buddy.free(addresses[i]);
        }
        buddy.free(buddy.allocateOrder(3));
    }
}
