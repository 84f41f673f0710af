package dev.ffmalloc.bench.heap;

import dev.ffmalloc.alloc.Allocator;
import dev.ffmalloc.alloc.LockedAllocator;
import dev.ffmalloc.bench.workload.Workload;
import dev.ffmalloc.memory.NativeMemory;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A project allocator over native memory from a shared arena (shared, because W4's two threads touch it): a fixed
 * heap, or the region a growable heap obtains its pools from. Threads share the allocator through a
 * {@link LockedAllocator} when the workload runs on several of them.
 */
public final class ProjectHeap implements ContenderHeap {

    /** Builds a project allocator over a whole fixed heap. */
    @FunctionalInterface
    public interface Builder {

        /**
         * @param heap     the heap (or the region a growable heap draws from), all of it for the allocator
         * @param workload the workload the allocator serves
         * @param closers  where to register what must be closed with the heap (before its memory goes)
         * @return the allocator
         */
        Allocator build(NativeMemory heap, Workload workload, List<AutoCloseable> closers);
    }

    private final Arena arena;
    private final List<AutoCloseable> closers;
    private final Allocator allocator;
    private final long heapBaseAddr;
    private final FootprintRule footprintRule;

    private ProjectHeap(final Arena arena, final List<AutoCloseable> closers, final Allocator allocator,
                        final long heapBaseAddr, final FootprintRule footprintRule) {
        this.arena = arena;
        this.closers = closers;
        this.allocator = allocator;
        this.heapBaseAddr = heapBaseAddr;
        this.footprintRule = footprintRule;
    }

    /**
     * Opens {@code heapBytes} of native memory and builds the allocator over it.
     *
     * @param heapBytes     the heap size
     * @param workload      the workload; above one thread the allocator is wrapped in a {@link LockedAllocator}
     * @param footprintRule how the allocator's footprint is measured
     * @param builder       builds the allocator over the whole heap
     */
    public static ProjectHeap open(final long heapBytes, final Workload workload, final FootprintRule footprintRule,
                                   final Builder builder) {
        final Arena arena = Arena.ofShared();
        final NativeMemory heap = NativeMemory.allocate(arena, heapBytes);
        final List<AutoCloseable> closers = new ArrayList<>();
        final Allocator allocator = builder.build(heap, workload, closers);
        return new ProjectHeap(arena, closers, workload.threads() > 1 ? new LockedAllocator(allocator) : allocator,
            heap.baseAddress(), footprintRule);
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
