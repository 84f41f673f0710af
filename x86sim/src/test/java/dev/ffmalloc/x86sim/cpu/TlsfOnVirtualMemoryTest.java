package dev.ffmalloc.x86sim.cpu;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.AllocatorConformanceTest;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.memory.NativeMemory;
import dev.ffmalloc.tlsf.Tlsf;
import dev.ffmalloc.tlsf.TlsfConfig;
import org.junit.jupiter.api.AfterEach;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared allocator suite (bad input, the seed-004 heap tests, the million-operation differential test) on the
 * runtime's TLSF heap behind a {@link LockedAllocator}, unchanged, over {@link VirtualMemory}.
 */
final class TlsfOnVirtualMemoryTest extends AllocatorConformanceTest {

    private VirtualHeap virtualHeap;

    @Override
    protected Allocator newAllocator(final NativeMemory heap) {
        virtualHeap = new VirtualHeap(arena, heap);
        final Tlsf tlsf = new Tlsf(virtualHeap.memory, TlsfConfig.DEFAULT);
        assertEquals(heap.byteSize(), tlsf.addPool(heap.baseAddress(), heap.byteSize()));
        return new LockedAllocator(tlsf);
    }

    @AfterEach
    void everyAccessWentThroughTheTlb() {
        virtualHeap.assertAccessesWentThroughTheTlb(getClass().getSimpleName());
    }
}
