package dev.ffmalloc.linkedlist;

/** Receives the blocks of a {@link LinkedListHeap} in address order, from {@link LinkedListHeap#forEachBlock}. */
@FunctionalInterface
public interface LinkedListBlockVisitor {

    /**
     * @param blockAddr  the block's address (for a used block, its payload is {@code blockAddr + 16})
     * @param blockBytes the block's size, header included
     * @param used       whether the block is used (else it is a hole)
     */
    void visit(long blockAddr, long blockBytes, boolean used);
}
