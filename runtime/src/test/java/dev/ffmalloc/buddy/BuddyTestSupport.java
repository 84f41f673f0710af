package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.AllocatorStats;
import dev.ffmalloc.memory.NativeMemory;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Builders and assertions shared by the buddy scenario tests. */
final class BuddyTestSupport {

    /** An allocator and its frame table, for tests that poke at the table. */
    record FrameAllocator(BuddyAllocator buddy, NativeMemory table) {
    }

    private BuddyTestSupport() {
    }

    /**
     * @return an out-of-band allocator over physical-style addresses {@code [spanAddr, spanAddr + spanByteSize)}
     * with no block memory: nothing at those addresses is ever touched, so they need not exist
     */
    static FrameAllocator frames(final Arena arena, final long spanAddr, final long spanByteSize,
                                 final BuddyConfig config) {
        final NativeMemory table = NativeMemory.allocate(arena, BuddyAllocator.frameTableBytes(spanByteSize, config));
        return new FrameAllocator(
            BuddyAllocator.outOfBand(null, table, table.baseAddress(), spanAddr, spanByteSize, config), table);
    }

    /** @return {@code counts} as an array of {@code maxOrder + 1} per-order counts, highest orders zero */
    static long[] perOrder(final int maxOrder, final long... counts) {
        final long[] perOrder = new long[maxOrder + 1];
        System.arraycopy(counts, 0, perOrder, 0, counts.length);
        return perOrder;
    }

    /** What a rejected call must leave exactly as it was. */
    record Snapshot(AllocatorStats stats, long[] freeBlocks, long maxAllocationSize) {
        static Snapshot of(final BuddyAllocator buddy) {
            return new Snapshot(buddy.stats(), buddy.freeBlocksPerOrder(), buddy.maxAllocationSize());
        }
    }

    /**
     * Asserts that {@code call} throws {@code type} with exactly {@code message} and leaves the allocator as it was:
     * statistics, free blocks per order, largest block, integrity.
     */
    static <T extends Throwable> void assertRejected(final BuddyAllocator buddy, final Class<T> type,
                                                     final String message, final Runnable call) {
        final Snapshot before = Snapshot.of(buddy);
        final T thrown = assertThrows(type, call::run);
        assertEquals(message, thrown.getMessage());
        final Snapshot after = Snapshot.of(buddy);
        assertEquals(before.stats(), after.stats(), "statistics changed by rejected input");
        assertArrayEquals(before.freeBlocks(), after.freeBlocks(), "free blocks changed by rejected input");
        assertEquals(before.maxAllocationSize(), after.maxAllocationSize());
        buddy.checkIntegrity();
    }

    /** @return the hex form the messages use */
    static String hex(final long value) {
        return "0x" + Long.toHexString(value);
    }
}
