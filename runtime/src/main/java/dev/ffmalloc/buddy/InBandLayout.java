package dev.ffmalloc.buddy;

import org.agrona.BitUtil;

/**
 * Where an in-band buddy heap keeps its metadata: a state table at the start of the span, and the free-list links
 * inside the free blocks.
 *
 * <pre>
 * span:        [ state table: one byte per min block, rounded up to whole min blocks | blocks ...           ]
 *
 * free block:   0                                                              63
 *              +-----------------------------------------------------------------+
 *   +0         |            next free block index, or NO_INDEX (-1)              |
 *              +-----------------------------------------------------------------+
 *   +8         |            prev free block index, or NO_INDEX (-1)              |
 *              +-----------------------------------------------------------------+
 *   +16        |            unused up to the end of the block                    |
 * </pre>
 * Allocated blocks carry no header: the state byte of their first minimum block gives their order on free. Links
 * are block indices (minimum blocks from the start of the span), as in the out-of-band table, so the algorithm
 * reads both placements the same way. The table's own minimum blocks are never managed.
 */
final class InBandLayout {

    /** Offset of the 64-bit index of the next block in the same free list. */
    static final int NEXT_FREE_OFFSET = 0;

    /** Offset of the 64-bit index of the previous block in the same free list. */
    static final int PREV_FREE_OFFSET = NEXT_FREE_OFFSET + Long.BYTES;

    /** Bytes a free block needs for its links: the floor of the minimum block size. */
    static final int LINKS_BYTES = PREV_FREE_OFFSET + Long.BYTES;

    /** Bytes of the state table per minimum block: one {@link BlockState} word. */
    static final int STATE_BYTES = Byte.BYTES;

    private InBandLayout() {
    }

    /** @return the address of the next-free link of the free block at {@code blockAddr} */
    static long nextFreeAddr(final long blockAddr) {
        return blockAddr + NEXT_FREE_OFFSET;
    }

    /** @return the address of the prev-free link of the free block at {@code blockAddr} */
    static long prevFreeAddr(final long blockAddr) {
        return blockAddr + PREV_FREE_OFFSET;
    }

    /** @return the address of the state byte of block {@code blockIndex} in the table at {@code tableAddr} */
    static long stateAddr(final long tableAddr, final long blockIndex) {
        return tableAddr + blockIndex * STATE_BYTES;
    }

    /** @return bytes the state table of {@code blockCount} min blocks takes, rounded up to whole min blocks */
    static long tableBytes(final long blockCount, final long minBlockSize) {
        return BitUtil.align(blockCount * STATE_BYTES, minBlockSize);
    }
}
