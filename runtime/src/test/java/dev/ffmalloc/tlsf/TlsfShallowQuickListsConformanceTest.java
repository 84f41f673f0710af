package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared allocator suite on a {@link Tlsf} whose quick lists are shallow (2 blocks per size), stop at 256-byte
 * requests and hold at most 2 KiB: frees are refused by each limit in turn, and parked blocks go back when the
 * suite fills the heap.
 */
final class TlsfShallowQuickListsConformanceTest extends AllocatorConformanceTest {

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final Tlsf tlsf = new Tlsf(heap, TlsfConfig.DEFAULT.withQuickLists(new QuickListConfig(2, 256, 2048)));
        assertEquals(heap.byteSize(), tlsf.addPool(heap.baseAddress(), heap.byteSize()));
        return tlsf;
    }
}
