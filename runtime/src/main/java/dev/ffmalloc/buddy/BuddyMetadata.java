package dev.ffmalloc.buddy;

/**
 * Where a {@link BuddyAllocator} keeps its per-block state and free-list links: in the free blocks with a state
 * table at the start of the span ({@link InBandMetadata}), or all in a frame table elsewhere
 * ({@link OutOfBandMetadata}). The algorithm is written once against this interface; blocks are named by their
 * index, the number of minimum blocks from the start of the span.
 *
 * <p>Links are read only from the head of a free block; {@link BuddyAllocator#NO_INDEX} ends a list.
 */
sealed interface BuddyMetadata permits InBandMetadata, OutOfBandMetadata {

    /** @return the {@link BlockState} word of min block {@code blockIndex} */
    int state(long blockIndex);

    /** Sets the {@link BlockState} word of min block {@code blockIndex}. */
    void setState(long blockIndex, int stateWord);

    /** @return the index of the free block after {@code blockIndex} in its list */
    long nextFree(long blockIndex);

    /** Links {@code nextIndex} after the free block {@code blockIndex}. */
    void setNextFree(long blockIndex, long nextIndex);

    /** @return the index of the free block before {@code blockIndex} in its list */
    long prevFree(long blockIndex);

    /** Links {@code prevIndex} before the free block {@code blockIndex}. */
    void setPrevFree(long blockIndex, long prevIndex);
}
