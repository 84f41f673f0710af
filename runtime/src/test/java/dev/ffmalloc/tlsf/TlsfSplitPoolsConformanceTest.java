package dev.ffmalloc.tlsf;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.memory.NativeMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared allocator suite on a {@link Tlsf} whose largest block (FLLEN = 12: 128 KiB - 16) is far below the
 * 1 MiB heap, so the heap is 8 adjacent pools, and with the most second-level lists (SLLEN = 64).
 */
final class TlsfSplitPoolsConformanceTest extends AllocatorConformanceTest {

    private static final TlsfConfig CONFIG = new TlsfConfig(12, 64);

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        final Tlsf tlsf = new Tlsf(heap, CONFIG);
        assertEquals(heap.byteSize(), tlsf.addPool(heap.baseAddress(), heap.byteSize()));
        assertEquals(8, tlsf.poolCount(), "1 MiB in pools of 128 KiB");
        return tlsf;
    }
}
