package dev.ffmalloc.bench.heap;

/**
 * One thread's view of a contender's heap, as the workloads drive it: blocks are named by slot ({@code 0} to
 * {@code capacity() - 1}), so that a workload runs unchanged over allocators that hand out addresses (the project's,
 * {@code malloc}) and over those that hand out objects ({@code Arena}, Netty's {@code ByteBuf}).
 *
 * <p>Each benchmark fork drives exactly one implementation, so every call site stays monomorphic and the JIT inlines
 * through this interface. Implementations allocate nothing on the Java heap themselves on
 * {@link #allocate}, {@link #free}, {@link #storeLong} and {@link #loadLong}; what the wrapped allocator allocates is
 * what the benchmark measures.
 *
 * <p>Slots are not checked: a workload frees only a slot that {@link #holds} a block and stores only into blocks of
 * at least 8 bytes.
 */
public interface SlotHeap {

    /** @return the number of slots */
    int capacity();

    /**
     * Allocates a block into an empty slot.
     *
     * @return {@code false} if the heap had no room (the slot stays empty); other failures throw
     */
    boolean allocate(int slot, long byteSize, long byteAlignment);

    /** Frees the block of a slot that holds one; the slot becomes empty. */
    void free(int slot);

    /**
     * Resizes the block of a slot that holds one, keeping its first {@code min(old, new)} bytes, in place where the
     * allocator can.
     *
     * @return {@code false} if the heap had no room (the old block is kept unchanged)
     */
    boolean reallocate(int slot, long newByteSize, long byteAlignment);

    /** @return whether the slot holds a block */
    boolean holds(int slot);

    /** Stores {@code value} in the first 8 bytes of the slot's block. */
    void storeLong(int slot, long value);

    /** @return the first 8 bytes of the slot's block */
    long loadLong(int slot);

    /**
     * The bytes the heap needs at this moment to hold what it holds, by {@link #footprintRule()}; called by
     * measuring passes (never timed) after each allocation or reallocation, with the slot that changed.
     *
     * @return the footprint in bytes, or -1 if this heap cannot tell
     */
    default long footprintAfter(final int changedSlot) {
        return -1;
    }

    /** @return how {@link #footprintAfter} measures; baselines do not measure it */
    default FootprintRule footprintRule() {
        return FootprintRule.NOT_MEASURED;
    }

    /**
     * @return whether a block of {@code byteSize} bytes and {@code byteAlignment} could ever be served; a trace replay
     *         counts a request above it as a failed one, where the heap would reject it as bad input
     */
    default boolean couldEverHold(final long byteSize, final long byteAlignment) {
        return true;
    }

    /** W1's pair: allocates a block into slot 0, stores its size in it and frees it. */
    default void pair(final long byteSize, final long byteAlignment) {
        if (!allocate(0, byteSize, byteAlignment)) {
            throw HeapErrors.noRoom(byteSize, byteAlignment);
        }
        storeLong(0, byteSize);
        free(0);
    }

    /** Gives back everything this view holds; the view is not used afterwards. */
    default void close() {
        freeAll();
    }

    /** Frees every block still held, in slot order (never timed). */
    default void freeAll() {
        for (int slot = 0, slots = capacity(); slot < slots; slot++) {
            if (holds(slot)) {
                free(slot);
            }
        }
    }
}
