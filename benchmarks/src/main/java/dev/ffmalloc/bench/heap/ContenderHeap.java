package dev.ffmalloc.bench.heap;

/**
 * One instance of a contender's allocator, opened for one workload in one benchmark fork. Each thread that runs the
 * workload takes its own {@link SlotHeap} view; for W4 the views of the two threads share the instance (malloc,
 * Netty, the project's allocators behind a lock) or are independent (one arena per block, the floor).
 */
@FunctionalInterface
public interface ContenderHeap {

    /**
     * Opens one thread's view. Call it on the thread that will use the view: arenas are confined to it.
     *
     * @param slots the number of slots of the view
     */
    SlotHeap slots(int slots);

    /** Gives back the instance's memory, after every view was closed. */
    default void close() {
        // Most baselines own nothing beyond their views.
    }
}
