package dev.ffmalloc.buddy;

import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.alloc.AllocatorStats;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared conformance suite plus what every buddy configuration must also show: that the random run really
 * fills the heap, so the differential test exercises splits and merges under pressure rather than an empty heap.
 */
abstract class BuddyConformanceTest extends AllocatorConformanceTest {

    @Test
    void theRandomRunFillsMostOfTheHeapAndSucceedsOften() {
        System.out.println(getClass().getSimpleName() + ".theRandomRunFillsMostOfTheHeapAndSucceedsOften seed=0x"
            + Long.toHexString(SEED));
        final long freeAtStart = allocator.stats().bytesFree();
        runRandomOperations(new SplittableRandom(SEED), 100_000);
        final AllocatorStats stats = allocator.stats();
        assertTrue(stats.peakBytesInUse() > freeAtStart / 2, "peak in use below half the heap: " + stats);
        assertTrue(stats.allocations() > 20_000, "too few allocations succeeded: " + stats);
        assertTrue(stats.bytesFree() == freeAtStart, "everything freed merges back: " + stats);
        allocator.checkIntegrity();
    }
}
