package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shared allocator suite on a pure {@link Tlsf}, quick lists off: every free merges at once. */
final class TlsfWithoutQuickListsConformanceTest extends AllocatorConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final Tlsf tlsf = new Tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(QuickListConfig.OFF));
        assertEquals(heap.byteSize(), tlsf.addPool(heap.baseAddress(), heap.byteSize()));
        return tlsf;
    }
}
