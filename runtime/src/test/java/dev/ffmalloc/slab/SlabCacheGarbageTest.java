package dev.ffmalloc.slab;

import dev.ffmalloc.memory.NativeMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocate/free hot paths allocate nothing on the Java heap: the JVM's count of bytes allocated by this thread
 * stays below one byte per hundred operations over 200,000 steady-state allocate/free pairs, run after 1,000,000 to
 * let the JIT settle (a {@link RegionSlabBackend}, garbage-free too). Bytes are counted, nothing is
 * timed.
 */
final class SlabCacheGarbageTest {

    private static final int LIVE = 1000;

    @ParameterizedTest
    @CsvSource({"SMALL, 4096, agrona", "SMALL, 16384, agrona", "SMALL, 16384, native", "LARGE, 8192, agrona",
        "LARGE, 8192, native"})
    void steadyStateAllocateAndFreeAllocateNothingOnTheJavaHeap(final ObjectSizeType sizeType, final long slabSize,
                                                                 final String pageMapKind) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemoryEnabled(), "the JVM does not count allocated bytes");
        final SlabConfig config = SlabConfig.of(48, 8, slabSize, 4096, sizeType);
        try (Arena arena = Arena.ofConfined();
             PageMap pageMap = pageMapKind.equals("native") ? new NativePageMap() : new AgronaPageMap()) {
            final NativeMemory heap = NativeMemory.allocate(arena, 4 << 20);
            final SlabCache cache = new SlabCache(config,
                new RegionSlabBackend(heap, heap.baseAddress(), heap.byteSize(), config, pageMap));
            final long[] live = new long[LIVE];
            for (int i = 0; i < LIVE; i++) {
                live[i] = cache.allocate();
            }
            churn(cache, live, 1_000_000);
            threads.getCurrentThreadAllocatedBytes();
            final long before = threads.getCurrentThreadAllocatedBytes();
            churn(cache, live, 200_000);
            final long after = threads.getCurrentThreadAllocatedBytes();
            // One object per operation would be 3.2 MB or more; the JVM itself may allocate a few bytes once, while
            // compiling (104 bytes were seen after a shorter warm-up), so the bound is far below one per operation.
            assertTrue(after - before < 1024, "bytes allocated on the Java heap by 200,000 allocate/free pairs: "
                + (after - before));
            for (final long objectAddr : live) {
                cache.free(objectAddr);
            }
            cache.checkIntegrity();
            cache.close();
        }
    }

    /** Frees and reallocates slots in a fixed stride order, so slabs move between partial buckets. */
    private static void churn(final SlabCache cache, final long[] live, final int operations) {
        int slot = 0;
        for (int op = 0; op < operations; op++) {
            slot = (slot + 7919) % LIVE;
            cache.free(live[slot]);
            live[slot] = cache.tryAllocate();
        }
    }
}
