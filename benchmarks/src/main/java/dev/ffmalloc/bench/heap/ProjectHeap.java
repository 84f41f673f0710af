package dev.ffmalloc.bench.heap;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.memory.NativeMemory;

import java.lang.foreign.Arena;
import java.util.function.Function;

/**
 * A project allocator over a fixed native heap from a shared arena (shared, because W4's two threads touch it).
 * Threads share the allocator through a {@link LockedAllocator} when the workload runs on several of them.
 */
public final class ProjectHeap implements ContenderHeap {

    private final Arena arena;
    private final Allocator allocator;
    private final long heapBaseAddr;
    private final FootprintRule footprintRule;

    private ProjectHeap(final Arena arena, final Allocator allocator, final long heapBaseAddr,
                        final FootprintRule footprintRule) {
        this.arena = arena;
        this.allocator = allocator;
        this.heapBaseAddr = heapBaseAddr;
        this.footprintRule = footprintRule;
    }

    /**
     * Opens a fixed heap of {@code heapBytes} and builds the allocator over it.
     *
     * @param heapBytes the heap size
     * @param threads   threads that will share the allocator; above 1 it is wrapped in a {@link LockedAllocator}
     * @param factory   builds the allocator over the whole heap
     */
    public static ProjectHeap fixed(final long heapBytes, final int threads,
                                    final Function<NativeMemory, Allocator> factory) {
        final Arena arena = Arena.ofShared();
        final NativeMemory heap = NativeMemory.allocate(arena, heapBytes);
        final Allocator allocator = factory.apply(heap);
        return new ProjectHeap(arena, threads > 1 ? new LockedAllocator(allocator) : allocator, heap.baseAddress(),
            FootprintRule.HIGHEST_BLOCK_END);
    }

    /** @return the allocator the views call (the locked wrapper when shared) */
    public Allocator allocator() {
        return allocator;
    }

    @Override
    public SlotHeap slots(final int slots) {
        return new AllocatorSlots(allocator, slots, heapBaseAddr, footprintRule);
    }

    @Override
    public void close() {
        arena.close();
    }
}
