package dev.ffmalloc.tlsf;

/**
 * Receives the blocks of a pool in address order from {@link Tlsf#forEachBlock}. The sentinel that ends each pool
 * is not reported. The visitor must not call the allocator it is visiting.
 */
@FunctionalInterface
public interface TlsfBlockVisitor {

    /**
     * @param blockAddr the address of the block's header
     * @param blockSize the block's size in bytes, header included
     * @param used      whether the block is handed out
     */
    void visit(long blockAddr, long blockSize, boolean used);
}
