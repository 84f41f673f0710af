package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shared allocator suite on a {@link Tlsf} with the default configuration and one pool. */
final class TlsfConformanceTest extends AllocatorConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final Tlsf tlsf = new Tlsf(heap, TlsfConfig.DEFAULT);
        assertEquals(heap.byteSize(), tlsf.addPool(heap.baseAddress(), heap.byteSize()));
        assertEquals(1, tlsf.poolCount());
        return tlsf;
    }
}
