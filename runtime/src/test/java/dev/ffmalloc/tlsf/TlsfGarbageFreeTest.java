package dev.ffmalloc.tlsf;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths (allocate, free, reallocate, usable size) allocate nothing on the Java heap: after a warm-up, the
 * bytes the thread allocates across many operations, counted by the JVM, stay at zero. Counts bytes, never time.
 */
final class TlsfGarbageFreeTest {

    private static final long SEED = 0x6A2BA6EL;
    private static final int SLOTS = 256;

    @Test
    void allocateFreeAndReallocateInPlaceAllocateNothing() {
        System.out.println("TlsfGarbageFreeTest seed=0x" + Long.toHexString(SEED));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            final NativeMemory heap = NativeMemory.allocate(arena, 1 << 20);
            final Tlsf tlsf = new Tlsf(heap);
            tlsf.addPool(heap.baseAddress(), heap.byteSize());
            final long[] slots = new long[SLOTS];
            final SplittableRandom random = new SplittableRandom(SEED);
            // Warm up until every path has run and been linked and compiled: first runs load classes.
            for (int batch = 0; batch < 4; batch++) {
                run(tlsf, slots, random, 200_000);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            final long operations = run(tlsf, slots, random, 200_000);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(operations > 100_000, "operations " + operations);
            assertEquals(0, allocated, "bytes allocated on the Java heap by " + operations + " operations");
            for (final long slot : slots) {
                if (slot != 0) {
                    tlsf.free(slot);
                }
            }
            tlsf.checkIntegrity();
        }
    }

    /** @return how many allocator calls ran (none of them can fail: the heap is never more than a fifth full) */
    private static long run(final Tlsf tlsf, final long[] slots, final SplittableRandom random, final int rounds) {
        long operations = 0;
        long checksum = 0;
        for (int round = 0; round < rounds; round++) {
            final int slot = random.nextInt(SLOTS);
            final long size = random.nextLong(0, 768);
            if (slots[slot] == 0) {
                slots[slot] = tlsf.allocate(size, random.nextInt(8) == 0 ? 64 : 16);
            } else if (random.nextBoolean()) {
                tlsf.free(slots[slot]);
                slots[slot] = 0;
            } else {
                slots[slot] = tlsf.reallocate(slots[slot], size, 16);
                checksum += tlsf.usableSize(slots[slot]);
            }
            operations++;
        }
        return operations + (checksum & 0);
    }
}
