package dev.ffmalloc.bench.heap;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.memory.NativeMemory;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A project allocator over a fixed native heap from a shared arena (shared, because W4's two threads touch it).
 * Threads share the allocator through a {@link LockedAllocator} when the workload runs on several of them.
 */
public final class ProjectHeap implements ContenderHeap {

    /** Builds a project allocator over a whole fixed heap. */
    @FunctionalInterface
    public interface Builder {

        /**
         * @param heap    the heap, all of it for the allocator
         * @param closers where to register what must be closed with the heap (before its memory goes)
         * @return the allocator
         */
        Allocator build(NativeMemory heap, List<AutoCloseable> closers);
    }

    private final Arena arena;
    private final List<AutoCloseable> closers;
    private final Allocator allocator;
    private final long heapBaseAddr;

    private ProjectHeap(final Arena arena, final List<AutoCloseable> closers, final Allocator allocator,
                        final long heapBaseAddr) {
        this.arena = arena;
        this.closers = closers;
        this.allocator = allocator;
        this.heapBaseAddr = heapBaseAddr;
    }

    /**
     * Opens a fixed heap of {@code heapBytes} and builds the allocator over it.
     *
     * @param heapBytes the heap size
     * @param threads   threads that will share the allocator; above 1 it is wrapped in a {@link LockedAllocator}
     * @param builder   builds the allocator over the whole heap
     */
    public static ProjectHeap fixed(final long heapBytes, final int threads, final Builder builder) {
        final Arena arena = Arena.ofShared();
        final NativeMemory heap = NativeMemory.allocate(arena, heapBytes);
        final List<AutoCloseable> closers = new ArrayList<>();
        final Allocator allocator = builder.build(heap, closers);
        return new ProjectHeap(arena, closers, threads > 1 ? new LockedAllocator(allocator) : allocator,
            heap.baseAddress());
    }

    /** @return the allocator the views call (the locked wrapper when shared) */
    public Allocator allocator() {
        return allocator;
    }

    @Override
    public SlotHeap slots(final int slots) {
        return new AllocatorSlots(allocator, slots, heapBaseAddr, FootprintRule.HIGHEST_BLOCK_END);
    }

    @Override
    public void close() {
        try {
            for (int index = closers.size() - 1; index >= 0; index--) {
                closers.get(index).close();
            }
        } catch (final Exception closeFailed) {
            throw new IllegalStateException("project heap could not be closed: allocator=" + allocator, closeFailed);
        } finally {
            arena.close();
        }
    }
}
