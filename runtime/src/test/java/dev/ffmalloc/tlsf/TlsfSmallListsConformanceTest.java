package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared allocator suite on a {@link Tlsf} with few second-level lists (FLLEN = 16, SLLEN = 4), where the
 * good-fit rounding of the search is coarse (a quarter of a range).
 */
final class TlsfSmallListsConformanceTest extends AllocatorConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final Tlsf tlsf = new Tlsf(heap, new TlsfConfig(16, 4));
        assertEquals(heap.byteSize(), tlsf.addPool(heap.baseAddress(), heap.byteSize()));
        assertEquals(1, tlsf.poolCount());
        return tlsf;
    }
}
