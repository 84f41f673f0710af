package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared allocator suite on a {@link GrowableTlsf} that starts with a quarter of the heap and grows by 64 KiB
 * pages from an {@link ArenaPoolSource} over the rest, so the exhaustion and differential tests make it grow.
 */
final class GrowableTlsfConformanceTest extends AllocatorConformanceTest {

    private static final long INITIAL_BYTES = 256 * 1024;

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final GrowableTlsf growable = new GrowableTlsf(new ArenaPoolSource(heap, NativeMemory.PAGE_SIZE),
            TlsfConfig.DEFAULT, INITIAL_BYTES, GrowableTlsf.DEFAULT_MIN_GROWTH_BYTES);
        assertEquals(INITIAL_BYTES, growable.footprintBytes());
        assertEquals(INITIAL_BYTES, growable.stats().heapBytes());
        return growable;
    }
}
